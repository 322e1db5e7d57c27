"""Citizens' data: validation of the applicant fields and the chip-ID card QR."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.domain.text import nfc, title_name

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class CardData:
    id_number: str
    old_id_number: str
    name: str
    birth_date: date | None
    gender: str
    address: str
    issued_on: date | None


def normalise_phone(raw: str) -> str:
    """Digits only, +84/84 turned into 0; spaces, dots and dashes dropped."""
    digits = re.sub(r"[\s.\-()]", "", raw or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def check_name(name: str) -> str | None:
    name = nfc(name)
    if not name:
        return "Chưa nhập họ tên người nộp hồ sơ."
    if any(ch.isdigit() for ch in name):
        return "Họ tên không được chứa chữ số; hãy kiểm tra lại."
    if len(name) < 2:
        return "Họ tên quá ngắn; hãy nhập đầy đủ họ và tên."
    return None


def check_id_number(raw: str, *, required: bool = False) -> str | None:
    value = (raw or "").strip()
    if not value:
        return "Chưa nhập số CCCD/định danh cá nhân." if required else None
    if not (value.isascii() and value.isdigit()):
        return "Số CCCD/CMND chỉ gồm chữ số (CCCD 12 số, CMND cũ 9 số)."
    if len(value) not in (9, 12):
        return f"Số CCCD phải có 12 chữ số (CMND cũ 9 số); số vừa nhập có {len(value)} chữ số."
    return None


def check_phone(raw: str, *, required: bool = True) -> str | None:
    value = normalise_phone(raw)
    if not value:
        return "Chưa nhập số điện thoại liên hệ." if required else None
    if not (value.isascii() and value.isdigit()) or len(value) != 10 or not value.startswith("0"):
        return "Số điện thoại phải có 10 chữ số, bắt đầu bằng 0 (hoặc +84), ví dụ 0912345678."
    return None


def check_email(raw: str) -> str | None:
    value = (raw or "").strip()
    if value and not _EMAIL.match(value):
        return "Địa chỉ email không đúng dạng, ví dụ ten@example.com (có thể để trống)."
    return None


def _ddmmyyyy(text: str) -> date | None:
    text = text.strip()
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        return None


class CardQRError(ValueError):
    pass


def parse_card_qr(text: str) -> CardData:
    """The chip CCCD's QR: `CCCD|CMND cũ|họ tên|ngày sinh DDMMYYYY|giới tính|địa chỉ|ngày cấp DDMMYYYY`.

    Scanners in keyboard mode may add a stray Enter or spaces, and some drop the old-ID field empty.
    """
    cleaned = nfc(text.replace("\r", " ").replace("\n", " "))
    parts = [p.strip() for p in cleaned.split("|")]
    if len(parts) < 6:
        raise CardQRError(
            "Không đọc được mã QR trên CCCD: dữ liệu quét được không đúng định dạng "
            "(cần các trường cách nhau bởi dấu |). Hãy quét lại mặt trước thẻ."
        )
    id_number = parts[0]
    if check_id_number(id_number, required=True):
        # never repeat what was read: it is a citizen's personal data
        raise CardQRError("Mã QR không chứa số CCCD hợp lệ. Hãy quét lại mặt trước thẻ.")
    birth = _ddmmyyyy(parts[3])
    issued = _ddmmyyyy(parts[6]) if len(parts) > 6 else None
    return CardData(
        id_number=id_number,
        old_id_number=parts[1],
        name=title_name(parts[2]),
        birth_date=birth,
        gender=parts[4],
        address=parts[5],
        issued_on=issued,
    )
