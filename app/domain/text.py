"""Text rules: NFC on entry, and the accent-free search key."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(text: str | None) -> str:
    """Normalise typed or scanned text: NFC (Vietnamese IMEs may send NFD), trimmed, single spaces."""
    if not text:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def search_key(text: str | None) -> str:
    """Casefolded, marks stripped, đ→d: "Nguyễn Thị Hường" -> "nguyen thi huong"."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFC", text).casefold().replace("đ", "d")
    # full-width or Arabic-Indic digits (old data, scanned text) match the ASCII digits people type
    folded = "".join(str(unicodedata.decimal(c)) if c.isdecimal() and not c.isascii() else c for c in folded)
    stripped = "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip()


def title_name(text: str) -> str:
    """A person's name as printed: each word capitalised ("nguyễn thị hường" -> "Nguyễn Thị Hường")."""
    return " ".join(w[:1].upper() + w[1:].lower() for w in nfc(text).split(" ") if w)


# What a template leaves for the clerk to fill in: "[tên xã]", or an ellipsis ("…", "...").
TEMPLATE_GAP = re.compile(r"\[[^\]]*\]|…|\.{3,}")


def template_gap(text: str | None) -> str | None:
    """Why a text cannot be printed yet: it still holds a blank of the template it started from; None if not."""
    m = TEMPLATE_GAP.search(text or "")
    if m is None:
        return None
    return (f"Nội dung còn chỗ trống của câu mẫu (“{m.group(0)}”): hãy viết cho đúng trường hợp của công dân "
            "rồi ghi nhận.")
