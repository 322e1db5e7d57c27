"""What a scanner just read, told from its content alone: a receipt's Code128 (the dossier code), the
receipt's QR (the lookup URL holding the code), or the QR on a chip ID card (CCCD)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from app.domain.codes import find_code, parse_code

# 12-digit CCCD (or 9-digit CMND) then at least five more "|"-separated fields (DOMAIN §10)
_CARD = re.compile(r"^\s*\d{9}(?:\d{3})?\s*\|(?:[^|]*\|){4,}[^|]*$", re.S)


class ScanKind(StrEnum):
    DOSSIER = "dossier"  # a receipt: open that dossier
    CARD = "card"        # a citizen's ID card: fill the applicant fields
    OTHER = "other"      # anything else (a product barcode, …): say so, without repeating it


@dataclass(frozen=True)
class Scan:
    kind: ScanKind
    code: str = ""  # the dossier code, for DOSSIER
    text: str = ""  # what was read, for CARD (to parse) — never shown back in a message


def classify_scan(text: str) -> Scan:
    """The kind of a scanned text; a receipt code also when it sits inside the receipt QR's URL."""
    t = (text or "").replace("\r", "").replace("\n", "").strip()
    if parse_code(t):
        return Scan(ScanKind.DOSSIER, code=t)
    if _CARD.match(t):
        return Scan(ScanKind.CARD, text=t)
    code = find_code(t)
    if code and ("/" in t or "=" in t):  # a URL or a query holding the code
        return Scan(ScanKind.DOSSIER, code=code)
    return Scan(ScanKind.OTHER)
