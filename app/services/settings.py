"""Office settings (names on the forms, agency code, office hours, lookup URL) and this device."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.calendar import CalendarDay, DayKind, OfficeHours, WorkCalendar
from app.domain.rating import DEFAULT_REASONS, MAX_REASON_LENGTH, MAX_REASONS
from app.domain.text import nfc
from app.eventlog import DeviceContext, append, find_local_device
from app.eventlog.payloads import SettingsChanged
from app.eventlog.registry import SETTINGS, reference_stream
from app.services.errors import ServiceError
from app.services.inputs import clean
from db.models import CalendarDayRow, Setting

DEFAULTS: dict[str, object] = {
    "agency_code": "000.00.00.H00",
    "parent_body": "Ủy ban nhân dân xã",
    "center_name": "Trung tâm Phục vụ hành chính công xã",
    "place_name": "",
    "commune_name": "",
    "province_name": "",
    "office_hours": {"morning": ["07:00", "11:30"], "afternoon": ["13:30", "17:00"], "same_day_cutoff": "15:00"},
    "lookup_url_template": "",
    "contact_phone": "",  # the counter's phone, printed on form 02 for questions
    "paper_size": "A4",
    "receipt_copies": 2,
    # satisfaction ratings and the kiosk (README: "The rating kiosk")
    "rating_scale": 3,  # 3 levels (Rất hài lòng / Hài lòng / Không hài lòng) or 5
    "rating_reasons": list(DEFAULT_REASONS),  # tags offered after a low score (at most 8)
    "rating_after": "return",  # "return": rate after the result is returned; "intake": after the receipt too
    "kiosk_idle_seconds": 45,  # back to the welcome screen after this long untouched
    "kiosk_invite_minutes": 5,  # how long a counter's "Mời đánh giá" waits at the kiosk
    "kiosk_pin": "",  # argon2 hash of the staff PIN that lets staff leave the kiosk; never the PIN itself
    "kiosk_pin_tries": 5,  # wrong PINs in a row before the kiosk locks the PIN pad…
    "kiosk_pin_lock_minutes": 5,  # …for this long
    "kiosk_counters": {},  # kiosk slot -> the counter slot whose invitations it shows ({}: the same number)
    "kiosk_link_port": 0,  # TCP port a counter listens on for kiosks on other PCs (0: not listening)
    # the day book (Sổ theo dõi hồ sơ, closing days): when the day's pages are archived, where, who closes
    "daybook_close_time": "17:30",
    "daybook_archive_dir": "",  # "": a folder "so-theo-doi" beside the database file
    "daybook_closer_role": "clerk",  # "clerk": any clerk or leader may close a day; "leader": leaders only
    "daybook_signer_title": "Lãnh đạo đơn vị",
    "daybook_signer_name": "",
    "daybook_start": "",  # YYYY-MM-DD: the first day kept as day book pages ("": the device's first day)
}


PIN_SET = "(đã đặt)"
PIN_LENGTH = (4, 8)


def _t(text: str) -> time:
    h, m = text.split(":")
    return time(int(h), int(m))


@dataclass(frozen=True)
class OfficeSettings:
    agency_code: str
    parent_body: str
    center_name: str
    place_name: str
    commune_name: str
    province_name: str
    office_hours: dict
    lookup_url_template: str
    contact_phone: str
    paper_size: str
    receipt_copies: int
    rating_scale: int
    daybook_close_time: str = "17:30"
    daybook_archive_dir: str = ""
    daybook_closer_role: str = "clerk"
    daybook_signer_title: str = "Lãnh đạo đơn vị"
    daybook_signer_name: str = ""
    daybook_start: str = ""
    rating_reasons: list = field(default_factory=lambda: list(DEFAULT_REASONS))
    rating_after: str = "return"
    kiosk_idle_seconds: int = 45
    kiosk_invite_minutes: int = 5
    kiosk_pin: str = ""
    kiosk_pin_tries: int = 5
    kiosk_pin_lock_minutes: int = 5
    kiosk_counters: dict = field(default_factory=dict)
    kiosk_link_port: int = 0
    raw: dict = field(default_factory=dict, compare=False)

    def hours(self) -> OfficeHours:
        oh = self.office_hours
        return OfficeHours(
            morning_start=_t(oh["morning"][0]),
            morning_end=_t(oh["morning"][1]),
            afternoon_start=_t(oh["afternoon"][0]),
            afternoon_end=_t(oh["afternoon"][1]),
            same_day_cutoff=_t(oh.get("same_day_cutoff", "15:00")),
        )

    def lookup_url(self, code: str) -> str | None:
        template = self.lookup_url_template
        return template.replace("{code}", code) if template else None


def load_settings(s: Session) -> OfficeSettings:
    values = dict(DEFAULTS)
    values.update({row.key: row.value for row in s.scalars(select(Setting))})
    known = {k: values[k] for k in DEFAULTS}
    shown = {**values, "kiosk_pin": PIN_SET if values.get("kiosk_pin") else ""}  # never even the hash
    return OfficeSettings(**known, raw=shown)


def save_settings(s: Session, device: DeviceContext, values: dict[str, object], *, at,
                  actor_id: str | None = None) -> None:
    """Record new office settings as an event of `device` (they reach the commune's other devices by sync)."""
    unknown = set(values) - set(DEFAULTS)
    if unknown:
        raise ServiceError(f"Không có thiết lập tên {', '.join(sorted(unknown))}.")
    if values:
        append(s, device, SettingsChanged(values=values), stream_id=reference_stream(SETTINGS, device.agency_code),
               actor_id=actor_id, occurred_at=at)


def office_calendar(s: Session, settings: OfficeSettings | None = None, *, on: date | None = None) -> WorkCalendar:
    """The statutory calendar plus this office's own off-days and make-up days, in its office hours: the
    decisions in effect on day `on` (a deadline computed that day), or every decision known when `on` is None
    (looking ahead: which coming days are off)."""
    settings = settings or load_settings(s)
    q = select(CalendarDayRow).order_by(CalendarDayRow.day, CalendarDayRow.effective_from)
    if on is not None:
        q = q.where(CalendarDayRow.effective_from <= on)
    latest: dict[date, CalendarDayRow] = {}
    for row in s.scalars(q):
        latest[row.day] = row  # the latest effective decision for the day wins
    extra = [CalendarDay(row.day, DayKind(row.kind), row.reason) for row in latest.values() if row.kind != "none"]
    return WorkCalendar(extra, settings.hours())


def this_device(s: Session, kind: str = "counter", slot: int | None = None) -> DeviceContext:
    device = find_local_device(s, kind, slot)
    if device is None:
        raise ServiceError(
            "Máy này chưa được đăng ký với đơn vị (chưa có số hiệu máy). "
            "Hãy chạy “motcua admin setup” hoặc “motcua demo”."
        )
    return device


@dataclass(frozen=True)
class OfficeInfo:
    """What a window shows about where it runs: the office's settings and this device."""

    settings: OfficeSettings
    device_id: str
    device_name: str
    slot: int


def office_info(db) -> OfficeInfo:
    device = db.device
    with db.reading() as s:
        settings = load_settings(s)
    return OfficeInfo(settings, device.device_id, device.name, device.slot)


def read_settings(db) -> OfficeSettings:
    with db.reading() as s:
        return load_settings(s)


def calendar_of(db, *, on: date | None = None) -> WorkCalendar:
    """The office's working calendar (statutory days, its own days, its office hours), with the decisions in
    effect on day `on` (None: every decision known)."""
    with db.reading() as s:
        return office_calendar(s, on=on)


def kiosk_key(key: str) -> bool:
    """Settings of the rating kiosk and of ratings, which a leader may change too."""
    return key.startswith(("kiosk_", "rating_"))


def update_settings(db, changes: dict[str, str], *, actor_id: str | None) -> OfficeSettings:
    """Change office settings from text (the admin command, the administration window): an administrator's
    (a leader's too for the kiosk's keys); checks each value, then saves them together."""
    import json

    from app.services.access import Permission, require_account

    with db.reading() as s:
        require_account(s, actor_id, Permission.KIOSK_SETTINGS if changes and all(map(kiosk_key, changes))
                        else Permission.ADMINISTER)
    parsed: dict[str, object] = {}
    for key, text in changes.items():
        if key not in DEFAULTS:
            raise ServiceError(f"Không có thiết lập “{key}”. Các thiết lập: {', '.join(sorted(DEFAULTS))}.")
        if key == "paper_size":
            if text.upper() not in ("A4", "A5"):
                raise ServiceError("Khổ giấy in giấy hẹn chỉ là A4 hoặc A5.")
            parsed[key] = text.upper()
        elif key in ("receipt_copies", "rating_scale"):
            allowed = {"receipt_copies": (1, 2, 3), "rating_scale": (3, 5)}[key]
            if not text.isdigit() or int(text) not in allowed:
                raise ServiceError(f"“{key}” phải là một trong {', '.join(map(str, allowed))}.")
            parsed[key] = int(text)
        elif key == "office_hours":
            try:
                hours = json.loads(text)
                OfficeSettings(**{**{k: DEFAULTS[k] for k in DEFAULTS}, "office_hours": hours}).hours()
            except (ValueError, KeyError, TypeError, IndexError) as exc:
                raise ServiceError(
                    'Giờ làm việc phải có dạng {"morning": ["07:00", "11:30"], "afternoon": ["13:30", "17:00"], '
                    '"same_day_cutoff": "15:00"}' + f" ({exc}).") from exc
            parsed[key] = hours
        elif key == "lookup_url_template":
            if text and "{code}" not in text:
                raise ServiceError("Mẫu địa chỉ tra cứu phải chứa {code} (chỗ điền mã hồ sơ).")
            parsed[key] = text
        elif key == "daybook_close_time":
            try:
                _t(text.strip())
            except ValueError as exc:
                raise ServiceError("Giờ chốt sổ phải có dạng giờ:phút, ví dụ 17:30.") from exc
            parsed[key] = f"{_t(text.strip()):%H:%M}"
        elif key == "daybook_start":
            try:
                parsed[key] = date.fromisoformat(text.strip()).isoformat() if text.strip() else ""
            except ValueError as exc:
                raise ServiceError("Ngày bắt đầu ghi sổ theo ngày phải có dạng YYYY-MM-DD, ví dụ 2026-11-02.") from exc
        elif key == "daybook_closer_role":
            if text.strip() not in ("clerk", "leader"):
                raise ServiceError("Người được chốt sổ: “clerk” (cán bộ tiếp nhận và lãnh đạo) "
                                   "hoặc “leader” (chỉ lãnh đạo).")
            parsed[key] = text.strip()
        elif key in KIOSK_PARSERS:
            parsed[key] = KIOSK_PARSERS[key](text)
        elif key == "agency_code":
            raise ServiceError("Mã cơ quan nằm trong mọi mã hồ sơ đã cấp; không đổi được sau khi thiết lập.")
        else:
            value, problem = clean(text, "setting", label=f"Thiết lập “{key}”")
            if problem:
                raise ServiceError(problem)
            parsed[key] = value
    with db.transaction() as s:
        save_settings(s, db.device, parsed, at=db.clock(), actor_id=actor_id)
        return load_settings(s)


# --- the kiosk's settings, from text (the admin command and the counter's settings dialog) -------------------


def _int_in(key: str, low: int, high: int, what: str):
    def parse(text: str) -> int:
        t = text.strip()
        if not t.isdigit() or not low <= int(t) <= high:
            raise ServiceError(f"{what} phải là số nguyên từ {low} đến {high}.")
        return int(t)

    parse.__name__ = f"parse_{key}"
    return parse


def parse_reasons(text: str) -> list[str]:
    """Reason tags as a JSON list or separated by ";": each a short phrase, at most MAX_REASONS of them."""
    import json

    t = text.strip()
    try:
        items = json.loads(t) if t.startswith("[") else t.split(";")
    except ValueError as exc:
        raise ServiceError("Lý do phải là danh sách JSON hoặc các cụm từ cách nhau bởi dấu ;") from exc
    tags = list(dict.fromkeys(nfc(str(x)) for x in items if nfc(str(x))))
    if not 1 <= len(tags) <= MAX_REASONS:
        raise ServiceError(f"Cần từ 1 đến {MAX_REASONS} lý do (máy đánh giá hiện tất cả trên một màn hình).")
    long = [x for x in tags if len(x) > MAX_REASON_LENGTH]
    if long:
        raise ServiceError(f"Mỗi lý do tối đa {MAX_REASON_LENGTH} ký tự: “{long[0]}” dài quá.")
    return tags


def parse_counters(text: str) -> dict[str, int]:
    """Which counter each kiosk serves: JSON ({"1": 1, "2": 3}) or "1:1,2:3" (kiosk slot: counter slot)."""
    import json

    t = text.strip()
    try:
        pairs = json.loads(t) if t.startswith("{") else dict(x.split(":", 1) for x in t.split(",") if x.strip())
        out = {str(int(str(k).strip())): int(str(v).strip()) for k, v in pairs.items()}
    except (ValueError, TypeError, AttributeError) as exc:
        raise ServiceError("Máy đánh giá của quầy phải có dạng 1:1,2:3 (số máy đánh giá: số hiệu quầy).") from exc
    if any(not 1 <= int(k) <= 9 or not 1 <= v <= 9 for k, v in out.items()):
        raise ServiceError("Số máy đánh giá và số hiệu quầy là số từ 1 đến 9.")
    return out


def hash_pin(text: str) -> str:
    """The staff PIN as an argon2 hash (the PIN itself is never stored, shown or logged)."""
    from app.services.users import password_hasher

    pin = text.strip()
    low, high = PIN_LENGTH
    if not pin.isdigit() or not low <= len(pin) <= high:
        raise ServiceError(f"Mã PIN của máy đánh giá gồm {low} đến {high} chữ số.")
    return password_hasher().hash(pin)


def parse_after(text: str) -> str:
    t = text.strip()
    if t not in ("return", "intake"):
        raise ServiceError("Mời đánh giá sau khi: “return” (trả kết quả) hoặc “intake” (tiếp nhận và trả kết quả).")
    return t


def parse_port(text: str) -> int:
    t = text.strip()
    if not t.isdigit() or not (int(t) == 0 or 1024 <= int(t) <= 65535):
        raise ServiceError("Cổng kết nối máy đánh giá là 0 (tắt) hoặc một số từ 1024 đến 65535.")
    return int(t)


KIOSK_PARSERS = {
    "rating_reasons": parse_reasons,
    "rating_after": parse_after,
    "kiosk_idle_seconds": _int_in("kiosk_idle_seconds", 15, 600, "Thời gian chờ của máy đánh giá (giây)"),
    "kiosk_invite_minutes": _int_in("kiosk_invite_minutes", 1, 60, "Thời gian chờ lời mời đánh giá (phút)"),
    "kiosk_pin": hash_pin,
    "kiosk_pin_tries": _int_in("kiosk_pin_tries", 3, 10, "Số lần nhập sai mã PIN"),
    "kiosk_pin_lock_minutes": _int_in("kiosk_pin_lock_minutes", 1, 60, "Thời gian khóa sau khi nhập sai (phút)"),
    "kiosk_counters": parse_counters,
    "kiosk_link_port": parse_port,
}
