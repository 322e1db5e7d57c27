"""What people type, normalised and bounded before it is stored: one set of rules for every text field.

NFC (Vietnamese input methods may send NFD); ASCII digits in numbers (full-width and Arabic-Indic
digits look right but an ASCII search never finds them); no control characters, no bidi overrides (they
make a printed name read backwards), invisible zero-width characters dropped (a name of only those is
empty); only characters the bundled font can print (an emoji would silently vanish from the receipt);
a sane length for every field; at least one letter in a person's name. Messages are Vietnamese and
name the field.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.domain.text import nfc

# Invisible characters that carry nothing on paper: dropped (zero-width space / joiners, word joiner,
# BOM, soft hyphen, left/right marks).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f"))
# Embeddings, overrides and isolates reorder what follows them: refused.
_BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
_NAME_PUNCT = set(" '’-.,()&/")


@dataclass(frozen=True)
class Limit:
    """Bounds of one field: its label (for messages) and maximum length in characters."""

    label: str
    max_len: int


# The bounds of every free-text field, in one place.
LIMITS = {
    "applicant_name": Limit("Họ tên", 100),
    "address": Limit("Địa chỉ", 300),
    "email": Limit("Email", 254),
    "phone": Limit("Số điện thoại", 20),
    "id_number": Limit("Số CCCD/CMND", 20),
    "note": Limit("Ghi chú", 500),
    "paper": Limit("Tên giấy tờ", 200),
    "procedure_code": Limit("Mã thủ tục", 32),
    "person": Limit("Họ tên người giao, nhận", 100),
    "unit": Limit("Tên đơn vị", 200),
    "reason": Limit("Lý do", 1000),
    "title": Limit("Chức vụ", 100),
    "result": Limit("Kết quả", 500),
    "full_name": Limit("Họ tên cán bộ", 100),
    "username": Limit("Tên đăng nhập", 64),
    "setting": Limit("Thiết lập", 200),
    "day_reason": Limit("Lý do", 200),
}


def ascii_digits(text: str) -> str:
    """Every decimal digit (full-width ０-９, Arabic-Indic ٠-٩, …) as its ASCII digit."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text)


def _printable() -> frozenset[int]:
    from app.printing.fonts import printable_codepoints

    return printable_codepoints()


def clean(value: str | None, key: str, *, label: str | None = None, required: bool = False,
          digits: bool = False) -> tuple[str, str | None]:
    """(normalised text, error message or None) for field `key` of LIMITS."""
    limit = LIMITS[key]
    label = label or limit.label
    text = value or ""
    if len(text) > limit.max_len * 4:  # far too long: do not even normalise megabytes
        return "", f"{label} quá dài ({len(text):,} ký tự); tối đa {limit.max_len} ký tự.".replace(",", ".")
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    if digits:
        text = ascii_digits(text)
    text = nfc(text)
    if not text:
        return "", (f"Chưa nhập {label[0].lower() + label[1:]}." if required else None)
    for ch in text:
        cp = ord(ch)
        if cp in _BIDI:
            return text, (f"{label} có ký tự đảo chiều văn bản (U+{cp:04X}), thường do sao chép từ nơi khác; "
                          "hãy xóa và gõ lại.")
        cat = unicodedata.category(ch)
        if cat == "Cc":
            return text, f"{label} có ký tự điều khiển không in được (U+{cp:04X}); hãy xóa và gõ lại."
        if cat in ("Cs", "Co", "Cn", "Cf"):
            return text, f"{label} có ký tự không hợp lệ (U+{cp:04X}); hãy xóa và gõ lại."
        if cp not in _printable() and not unicodedata.combining(ch):
            return text, (f"{label} có ký tự “{ch}” không in được trên giấy tờ (biểu tượng cảm xúc hoặc chữ ngoài "
                          "bảng chữ cái tiếng Việt); hãy bỏ ký tự đó.")
    if len(text) > limit.max_len:
        return text, f"{label} quá dài ({len(text)} ký tự); tối đa {limit.max_len} ký tự."
    return text, None


def name_problem(name: str, label: str = "Họ tên") -> str | None:
    """A person's name: at least one letter, no digits, only letters, marks, spaces and ' - . , ( ) & /."""
    if any(ch.isdigit() for ch in name):
        return f"{label} không được chứa chữ số; hãy kiểm tra lại."
    if not any(unicodedata.category(ch).startswith("L") for ch in name):
        return f"{label} phải có chữ cái; hãy nhập đầy đủ họ và tên."
    odd = [ch for ch in name if not (unicodedata.category(ch)[0] in "LM" or ch in _NAME_PUNCT)]
    if odd:
        return f"{label} có ký tự “{odd[0]}” không dùng trong tên người; hãy kiểm tra lại."
    return None


_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def username_problem(username: str) -> str | None:
    if not _USERNAME.match(username):
        return ("Tên đăng nhập gồm 2–64 ký tự: chữ thường không dấu, chữ số, dấu chấm, gạch ngang hoặc "
                "gạch dưới (ví dụ canbo1).")
    return None


def checked(values: dict[str, tuple[str | None, str]], *, required: tuple[str, ...] = (),
            digits: tuple[str, ...] = ()) -> tuple[dict[str, str], dict[str, str]]:
    """Clean several fields at once: {field: (value, limit key)} -> (clean values, errors by field)."""
    out: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field, (value, key) in values.items():
        text, err = clean(value, key, required=field in required, digits=field in digits)
        out[field] = text
        if err:
            errors[field] = err
    return out, errors
