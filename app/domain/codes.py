"""The dossier code <agency>-<yyMMdd>-<slot><nnn> and the logbook volume: the one place for both formats."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MAX_PER_DAY = 999
CODE_RE = re.compile(r"^(?P<agency>[0-9A-Za-z.]{1,13})-(?P<ymd>\d{6})-(?P<slot>[1-9])(?P<n>\d{3})$")
_CODE_INSIDE = re.compile(r"(?<![0-9A-Za-z.])[0-9A-Za-z.]{1,13}-\d{6}-[1-9]\d{3}(?!\d)")


class CodeError(ValueError):
    pass


@dataclass(frozen=True)
class DossierCode:
    agency: str
    day: date
    slot: int
    number: int

    def __str__(self) -> str:
        return format_code(self.agency, self.day, self.slot, self.number)


# The receiving unit's electronic identifier (QCVN 102:2016): four levels, e.g. 000.17.22.H56 (a commune),
# 000.00.22.H56 (its former district), 000.00.00.H56 (the province); digits and capital letters.
AGENCY_RE = re.compile(r"^[0-9A-Z]{3}(\.[0-9A-Z]{2}){2}\.[0-9A-Z]{3}$")


def agency_code_problem(code: str) -> str | None:
    """Why `code` is not an agency code a dossier code can start with, in Vietnamese; None when it is."""
    if AGENCY_RE.match(code or ""):
        return None
    return (f"Mã định danh điện tử “{code}” không đúng dạng QCVN 102:2016: bốn nhóm 3, 2, 2 và 3 ký tự (chữ số, "
            "chữ in hoa) cách nhau bởi dấu chấm, ví dụ 000.17.22.H56. Mã này in trong mọi mã hồ sơ và không đổi "
            "được sau khi thiết lập: hãy lấy đúng mã của đơn vị từ Sở Khoa học và Công nghệ / Văn phòng UBND tỉnh.")


def format_code(agency: str, day: date, slot: int, number: int) -> str:
    if not 1 <= slot <= 9:
        raise CodeError(f"Số hiệu máy (slot) phải từ 1 đến 9, đang là {slot}.")
    if not 1 <= number <= MAX_PER_DAY:
        raise CodeError(
            f"Máy này đã cấp đủ {MAX_PER_DAY} mã hồ sơ trong ngày {day:%d/%m/%Y}; "
            "hãy tiếp nhận tiếp ở máy khác của đơn vị."
        )
    return f"{agency}-{day:%y%m%d}-{slot}{number:03d}"


def parse_code(text: str) -> DossierCode | None:
    """The code read from a barcode or typed; None if it is not shaped like one."""
    m = CODE_RE.match(text.strip())
    if not m:
        return None
    ymd = m["ymd"]
    try:
        day = date(2000 + int(ymd[:2]), int(ymd[2:4]), int(ymd[4:]))
    except ValueError:
        return None
    return DossierCode(m["agency"], day, int(m["slot"]), int(m["n"]))


def find_code(text: str) -> str | None:
    """A dossier code inside other text (the receipt's QR holds the lookup URL ending in the code)."""
    for m in _CODE_INSIDE.finditer(text or ""):
        if parse_code(m.group(0)):
            return m.group(0)
    return None


def volume_label(slot: int, year: int) -> str:
    """Quyển số of a device's logbook for a year: one volume per device per year ("1/2026")."""
    return f"{slot}/{year}"


def day_counter_name(day: date) -> str:
    return f"code:{day:%Y%m%d}"


def book_counter_name(year: int) -> str:
    return f"book:{year}"
