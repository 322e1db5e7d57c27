"""Receiving a dossier at the counter: validate, compute the due time, allocate code and book number,
write the event, and build the receipt (form 01)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from app.domain import applicant as ap
from app.domain.calendar import TZ
from app.domain.codes import book_counter_name, volume_label
from app.domain.deadline import RULE_VERSION, compute_due
from app.domain.dossier import CHANNELS, RETURN_METHODS
from app.domain.ids import uuid7
from app.domain.text import nfc, title_name
from app.eventlog import append, next_counter
from app.eventlog import payloads as ev
from app.services.access import Permission, require
from app.services.catalogue import ProcedureInfo, get_procedure
from app.services.database import Database
from app.services.errors import NotFound, ServiceError, ValidationFailed
from app.services.inputs import checked, clean, name_problem
from app.services.settings import load_settings, office_calendar
from app.services.slots import allocate_code
from app.services.users import UserInfo
from db.models import Dossier

# Paper entries after an outage may be backdated, but not by more than this, and never into the future.
MAX_BACKDATE = timedelta(days=60)
FUTURE_TOLERANCE = timedelta(minutes=5)


@dataclass
class PaperInput:
    name: str
    original: bool = True
    copy: bool = False
    count: int = 1


@dataclass
class ReceptionForm:
    """What the clerk typed; field names match the keys of ValidationFailed.errors."""

    procedure_code: str = ""
    applicant_name: str = ""
    phone: str = ""
    id_number: str = ""
    birth_date: date | None = None
    address: str = ""
    email: str = ""
    papers: list[PaperInput] | None = None  # None: the procedure's required papers, as the catalogue lists them
    sets_count: int = 1
    channel: str = "direct"
    return_method: str = "counter"
    note: str = ""
    received_at: datetime | None = None  # None: now. Naive means local time (Asia/Ho_Chi_Minh).
    extra: dict = field(default_factory=dict)


def local(dt: datetime) -> datetime:
    return (dt if dt.tzinfo else dt.replace(tzinfo=TZ)).astimezone(TZ)


def normalise(form: ReceptionForm) -> tuple[ReceptionForm, dict[str, str]]:
    """The form with every text field normalised (NFC, ASCII digits, invisible characters dropped, spaces
    collapsed), and the problems of those fields (control or unprintable characters, lengths)."""
    values, errors = checked({
        "procedure_code": (form.procedure_code, "procedure_code"),
        "applicant_name": (form.applicant_name, "applicant_name"),
        "phone": (form.phone, "phone"),
        "id_number": (form.id_number, "id_number"),
        "address": (form.address, "address"),
        "email": (form.email, "email"),
        "note": (form.note, "note"),
    }, digits=("phone", "id_number"))
    papers = None
    if form.papers is not None:
        papers = []
        for p in form.papers:
            name, err = clean(p.name, "paper")
            if err and "papers" not in errors:
                errors["papers"] = err
            papers.append(replace(p, name=name))
    return replace(form, papers=papers, **values), errors


def validate(form: ReceptionForm, *, now: datetime | None = None) -> dict[str, str]:
    """Every problem at once, field -> Vietnamese message. Empty when the form can be saved."""
    return _validate(*normalise(form), now=now)


def _validate(form: ReceptionForm, errors: dict[str, str], *, now: datetime | None) -> dict[str, str]:
    """The checks of `validate` on a form already normalised, `errors` holding normalise's problems."""
    if not form.procedure_code and "procedure_code" not in errors:
        errors["procedure_code"] = "Chưa chọn thủ tục hành chính."
    for key, message in (
        ("applicant_name", ap.check_name(form.applicant_name) or name_problem(form.applicant_name)),
        ("id_number", ap.check_id_number(form.id_number)),
        ("phone", ap.check_phone(form.phone)),
        ("email", ap.check_email(form.email)),
    ):
        if message and key not in errors:
            errors[key] = message
    if form.birth_date and not (date(1900, 1, 1) <= form.birth_date <= date.today()):
        errors["birth_date"] = "Ngày sinh không hợp lệ."
    try:
        sets = int(form.sets_count or 0)
    except (TypeError, ValueError):
        sets = 0
    if not 1 <= sets <= 99:
        errors["sets_count"] = "Số lượng hồ sơ phải từ 1 đến 99 bộ."
    if form.channel not in CHANNELS:
        errors["channel"] = "Hình thức nộp không hợp lệ."
    if form.return_method not in RETURN_METHODS:
        errors["return_method"] = "Nơi nhận kết quả không hợp lệ."
    if form.return_method == "post" and not form.address and "address" not in errors:
        errors["address"] = "Nhận kết quả qua bưu chính thì phải có địa chỉ nhận."
    if form.papers is not None and "papers" not in errors:
        if any(not isinstance(p.count, int) or not 0 <= p.count <= 99 for p in form.papers):
            errors["papers"] = "Số lượng mỗi giấy tờ phải từ 0 đến 99."
        elif not any(p.count > 0 for p in form.papers):
            errors["papers"] = "Chưa đánh dấu giấy tờ nào trong thành phần hồ sơ."
        elif any(p.count > 0 and not (p.original or p.copy) for p in form.papers):
            errors["papers"] = "Mỗi giấy tờ đã nhận phải ghi rõ là bản chính hay bản sao."
        elif any(p.count > 0 and not p.name for p in form.papers):
            errors["papers"] = "Mỗi giấy tờ đã nhận phải có tên."
    if form.received_at is not None and now is not None:
        at = local(form.received_at)
        if at > now + FUTURE_TOLERANCE:
            errors["received_at"] = "Thời điểm tiếp nhận không được ở tương lai."
        elif at < now - MAX_BACKDATE:
            errors["received_at"] = "Chỉ nhập bù hồ sơ giấy trong vòng 60 ngày trước."
    return errors


@dataclass(frozen=True)
class DuePreview:
    due_at: datetime | None
    duration_text: str
    calendar_version: str


def preview_due(db: Database, procedure_code: str, received_at: datetime | None = None) -> DuePreview:
    """The appointment the receipt would promise, for the live display while the clerk types."""
    at = local(received_at) if received_at else db.clock().astimezone(TZ)
    with db.reading() as s:  # the catalogue and calendar in effect on the day of reception
        proc = get_procedure(None, procedure_code, session=s, on=at.date())
        cal = office_calendar(s, on=at.date())
    due = compute_due(at, proc.duration, cal)
    return DuePreview(due, duration_text(proc), cal.version)


GENERIC_COMMUNE = {"ubnd xã", "ủy ban nhân dân xã", "ubnd cấp xã", ""}


def competent_unit(catalogue_text: str, parent_body: str) -> str:
    """A catalogue says "UBND xã" for every commune; the papers name this commune's own People's Committee."""
    return parent_body if catalogue_text.strip().lower() in GENERIC_COMMUNE else catalogue_text


def duration_text(proc: ProcedureInfo) -> str:
    text = proc.duration.describe()
    return f"{text} ({proc.duration_note})" if proc.duration_note else text


@dataclass(frozen=True)
class Received:
    id: str
    code: str
    due_at: datetime | None
    received_at: datetime
    volume: str
    number: int
    repeated: bool = False  # True: this request was saved before; nothing new was written


# Idempotency keys that are not UUIDs become uuid5(REQUEST_NAMESPACE, key): the dossier id itself.
REQUEST_NAMESPACE = uuid.UUID("6f1d2c1e-9b1a-5c7e-8f0e-2a3b4c5d6e7f")


def dossier_id_for(request_id: str | uuid.UUID) -> str:
    """The dossier id a reception request stands for: the UUID itself, or uuid5 of any other string."""
    if isinstance(request_id, uuid.UUID):
        return str(request_id)
    try:
        return str(uuid.UUID(request_id))
    except ValueError:
        return str(uuid.uuid5(REQUEST_NAMESPACE, request_id))


def _already_received(s, dossier_id: str, form: ReceptionForm) -> Received | None:
    """The dossier an earlier try of the same request saved, if any (the same citizen and procedure)."""
    d = s.get(Dossier, dossier_id)
    if d is None:
        return None
    if (d.applicant_name, d.procedure_code) != (title_name(form.applicant_name), form.procedure_code):
        raise ServiceError(f"Mã yêu cầu này đã được dùng cho hồ sơ {d.code} của người nộp khác hoặc thủ tục khác; "
                           "hãy tiếp nhận hồ sơ mới bằng một mã yêu cầu mới.")
    return Received(d.id, d.code, d.due_at.astimezone(TZ) if d.due_at else None, d.received_at.astimezone(TZ),
                    d.volume, d.number, repeated=True)


def receive_dossier(db: Database, *, form: ReceptionForm, clerk: UserInfo,
                    request_id: str | uuid.UUID | None = None) -> Received:
    """Record a complete, valid dossier: one event, the dossier row and its logbook line, one transaction.

    Raises ValidationFailed (field -> message) before writing anything; nothing the clerk typed is lost.
    `request_id` makes a retry safe: the same key (one per form fill, reused on retry) returns the dossier
    the first try saved, with its code, and writes nothing.
    Must not be called on the Qt main thread for large databases; it returns plain data.
    """
    require(clerk, Permission.COUNTER)
    now = db.clock()
    form, problems = normalise(form)  # issue 9: what is stored is what was validated (NFC, ASCII digits, bounded)
    errors = _validate(form, problems, now=now.astimezone(TZ))
    if errors:
        raise ValidationFailed(errors)
    received_at = local(form.received_at) if form.received_at else now.astimezone(TZ)
    received_at = received_at.replace(second=0, microsecond=0)
    device = db.device
    with db.transaction() as s:
        try:
            proc = get_procedure(None, form.procedure_code, session=s, on=received_at.date())
        except NotFound as exc:
            raise ValidationFailed({"procedure_code": exc.message}) from exc
        if request_id is not None and (earlier := _already_received(s, dossier_id_for(request_id), form)):
            return earlier
        settings = load_settings(s)
        cal = office_calendar(s, settings, on=received_at.date())
        due = compute_due(received_at, proc.duration, cal)
        day = received_at.date()
        code = allocate_code(s, settings.agency_code, device, day)  # a clear message after 999 a day
        number = next_counter(s, device.device_id, book_counter_name(day.year))
        volume = volume_label(device.slot, day.year)
        papers = form.papers
        if papers is None:
            papers = [PaperInput(p.name, p.original, p.copy, p.count) for p in proc.papers if p.required]
        dossier_id = dossier_id_for(request_id) if request_id is not None else uuid7()
        payload = ev.DossierReceived(
            code=code, volume=volume, number=number, received_at=received_at, due_at=due,
            receiving_unit=settings.center_name, clerk_name=clerk.full_name,
            procedure=ev.ProcedureRef(code=proc.code, name=proc.name, field=proc.field,
                                      competent_unit=competent_unit(proc.competent_unit, settings.parent_body),
                                      fee_text=proc.fee_text),
            applicant=ev.ApplicantData(name=title_name(form.applicant_name), id_number=form.id_number.strip(),
                                       birth_date=form.birth_date, address=nfc(form.address),
                                       phone=ap.normalise_phone(form.phone), email=form.email.strip()),
            papers=tuple(ev.PaperData(name=nfc(p.name), original=p.original, copy=p.copy, count=int(p.count))
                         for p in papers if p.count > 0),
            sets_count=int(form.sets_count), channel=form.channel, return_method=form.return_method,
            note=nfc(form.note),
            deadline=ev.DeadlineData(duration=ev.DurationData(**proc.duration.to_json()), rule_version=RULE_VERSION,
                                     calendar_version=cal.version, catalogue_version=proc.version),
            extra=form.extra or {},
        )
        append(s, device, payload, stream_id=dossier_id, actor_id=clerk.id, occurred_at=now)
    return Received(dossier_id, code, due, received_at, volume, number)


def now_local(db: Database) -> datetime:
    return db.clock().astimezone(TZ)


def to_utc(dt: datetime) -> datetime:
    return local(dt).astimezone(UTC)
