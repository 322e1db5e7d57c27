"""A demo commune: settings, catalogue, staff, this device and weeks of realistic dossiers."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta

from app.domain.calendar import TZ
from app.services.catalogue import all_procedures
from app.services.database import Database
from app.services.reception import PaperInput, ReceptionForm, receive_dossier
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
}
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
    users = initialise_office(db, settings=DEMO_SETTINGS, slot=1, device_name="Quầy 1", staff=DEMO_STAFF)
    clerk: UserInfo = users[0]
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
    per_day = max(1, dossiers // len(work_days))
    slots = []
    for day in work_days:
        for _ in range(per_day):
            minute = rng.choice([rng.randint(7 * 60 + 10, 11 * 60 + 20), rng.randint(13 * 60 + 35, 16 * 60 + 50)])
            slots.append(datetime.combine(day, time(minute // 60, minute % 60), TZ))
    slots = sorted(slots[:dossiers])
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
            receive_dossier(db, form=form, clerk=clerk)
            made += 1
            if progress:
                progress(made, len(slots))
    finally:
        db.clock = real_clock
    return made
