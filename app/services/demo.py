"""A demo commune: settings, catalogue, staff, this device and weeks of realistic dossiers."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.domain.calendar import TZ
from app.domain.deadline import add_working_minutes, working_minutes_between
from app.services import lifecycle as lc
from app.services.catalogue import all_procedures
from app.services.database import Database
from app.services.dossiers import get_dossier
from app.services.reception import PaperInput, Received, ReceptionForm, receive_dossier
from app.services.sample_people import PeopleGenerator
from app.services.settings import office_calendar
from app.services.setup import StaffAccount, initialise_office
from app.services.users import UserInfo
from db.models import Dossier

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


# What a real ward reported over six years (DOMAIN figures: 936 early, 6,274 on time, 350 late of 7,560
# resolved): the demo's results follow these shares.
RESULT_SHARES = {"early": 936 / 7560, "on_time": 6274 / 7560, "late": 350 / 7560}
COMPLETE_MARK = "demo_complete"  # set once every dossier is in: a demo without it was stopped half-way
Progress = Callable[[int, int, str], None]  # (done, total, what is being done)


def demo_state(db: Database) -> str:
    """"none" (nothing set up), "partial" (a demo stopped half-way), "complete", or "foreign" (a real office)."""
    from app.services.setup import DEMO_MARK, is_configured
    from db.models import FileMark

    with db.reading() as s:
        demo = s.get(FileMark, DEMO_MARK) is not None
        complete = s.get(FileMark, COMPLETE_MARK) is not None
    if demo:
        return "complete" if complete else "partial"
    return "foreign" if is_configured(db) else "none"


def seed_demo(db: Database, *, dossiers: int = 300, days: int = 40, seed: int = 2026,
              progress: Progress | None = None) -> int:
    """Set up the demo office and receive `dossiers` dossiers spread over the last `days` working days, walk
    each through a life like a real ward's (early, on time and late results in its proportions, supplements,
    apologies with extensions, stops, mistakes cancelled, intakes that end with a guidance or refusal slip),
    then close the past days of the day book as an office does. Marks the file complete at the end, so that a
    demo stopped half-way is known and made again.

    Each dossier goes through the real services (events, codes, logbook), with the clock set to the time of
    each step, so the demo data is what a real counter would hold. `progress(done, total, text)` is called
    as it goes (from the caller's thread).
    """
    from app.services.daybook import close_day, pending_days
    from db.models import FileMark

    real_clock = db.clock
    say = progress or (lambda _d, _t, _w: None)
    say(0, dossiers, "Thiết lập xã mẫu, danh mục thủ tục và cán bộ…")
    # the office was set up a little before its first dossier (its trail and book begin there, not today)
    set_up_at = datetime.combine(real_clock().astimezone(TZ).date() - timedelta(days=days * 7 // 5 + 10),
                                 time(7, 30), TZ)
    db.clock = lambda: set_up_at
    try:
        users = initialise_office(db, settings=DEMO_SETTINGS, slot=1, device_name="Quầy 1", staff=DEMO_STAFF,
                                  demo=True)
    finally:
        db.clock = real_clock
    clerk: UserInfo = users[0]
    specialists = [u for u in users if u.role in ("specialist", "leader")]
    leader = next(u for u in users if u.role == "leader")
    admin = next(u for u in users if u.role == "admin")
    procedures = all_procedures(db)
    weights = [max(p.frequency, 0.001) for p in procedures]
    with db.reading() as s:
        cal = office_calendar(s)
    rng = random.Random(seed)
    people = PeopleGenerator(seed)
    now = real_clock()
    today = now.astimezone(TZ).date()
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
    life = _Life(db, rng, now, clerk, specialists, leader, cal)
    made = 0
    try:
        for at in slots:
            proc = rng.choices(procedures, weights)[0]
            person = people.person()
            db.clock = lambda at=at: (at + timedelta(minutes=2)).astimezone(TZ)
            if rng.random() < 0.04:  # incomplete or out of scope at intake: a slip, no dossier
                life.intake(proc, person, at)
            else:
                form = ReceptionForm(
                    procedure_code=proc.code, applicant_name=person.name, phone=person.phone,
                    id_number=person.id_number, birth_date=person.birth_date, address=person.address,
                    email=person.email,
                    papers=[PaperInput(p.name, p.original, p.copy, p.count) for p in proc.papers if p.required],
                    channel=rng.choices(["direct", "post", "online"], [85, 5, 10])[0], received_at=at,
                )
                received = receive_dossier(db, form=form, clerk=clerk)
                life.walk(received)
            made += 1
            say(made, len(slots), f"Tiếp nhận và xử lý hồ sơ mẫu {made}/{len(slots)}…")
        life.every_state(work_days[-1], procedures, people)
        say(made, len(slots), "Công dân đánh giá mức độ hài lòng tại máy đánh giá…")
        _rate(db, rng, real_clock(), clerk, admin)
    finally:
        db.clock = real_clock
    say(made, len(slots), "Chốt sổ theo dõi hồ sơ các ngày đã qua…")
    # each day closed at the end of that day, as the office did it
    days_open = [d for d in pending_days(db, now=now) if d < today]
    try:
        for i, day in enumerate(days_open, start=1):
            at = datetime.combine(day, time(17, 35), TZ)
            db.clock = lambda at=at: at
            say(made, len(slots), f"Chốt sổ ngày {day:%d/%m/%Y} ({i}/{len(days_open)})…")
            close_day(db, day, actor=clerk)
    finally:
        db.clock = real_clock
    with db.transaction() as s:
        s.add(FileMark(key=COMPLETE_MARK, value=f"{made} hồ sơ", set_at=db.clock()))
    return made


def _rate(db: Database, rng: random.Random, now: datetime, clerk: UserInfo, admin: UserInfo) -> None:
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
    update_settings(db, {"kiosk_pin": DEMO_KIOSK_PIN}, actor_id=admin.id)
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


class _Life:
    """The life of a demo dossier after reception, stopping at `now`."""

    def __init__(self, db: Database, rng: random.Random, now: datetime, clerk: UserInfo,
                 specialists: list[UserInfo], leader: UserInfo, cal):
        self.db, self.rng, self.now, self.clerk = db, rng, now, clerk
        self.specialists, self.leader, self.cal = specialists, leader, cal
        self.counts = dict.fromkeys(RESULT_SHARES, 0)

    def do(self, at: datetime, fn, **kw) -> bool:
        if at >= self.now:
            return False
        self.db.clock = lambda: at
        fn(self.db, kw.pop("code"), actor=kw.pop("actor", self.clerk), at=at, **kw)
        return True

    def intake(self, proc, person, at: datetime) -> None:
        if self.rng.random() < 0.8:
            lc.issue_guidance(self.db, actor=self.clerk, procedure_code=proc.code, applicant_name=person.name,
                              phone=person.phone, address=person.address,
                              items=[{"name": (proc.papers[0].name if proc.papers else "Giấy tờ tùy thân"),
                                      "original": True}],
                              reason="Hồ sơ chưa đủ thành phần theo quy định")
        else:
            lc.refuse_intake(self.db, actor=self.clerk, procedure_code=proc.code, applicant_name=person.name,
                             phone=person.phone, address=person.address,
                             reason="Việc này không thuộc thẩm quyền giải quyết của Ủy ban nhân dân xã; đề nghị "
                                    "ông/bà liên hệ cơ quan cấp tỉnh.")

    def outcome(self, early_possible: bool, long_one: bool) -> str:
        """The result's verdict: whichever share is furthest below the ward's, by chance among them; delays
        fall mostly on the long procedures (a same-day certificate is rarely late, land papers often)."""
        total = sum(self.counts.values()) + 1
        feasible = [k for k in RESULT_SHARES if k != "early" or early_possible]
        weights = [max(0.02, RESULT_SHARES[k] * total - self.counts[k]) * (
            (4.0 if long_one else 0.25) if k == "late" else 1.0) for k in feasible]
        choice = self.rng.choices(feasible, weights)[0]
        self.counts[choice] += 1
        return choice

    def walk(self, r: Received) -> None:
        rng, cal, code = self.rng, self.cal, r.code
        person = rng.choice(self.specialists)
        t = r.received_at
        fate = rng.random()
        if fate < 0.01:
            self.do(t + timedelta(minutes=20), lc.cancel, code=code, reason="Nhập trùng hồ sơ đã tiếp nhận trước đó")
            return
        if fate < 0.025:
            self.do(t + timedelta(hours=2), lc.stop, code=code, reason="Công dân có đơn xin rút hồ sơ",
                    requested_by="Người nộp hồ sơ")
            return
        due = r.due_at or add_working_minutes(t, 10 * 480, cal)
        same_day = r.due_at is not None and r.due_at.date() == t.date()
        if not same_day:
            t = add_working_minutes(t, rng.randint(15, 90), cal)
            if not self.do(t, lc.transfer, code=code, to_name=person.full_name,
                           to_unit=person.unit or person.title):
                return
            recent = (self.now - r.received_at) < timedelta(days=4)
            if rng.random() < (0.3 if recent else 0.07):
                t = add_working_minutes(t, rng.randint(60, 600), cal)
                if not self.do(t, lc.request_supplement, code=code, actor=person,
                               reason="Giấy tờ chưa đầy đủ, cần bổ sung",
                               items=[{"name": "Bản sao có chứng thực giấy tờ tùy thân", "certified": True}]):
                    return
                t = add_working_minutes(t, rng.randint(240, 2400), cal)
                if not self.do(t, lc.receive_supplement, code=code):
                    return
                due = get_dossier(self.db, code).due_at or due
        ready = self.result_time(t, due)
        if ready > due and not same_day and rng.random() < 0.7:
            # late and known before the due time: an apology and a new date (form 04) signed by the leader,
            # and the result by that new date (the statistics still count it late)
            warn = max(t + timedelta(minutes=5), due - timedelta(hours=rng.randint(2, 20)))
            new_due = lc.suggested_extension(self.db, code)
            if new_due is not None and warn < due and self.do(
                    warn, lc.extend, code=code, new_due=new_due, actor=self.leader,
                    reason="Cần xác minh thêm thông tin với cơ quan liên quan",
                    signer_name=self.leader.full_name, signer_title=self.leader.title):
                room = working_minutes_between(due, new_due, cal)
                ready = add_working_minutes(due, rng.randint(min(30, room), max(30, room - 10)), cal)
        if not self.do(ready, lc.result_ready, code=code, from_name=person.full_name if not same_day else ""):
            return
        self.do(add_working_minutes(ready, rng.randint(10, 1500), cal), lc.return_result, code=code)

    def every_state(self, day: date, procedures, people) -> None:
        """A dossier in each open state the chances left out, received on the last working day: just received,
        handed over, waiting for a supplement, result waiting to be collected."""
        with self.db.reading() as s:
            present = set(s.scalars(select(Dossier.status).distinct()))
        long_ones = [p for p in procedures if p.duration.kind.value == "working_days" and p.duration.value >= 3]
        quick = [p for p in procedures if p.duration.kind.value == "same_day"]
        wanted = [st for st in ("received", "in_progress", "supplement", "result_ready") if st not in present]
        for i, status in enumerate(wanted):
            proc = (quick if status == "result_ready" else long_ones)[i % 3]
            at = datetime.combine(day, time(14, 10 + 9 * i), TZ)
            person = people.person()
            self.db.clock = lambda at=at: at + timedelta(minutes=2)
            r = receive_dossier(self.db, form=ReceptionForm(
                procedure_code=proc.code, applicant_name=person.name, phone=person.phone, id_number=person.id_number,
                address=person.address, received_at=at,
                papers=[PaperInput(p.name, p.original, p.copy, p.count) for p in proc.papers if p.required]),
                clerk=self.clerk)
            if status == "result_ready":
                self.do(at + timedelta(minutes=40), lc.result_ready, code=r.code)
            elif status != "received":
                who = self.specialists[0]
                self.do(at + timedelta(minutes=30), lc.transfer, code=r.code, to_name=who.full_name,
                        to_unit=who.unit or who.title)
                if status == "supplement":
                    self.do(at + timedelta(minutes=90), lc.request_supplement, code=r.code, actor=who,
                            reason="Thiếu giấy tờ chứng minh nơi cư trú",
                            items=[{"name": "Giấy xác nhận thông tin về cư trú", "original": True}])

    def result_time(self, t: datetime, due: datetime) -> datetime:
        """When the result is ready: early (a day before the due day), on time (on the due day, by the due
        time) or late, in working time, never before `t`."""
        rng, cal = self.rng, self.cal
        earliest = t + timedelta(minutes=5)
        due_day_open = datetime.combine(due.date(), cal.hours.morning_start, TZ)
        last_before = cal.previous_working_day(due.date())
        end_before = datetime.combine(last_before, cal.hours.afternoon_end, TZ)
        early_room = working_minutes_between(earliest, end_before, cal) if end_before > earliest else 0
        verdict = self.outcome(early_room >= 10, long_one=due.date() > t.date())
        if verdict == "early":
            return add_working_minutes(earliest, rng.randint(5, early_room - 5), cal)
        if verdict == "late":
            return add_working_minutes(due, rng.randint(30, 1500), cal)
        start = max(earliest, due_day_open)
        room = working_minutes_between(start, due, cal)
        return min(due, add_working_minutes(start, rng.randint(0, max(0, room)), cal)) if room else max(start, due)
