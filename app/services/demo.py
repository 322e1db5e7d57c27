"""A demo commune: settings, catalogue, staff, this device and weeks of realistic dossiers."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta

from app.domain.calendar import TZ
from app.domain.deadline import add_working_minutes
from app.services import lifecycle as lc
from app.services.catalogue import all_procedures
from app.services.database import Database
from app.services.dossiers import get_dossier
from app.services.reception import PaperInput, Received, ReceptionForm, receive_dossier
from app.services.sample_people import PeopleGenerator
from app.services.settings import office_calendar
from app.services.setup import StaffAccount, initialise_office
from app.services.users import UserInfo

DEMO_SETTINGS = {
    "agency_code": "000.21.35.H26",
    "parent_body": "Ủy ban nhân dân xã Tân Hưng",
    "center_name": "Trung tâm Phục vụ hành chính công xã Tân Hưng",
    "place_name": "Tân Hưng",
    "commune_name": "xã Tân Hưng",
    "province_name": "tỉnh Đồng Nai",
    "lookup_url_template": "http://127.0.0.1:8080/tra-cuu/{code}",
    "contact_phone": "0251 3861 234",
}
DEMO_CLERK = "canbo"  # the one account that may act without a password, and only in a demo file
DEMO_KIOSK_PIN = "2468"  # the demo kiosk's staff PIN (a real office sets its own: motcua admin kiosk-pin)
DEMO_COMMENTS = (
    "Phải chờ lâu quá mới đến lượt",
    "Hẹn trả kết quả nhưng đến nơi vẫn chưa có",
    "Cán bộ hướng dẫn chưa rõ, phải về bổ sung giấy tờ hai lần",
    "Nơi ngồi chờ chật và nóng",
    "Mong cán bộ giải thích kỹ hơn cho người lớn tuổi",
)
DEMO_STAFF = [
    StaffAccount("canbo", "Trần Thị Mai", "motcua123", "clerk", "Công chức Văn phòng - Thống kê"),
    StaffAccount("hotich", "Lê Văn Đức", "motcua123", "specialist", "Công chức Tư pháp - Hộ tịch", "Tư pháp - Hộ tịch"),
    StaffAccount("diachinh", "Nguyễn Hữu Phước", "motcua123", "specialist", "Công chức Địa chính - Xây dựng",
                 "Địa chính - Xây dựng"),
    StaffAccount("lanhdao", "Phạm Quốc Hùng", "motcua123", "leader", "Phó Chủ tịch UBND xã"),
    StaffAccount("quantri", "Võ Minh Tâm", "motcua123", "admin", "Quản trị hệ thống"),
]


def seed_demo(db: Database, *, dossiers: int = 300, days: int = 40, seed: int = 2026,
              progress: Callable[[int, int], None] | None = None) -> int:
    """Set up the demo office and receive `dossiers` dossiers spread over the last `days` working days.

    Each dossier goes through the real reception service (events, codes, logbook), with the clock set
    to its reception time, so the demo data is what a real counter would hold.
    """
    real_clock = db.clock
    users = initialise_office(db, settings=DEMO_SETTINGS, slot=1, device_name="Quầy 1", staff=DEMO_STAFF, demo=True)
    clerk: UserInfo = users[0]
    specialists = [u for u in users if u.role in ("specialist", "leader")]
    procedures = all_procedures(db)
    weights = [max(p.frequency, 0.001) for p in procedures]
    with db.reading() as s:
        cal = office_calendar(s)
    rng = random.Random(seed)
    people = PeopleGenerator(seed)
    today = real_clock().astimezone(TZ).date()
    work_days = []
    d = today - timedelta(days=1)
    while len(work_days) < days:
        if cal.is_working_day(d):
            work_days.append(d)
        d -= timedelta(days=1)
    work_days.reverse()
    slots = []
    for _ in range(dossiers):
        day = rng.choice(work_days)
        minute = rng.choice([rng.randint(7 * 60 + 10, 11 * 60 + 20), rng.randint(13 * 60 + 35, 16 * 60 + 50)])
        slots.append(datetime.combine(day, time(minute // 60, minute % 60), TZ))
    slots.sort()
    made = 0
    try:
        for at in slots:
            proc = rng.choices(procedures, weights)[0]
            person = people.person()
            db.clock = lambda at=at: (at + timedelta(minutes=2)).astimezone(TZ)
            form = ReceptionForm(
                procedure_code=proc.code, applicant_name=person.name, phone=person.phone,
                id_number=person.id_number, birth_date=person.birth_date, address=person.address,
                email=person.email,
                papers=[PaperInput(p.name, p.original, p.copy, p.count) for p in proc.papers if p.required],
                channel=rng.choices(["direct", "post", "online"], [85, 5, 10])[0], received_at=at,
            )
            received = receive_dossier(db, form=form, clerk=clerk)
            _live(db, received, rng, real_clock(), clerk, specialists)
            made += 1
            if progress:
                progress(made, len(slots))
        _rate(db, rng, real_clock(), clerk)
    finally:
        db.clock = real_clock
    return made


def _rate(db: Database, rng: random.Random, now: datetime, clerk: UserInfo) -> None:
    """Citizens rate most returned dossiers at the kiosk of counter 1, a few minutes after the return: about
    two thirds invited by the clerk, the rest by scanning the receipt; most satisfied, a late result often
    not, low scores with reasons and sometimes a comment."""
    from sqlalchemy import select

    from app.domain.lifecycle import verdict
    from app.services.ratings import (
        check_scanned,
        invite,
        kiosk_device_in,
        new_rating_id,
        open_invitation,
        record_rating,
        record_reasons,
    )
    from app.services.settings import update_settings
    from db.models import Dossier

    kiosk_device_in(db)
    update_settings(db, {"kiosk_pin": DEMO_KIOSK_PIN})
    kiosk = Database(db.path, device_kind="kiosk")
    try:
        with db.reading() as s:
            done = [(d.code, d.returned_at, verdict(d.result_at, d.original_due_at))
                    for d in s.scalars(select(Dossier).where(Dossier.status == "returned").order_by(Dossier.returned_at))]
        reasons = ("Chậm trễ", "Hướng dẫn không rõ", "Thái độ chưa tốt", "Phải đi lại nhiều lần", "Chờ đợi lâu")
        for code, returned_at, judged in done:
            at = returned_at + timedelta(minutes=rng.randint(1, 4))
            if rng.random() > 0.78 or at >= now:
                continue  # not every citizen stops at the kiosk
            late = judged is not None and judged.value == "late"
            roll = rng.random()
            level = ("dissatisfied" if roll < (0.5 if late else 0.06) else
                     "satisfied" if roll < (0.8 if late else 0.4) else "very_satisfied")
            db.clock = kiosk.clock = lambda at=at: at
            if rng.random() < 0.65:
                invite(db, code, clerk=clerk)
                target = open_invitation(kiosk, 1)
            else:
                target = check_scanned(kiosk, code).target
            if target is None:
                continue
            kiosk.clock = lambda at=at: at + timedelta(seconds=rng.randint(8, 40))
            rid = record_rating(kiosk, target, level, rating_id=new_rating_id(), scale=3)
            if level == "dissatisfied" and rng.random() < 0.8:
                tags = ["Chậm trễ"] if late else []
                tags += rng.sample(reasons[1:], rng.randint(0, 2))
                comment = rng.choice(DEMO_COMMENTS) if rng.random() < 0.4 else ""
                record_reasons(kiosk, code, rid, tags, comment)
    finally:
        kiosk.close()


def _live(db: Database, r: Received, rng: random.Random, now: datetime, clerk: UserInfo,
          specialists: list[UserInfo]) -> None:
    """Walk a demo dossier through a plausible life, stopping at `now`: most on time, some early,
    a few late, some waiting for a supplement, a few stopped or entered by mistake."""
    with db.reading() as s:
        cal = office_calendar(s)
    person = rng.choice(specialists)

    def do(at: datetime, fn, **kw) -> bool:
        if at >= now:
            return False
        db.clock = lambda: at
        fn(db, r.code, actor=kw.pop("actor", clerk), at=at, **kw)
        return True

    t = r.received_at
    fate = rng.random()
    if fate < 0.01:
        do(t + timedelta(minutes=20), lc.cancel, reason="Nhập trùng hồ sơ đã tiếp nhận trước đó")
        return
    if fate < 0.025:
        do(t + timedelta(hours=2), lc.stop, reason="Công dân có đơn xin rút hồ sơ", requested_by="Người nộp hồ sơ")
        return
    due = r.due_at or add_working_minutes(t, 10 * 480, cal)
    same_day = r.due_at is not None and r.due_at.date() == t.date()
    if not same_day:
        t = add_working_minutes(t, rng.randint(15, 90), cal)
        if not do(t, lc.transfer, to_name=person.full_name, to_unit=person.unit or person.title):
            return
        if rng.random() < 0.07:
            t = add_working_minutes(t, rng.randint(60, 600), cal)
            if not do(t, lc.request_supplement, actor=person, reason="Giấy tờ chưa đầy đủ, cần bổ sung",
                      items=[{"name": "Bản sao có chứng thực giấy tờ tùy thân", "certified": True}]):
                return
            t = add_working_minutes(t, rng.randint(240, 2400), cal)
            if not do(t, lc.receive_supplement):
                return
            due = get_dossier(db, r.code).due_at or due
    # result: ~12% well before, ~83% in the last hours before the due time, ~5% late
    roll = rng.random()
    span = max(30, int((due - t).total_seconds() // 60))
    if roll < 0.12:
        ready = add_working_minutes(t, max(10, span // 4), cal)
    elif roll < 0.95:
        ready = min(due, add_working_minutes(t, max(10, span - rng.randint(0, 240)), cal))
    else:
        ready = add_working_minutes(due, rng.randint(30, 1200), cal)
    ready = max(ready, t + timedelta(minutes=5))
    if not do(ready, lc.result_ready, from_name=person.full_name if not same_day else ""):
        return
    do(add_working_minutes(ready, rng.randint(10, 1500), cal), lc.return_result)
