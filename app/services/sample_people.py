"""Realistic, made-up Vietnamese applicants for the demo seeder and the benchmarks.

Pure standard library: no Qt, no database. Deterministic for a seed (only `random.Random(seed)` is
used, never the global generator), and fast: every table is turned into cumulative weights once, so
a draw is one `random()` and a bisect. A million people take a few seconds.

Nobody generated here is real: ID numbers, phones and addresses only *look* plausible (a real
province code, the gender/century digit and birth year of the person, a real mobile prefix).
"""

from __future__ import annotations

import random
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import accumulate


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _ascii(s: str) -> str:
    """"Nguyễn Đức" -> "nguyen duc" (for e-mail addresses)."""
    s = unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


class _Table:
    """A weighted table drawn with one random() and a bisect."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, pairs: Sequence[tuple[object, float]]):
        if not pairs:
            raise ValueError("empty weighted table")
        self.items = [p[0] for p in pairs]
        self.cum = list(accumulate(float(p[1]) for p in pairs))
        self.total = self.cum[-1]
        if self.total <= 0:
            raise ValueError("weights must sum to a positive number")

    def pick(self, rng: random.Random):
        return self.items[bisect_right(self.cum, rng.random() * self.total)]


def _table(pairs: Sequence[tuple[str, float]]) -> _Table:
    return _Table([(_nfc(k), w) for k, w in pairs])


# Surname shares (%), the commonly quoted national figures; the rest spread over less common names.
_SURNAMES = _table([
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 3), ("Huỳnh", 2), ("Phan", 4.5),
    ("Vũ", 2), ("Võ", 1.9), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3),
    ("Dương", 1), ("Lý", 0.5), ("Đào", 0.5), ("Đinh", 0.5), ("Trương", 0.5), ("Mai", 0.4), ("Trịnh", 0.4),
    ("Lâm", 0.4), ("Lương", 0.35), ("Hà", 0.35), ("Đoàn", 0.35), ("Cao", 0.3), ("Tạ", 0.25), ("Chu", 0.2),
    ("Lưu", 0.2), ("Tô", 0.2), ("Châu", 0.2), ("Phùng", 0.2), ("Thái", 0.15), ("Quách", 0.15),
    ("Kiều", 0.1), ("Triệu", 0.1), ("Vương", 0.1), ("Tăng", 0.1), ("Nông", 0.1), ("La", 0.1), ("Hứa", 0.1),
])

# Middle names: the traditional "Văn"/"Thị" dominate for older people and much less for the young.
_MALE_MIDDLE_OTHERS = [
    ("Hữu", 6), ("Đức", 6), ("Minh", 7), ("Quốc", 5), ("Công", 4), ("Thanh", 4), ("Ngọc", 2), ("Xuân", 3),
    ("Đình", 4), ("Quang", 4), ("Gia", 3), ("Hoàng", 3), ("Trung", 2), ("Thành", 3), ("Bá", 2), ("Duy", 3),
    ("Mạnh", 2), ("Tiến", 2), ("Anh", 2), ("Nhật", 2), ("Tấn", 3), ("Trọng", 2), ("Việt", 2),
]
_FEMALE_MIDDLE_OTHERS = [
    ("Ngọc", 7), ("Thanh", 5), ("Thu", 5), ("Thúy", 3), ("Kim", 4), ("Mai", 2), ("Hồng", 4), ("Phương", 3),
    ("Bảo", 3), ("Khánh", 3), ("Diệu", 2), ("Minh", 3), ("Hoài", 2), ("Mỹ", 3), ("Quỳnh", 2), ("Hải", 2),
    ("Thùy", 3), ("Bích", 3), ("Ánh", 2), ("Lan", 2), ("Tuyết", 1), ("Thảo", 2),
]
_MIDDLE = {
    ("Nam", False): _table([("Văn", 120)] + _MALE_MIDDLE_OTHERS),
    ("Nam", True): _table([("Văn", 25)] + _MALE_MIDDLE_OTHERS),
    ("Nữ", False): _table([("Thị", 160)] + _FEMALE_MIDDLE_OTHERS),
    ("Nữ", True): _table([("Thị", 30)] + _FEMALE_MIDDLE_OTHERS),
}
_SECOND_MIDDLE = {"Nam": _table(_MALE_MIDDLE_OTHERS), "Nữ": _table(_FEMALE_MIDDLE_OTHERS)}

_GIVEN = {
    "Nam": _table([
        ("Hùng", 5), ("Dũng", 5), ("Tuấn", 6), ("Anh", 6), ("Đạt", 4), ("Đức", 4), ("Minh", 6), ("Nam", 5),
        ("Hải", 5), ("Long", 5), ("Sơn", 4), ("Thắng", 4), ("Trung", 4), ("Phong", 3), ("Quân", 4),
        ("Huy", 5), ("Khoa", 3), ("Hiếu", 4), ("Tùng", 3), ("Cường", 4), ("Hoàng", 3), ("Bình", 4),
        ("Thành", 4), ("Phúc", 3), ("Tài", 3), ("Lộc", 3), ("Vinh", 3), ("Khánh", 3), ("Toàn", 2), ("Hưng", 3),
        ("Thịnh", 2), ("Nghĩa", 3), ("Quang", 3), ("Kiên", 2), ("Hậu", 2), ("Tâm", 2), ("Trí", 2), ("Bảo", 3),
        ("Tú", 2), ("Lâm", 2), ("Việt", 2), ("Dương", 2), ("Thiện", 2), ("Tín", 2), ("Nhân", 2), ("Thanh", 2),
    ]),
    "Nữ": _table([
        ("Hường", 3), ("Lan", 5), ("Phương", 5), ("Anh", 6), ("Ngọc", 4), ("Yến", 4), ("Nhung", 3),
        ("Hương", 6), ("Hà", 5), ("Linh", 6), ("Trang", 6), ("Thảo", 5), ("Mai", 4), ("Hạnh", 4), ("Hoa", 4),
        ("Huyền", 4), ("Thủy", 4), ("Nga", 3), ("Hằng", 4), ("Loan", 2), ("Oanh", 2), ("Thu", 3), ("Vân", 3),
        ("Hiền", 3), ("Trâm", 2), ("Vy", 3), ("Nhi", 3), ("My", 2), ("Tuyết", 2), ("Dung", 3), ("Liên", 2),
        ("Quyên", 2), ("Hồng", 3), ("Giang", 3), ("Thư", 3), ("Uyên", 2), ("Chi", 2), ("Châu", 2),
        ("Nhàn", 2), ("Xuân", 2), ("Lệ", 1), ("Duyên", 2), ("Diễm", 1), ("Tâm", 2),
    ]),
}

# CCCD place-of-birth codes (the 63 former provinces; still what is printed in the number).
_PROVINCE_CODES = (
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037 038 "
    "040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 080 082 "
    "083 084 086 087 089 091 092 093 094 095 096"
).split()
# Home codes of a few provinces (after the 2025 merger a province may span several old codes).
_HOME_CODES = {
    "hà nội": ("001",), "hồ chí minh": ("079", "074", "077"), "đồng nai": ("075", "070"),
    "đà nẵng": ("048", "049"), "hải phòng": ("031", "030"), "cần thơ": ("092", "093", "094"),
    "huế": ("046",), "nghệ an": ("040",), "thanh hóa": ("038",), "khánh hòa": ("056", "058"),
    "lâm đồng": ("068", "067", "060"), "đắk lắk": ("066", "054"), "gia lai": ("064", "052"),
    "an giang": ("089", "091"), "tây ninh": ("072", "080"), "bắc ninh": ("027", "024"),
}

# Mobile prefixes in use: Viettel, VinaPhone, MobiFone, Vietnamobile, Gmobile.
_PHONE_PREFIXES = _Table([(p, w) for ps, w in (
    ("032 033 034 035 036 037 038 039 086 096 097 098", 4.5),  # Viettel
    ("081 082 083 084 085 088 091 094", 3.5),  # VinaPhone
    ("070 076 077 078 079 089 090 093", 3.0),  # MobiFone
    ("052 056 058 092", 0.6),  # Vietnamobile
    ("059 099", 0.3),  # Gmobile
) for p in ps.split()])

_EMAIL_DOMAINS = _Table([("gmail.com", 85), ("yahoo.com", 6), ("outlook.com", 4), ("icloud.com", 3),
                         ("hotmail.com", 2)])

_SOUTH = ("hồ chí minh", "đồng nai", "tây ninh", "cần thơ", "an giang", "vĩnh long", "đồng tháp", "cà mau",
          "long an", "bình dương", "bà rịa", "tiền giang", "bến tre", "sóc trăng", "bạc liêu", "kiên giang",
          "trà vinh", "hậu giang", "bình phước")
_HAMLET_NAMES = [_nfc(x) for x in (
    "Đông", "Tây", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "Tân Lập", "Tân Thành", "Phú Lợi", "Hòa Bình",
    "An Phú", "Bình Minh", "Thống Nhất", "Quyết Thắng", "Hưng Thịnh", "Phước Hòa", "Long Đức", "Cây Da",
    "Bàu Sen", "Xuân Tây", "Gia Yên", "Thanh Sơn", "Suối Cát",
)]
_OTHER_COMMUNES = [_nfc(x) for x in (
    "xã Tân Phú", "xã Xuân Lộc", "xã Phú Hòa", "xã Bình An", "phường Long Bình", "xã An Thạnh", "xã Hưng Lộc",
    "phường Tam Hiệp", "xã Thanh Sơn", "xã Định Quán", "xã Long Phước", "phường Bình Lộc",
)]


@dataclass(frozen=True)
class Person:
    name: str
    gender: str  # "Nam" / "Nữ"
    birth_date: date
    id_number: str  # 12-digit CCCD
    phone: str  # 10 digits, starts with 0
    email: str  # "" for most people
    address: str


class PeopleGenerator:
    """Deterministic stream of plausible applicants living mostly in `commune`, `province`.

    ID numbers are distinct for the first 1,000,000 people of a generator (the 6-digit serial runs
    through a permutation of 0..999999); birth dates fall between ages `min_age` and `max_age` on
    `reference_date` (fixed, so the output never depends on today's date).
    """

    def __init__(self, seed: int = 0, *, commune: str = "xã Tân Hưng", province: str = "tỉnh Đồng Nai",
                 reference_date: date = date(2026, 1, 1), min_age: int = 18, max_age: int = 85,
                 local_share: float = 0.85, email_share: float = 0.15):
        self._rng = random.Random(seed)
        self.commune = _nfc(commune)
        self.province = _nfc(province)
        key = self.province.lower()
        home = next((codes for name, codes in _HOME_CODES.items() if name in key), ())
        pairs = [(c, 1.0) for c in _PROVINCE_CODES]
        if home:  # most applicants were born in the province, the rest anywhere
            pairs += [(c, 3.0 * len(_PROVINCE_CODES) / len(home)) for c in home]
        self._places = _Table(pairs)
        self._hamlet_word = "ấp" if any(s in key for s in _SOUTH) else "thôn"
        self._other_communes = [c for c in _OTHER_COMMUNES if c != self.commune]
        self._local_share = local_share
        self._email_share = email_share
        # Birth dates: ordinals between the oldest and youngest allowed, more weight on working ages.
        ref = reference_date
        self._youngest = date(ref.year - min_age, 1, 1).toordinal() - 1
        self._oldest = date(ref.year - max_age, 1, 1).toordinal()
        self._span = self._youngest - self._oldest
        self._serial_mult = 618_033  # odd, not a multiple of 5: a bijection modulo 10**6
        self._serial_salt = self._rng.randrange(1_000_000)
        self._count = 0

    # One person --------------------------------------------------------------------------------
    def person(self) -> Person:
        rng = self._rng
        r = rng.random
        gender = "Nam" if r() < 0.5 else "Nữ"
        # Ages: a triangular-ish bias towards 25–55 (two uniforms averaged), clipped to the span.
        born = date.fromordinal(self._oldest + int((r() + r()) * 0.5 * self._span))
        young = born.year >= 1985
        surname = _SURNAMES.pick(rng)
        middle = _MIDDLE[gender, young].pick(rng)
        if middle in ("Thị", "Văn") and r() < (0.3 if gender == "Nữ" else 0.12):
            middle = f"{middle} {_SECOND_MIDDLE[gender].pick(rng)}"  # "Thị Thu Hương", "Văn Minh Tuấn"
        given = _GIVEN[gender].pick(rng)
        if middle.endswith(given):  # "Minh Minh": pick again once
            given = _GIVEN[gender].pick(rng)
        name = f"{surname} {middle} {given}"

        century = 0 if born.year < 2000 else 2
        serial = (self._count * self._serial_mult + self._serial_salt) % 1_000_000
        self._count += 1
        id_number = (f"{self._places.pick(rng)}{century + (gender == 'Nữ')}{born.year % 100:02d}"
                     f"{serial:06d}")
        phone = f"{_PHONE_PREFIXES.pick(rng)}{int(r() * 10_000_000):07d}"

        email = ""
        if r() < self._email_share:
            email = self._email(rng, surname, middle, given, born)

        if r() < self._local_share:
            commune = self.commune
        else:
            commune = self._other_communes[int(r() * len(self._other_communes))]
        if commune.startswith("phường"):
            place = f"khu phố {1 + int(r() * 12)}"
        else:
            place = f"{self._hamlet_word} {_HAMLET_NAMES[int(r() * len(_HAMLET_NAMES))]}"
        if r() < 0.6:
            address = f"Số {1 + int(r() * 250)}, tổ {1 + int(r() * 15)}, {place}, {commune}, {self.province}"
        else:
            address = f"Tổ {1 + int(r() * 15)}, {place}, {commune}, {self.province}"
        return Person(name, gender, born, id_number, phone, email, address)

    def people(self, n: int) -> Iterator[Person]:
        person = self.person
        for _ in range(n):
            yield person()

    @staticmethod
    def _email(rng: random.Random, surname: str, middle: str, given: str, born: date) -> str:
        s, m, g = _ascii(surname), _ascii(middle).split(), _ascii(given)
        style = int(rng.random() * 4)
        if style == 0:
            local = f"{g}{s[0]}{''.join(x[0] for x in m)}{born.year % 100:02d}"
        elif style == 1:
            local = f"{s}{''.join(m)}{g}{born.year}"
        elif style == 2:
            local = f"{g}.{s}{int(rng.random() * 1000)}"
        else:
            local = f"{s}{g}{born.day:02d}{born.month:02d}"
        return f"{local}@{_EMAIL_DOMAINS.pick(rng)}"


def weighted_choice_table(procedures: list[dict]) -> Callable[[random.Random], dict]:
    """A picker that draws a procedure dict in proportion to its "frequency".

    Procedures without a positive frequency are never drawn; if none has one, all are equally likely.
    """
    if not procedures:
        raise ValueError("no procedures to choose from")
    pairs = [(p, float(p.get("frequency") or 0)) for p in procedures]
    pairs = [(p, w) for p, w in pairs if w > 0] or [(p, 1.0) for p in procedures]
    table = _Table(pairs)
    return table.pick
