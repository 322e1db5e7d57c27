"""The steps of a dossier after reception, each one event: hand-overs, supplements, result, return,
extension, stop, cancellation, corrections; and intakes that end without a dossier (forms 02, 03)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.domain import applicant as ap
from app.domain.calendar import TZ
from app.domain.deadline import Duration, extend_for_pause, suggest_extension, working_minutes_between
from app.domain.dossier import Status, status_text
from app.domain.ids import uuid7
from app.domain.lifecycle import (
    HANDOVER_KINDS,
    MAX_EXTENSIONS,
    Action,
    cancel_refusal,
    holder_person,
    refusal,
)
from app.domain.text import nfc, template_gap, title_name
from app.eventlog import DeviceContext, append, get_event
from app.eventlog import payloads as ev
from app.services.access import Permission, require
from app.services.catalogue import get_procedure
from app.services.database import Database
from app.services.errors import NotFound, TransitionRefused, ValidationFailed
from app.services.inputs import checked, clean, name_problem
from app.services.settings import office_calendar
from app.services.users import UserInfo
from db.models import Dossier, DossierStep, User

FUTURE_TOLERANCE = timedelta(minutes=5)


def _clean(**fields: tuple[str | None, str]) -> dict[str, str]:
    """Normalise and bound free text ({argument: (value, inputs.LIMITS key)}); ValidationFailed on a problem."""
    values, errors = checked(fields)
    if errors:
        raise ValidationFailed(errors)
    return values


@dataclass(frozen=True)
class StepResult:
    id: str
    code: str
    status: str
    due_at: datetime | None
    event_id: str


@dataclass
class _Ctx:
    s: Session
    d: Dossier
    device: DeviceContext
    at: datetime
    actor: UserInfo


def _find(s: Session, key: str) -> Dossier:
    key = key.strip()
    d = s.scalar(select(Dossier).where(or_(Dossier.id == key, Dossier.code == key, Dossier.code == key.upper())))
    if d is None:
        raise NotFound(f"Không tìm thấy hồ sơ có mã {key}.")
    return d


def _when(db: Database, at: datetime | None, d: Dossier) -> datetime:
    now = db.clock()
    when = (at if at.tzinfo else at.replace(tzinfo=TZ)) if at else now
    when = when.astimezone(TZ).replace(second=0, microsecond=0)
    if when > now + FUTURE_TOLERANCE:
        raise ValidationFailed({"at": "Thời điểm thực hiện không được ở tương lai."})
    if when < d.received_at:
        raise ValidationFailed({"at": f"Thời điểm thực hiện trước lúc tiếp nhận hồ sơ "
                                      f"({d.received_at.astimezone(TZ):%H:%M %d/%m/%Y})."})
    return when


@contextmanager
def _step(db: Database, key: str, action: Action, actor: UserInfo, at: datetime | None) -> Iterator[_Ctx]:
    require(actor, Permission.COUNTER)
    with db.transaction() as s:
        d = _find(s, key)
        why = refusal(action, Status(d.status), d.code)
        if why:
            raise TransitionRefused(why)
        yield _Ctx(s, d, db.device, _when(db, at, d), actor)


def _record(db: Database, c: _Ctx, payload_cls: type[ev.StepPayload], **fields) -> StepResult:
    """Write the step as an event of this device and fold it; `at` is left out when it is the event's
    own minute (the usual case: not backdated)."""
    now = db.clock()
    at = None if c.at == now.replace(second=0, microsecond=0) else c.at
    payload = payload_cls(at=at, actor_name=c.actor.full_name, **fields)
    event = append(c.s, c.device, payload, stream_id=c.d.id, actor_id=c.actor.id, occurred_at=now)
    d = c.s.get(Dossier, c.d.id)
    return StepResult(d.id, d.code, d.status, d.due_at.astimezone(TZ) if d.due_at else None, event.event_id)


def transfer(db: Database, key: str, *, actor: UserInfo, to_name: str, to_unit: str = "", note: str = "",
             at: datetime | None = None) -> StepResult:
    """Hand the paper dossier to a specialist or another unit (any number of times)."""
    v = _clean(to_name=(to_name, "person"), to_unit=(to_unit, "unit"), note=(note, "note"))
    to_name, to_unit, note = v["to_name"], v["to_unit"], v["note"]
    if not nfc(to_name) and not nfc(to_unit):
        raise ValidationFailed({"to_name": "Hãy ghi người hoặc đơn vị nhận hồ sơ."})
    with _step(db, key, Action.TRANSFER, actor, at) as c:
        giver = _holder_person(c) or actor.full_name
        return _record(db, c, ev.DossierTransferred, from_name=giver, to_name=nfc(to_name), to_unit=nfc(to_unit),
                       note=nfc(note))


def hand_back(db: Database, key: str, *, actor: UserInfo, from_name: str = "", note: str = "",
              at: datetime | None = None) -> StepResult:
    """The unit hands the dossier back to the counter (without a result yet)."""
    v = _clean(from_name=(from_name, "person"), note=(note, "note"))
    from_name, note = v["from_name"], v["note"]
    with _step(db, key, Action.BACK, actor, at) as c:
        return _record(db, c, ev.DossierHandedBack, from_name=nfc(from_name) or _holder_person(c),
                       from_unit=c.d.holder, to_name=actor.full_name, note=nfc(note))


def request_supplement(db: Database, key: str, *, actor: UserInfo, items: list[dict], reason: str,
                       note: str = "", at: datetime | None = None) -> StepResult:
    """Form 02 during processing: every missing item at once; the clock pauses until the supplement."""
    v = _clean(reason=(reason, "reason"), note=(note, "note"),
               **{f"items[{i}]": (x.get("name", ""), "paper") for i, x in enumerate(items)})
    reason, note = v["reason"], v["note"]
    items = [{**x, "name": v[f"items[{i}]"]} for i, x in enumerate(items)]
    items = [{"name": nfc(i["name"]), "count": int(i.get("count", 1)), "original": bool(i.get("original")),
              "certified": bool(i.get("certified")), "photo": bool(i.get("photo"))}
             for i in items if nfc(i.get("name", ""))]
    errors = {}
    if not items:
        errors["items"] = "Hãy liệt kê đầy đủ các giấy tờ cần bổ sung (ít nhất một)."
    if not nfc(reason):
        errors["reason"] = "Hãy ghi lý do yêu cầu bổ sung để công dân hiểu cần làm gì."
    elif m := template_gap(reason):
        errors["reason"] = m
    if errors:
        raise ValidationFailed(errors)
    with _step(db, key, Action.SUPPLEMENT_REQUEST, actor, at) as c:
        return _record(db, c, ev.SupplementRequested, items=tuple(ev.SupplementItem(**i) for i in items),
                       reason=nfc(reason), note=nfc(note), resume_status=c.d.status)


def receive_supplement(db: Database, key: str, *, actor: UserInfo, note: str = "",
                       at: datetime | None = None) -> StepResult:
    """The citizen brought the missing papers: the due time moves by the paused working time."""
    note = _clean(note=(note, "note"))["note"]
    with _step(db, key, Action.SUPPLEMENT_RECEIVED, actor, at) as c:
        cal = office_calendar(c.s, on=c.at.astimezone(TZ).date())
        paused_at = c.d.paused_at
        resume = _resume_status(c)
        if c.at < paused_at:
            raise ValidationFailed({"at": "Thời điểm nhận bổ sung trước lúc yêu cầu bổ sung."})
        paused = working_minutes_between(paused_at, c.at, cal)
        new_due = extend_for_pause(c.d.due_at, paused_at, c.at, cal) if c.d.due_at else None
        new_stat = extend_for_pause(c.d.original_due_at, paused_at, c.at, cal) if c.d.original_due_at else None
        return _record(db, c, ev.SupplementReceived, paused_minutes=paused, new_due_at=new_due,
                       new_statutory_due_at=new_stat, note=nfc(note), resume_status=resume)


def _last_step(c: _Ctx, *kinds: str) -> DossierStep | None:
    """The dossier's latest applied step of these kinds, in the log's canonical order."""
    return c.s.scalar(select(DossierStep).where(DossierStep.dossier_id == c.d.id, DossierStep.kind.in_(kinds),
                                                 DossierStep.applied.is_(True))
                      .order_by(DossierStep.position.desc()))


def _holder_person(c: _Ctx) -> str:
    step = _last_step(c, *HANDOVER_KINDS)
    return holder_person([step] if step is not None else [])


def _resume_status(c: _Ctx) -> str:
    step = _last_step(c, "supplement_requested")
    event = get_event(c.s, step.event_id) if step is not None else None
    return event.payload.resume_status if event is not None and event.readable else "received"


def result_ready(db: Database, key: str, *, actor: UserInfo, from_name: str = "", result: str = "",
                 note: str = "", at: datetime | None = None) -> StepResult:
    """The competent unit gives the result back to the counter: last row of the control slip."""
    v = _clean(from_name=(from_name, "person"), result=(result, "result"), note=(note, "note"))
    from_name, result, note = v["from_name"], v["result"], v["note"]
    with _step(db, key, Action.RESULT_READY, actor, at) as c:
        return _record(db, c, ev.ResultReady, from_name=nfc(from_name) or _holder_person(c), from_unit=c.d.holder,
                       to_name=actor.full_name, result=nfc(result), note=nfc(note))


def return_result(db: Database, key: str, *, actor: UserInfo, collected_by: str = "", id_shown: str = "",
                  method: str = "counter", note: str = "", at: datetime | None = None) -> StepResult:
    """The result is handed to the citizen (or posted): closes the dossier."""
    v = _clean(collected_by=(collected_by, "person"), note=(note, "note"))
    collected_by, note = v["collected_by"], v["note"]
    id_shown, err = clean(id_shown, "id_number", digits=True)
    if err:
        raise ValidationFailed({"id_shown": err})
    if collected_by and (err := name_problem(collected_by, "Họ tên người nhận kết quả")):
        raise ValidationFailed({"collected_by": err})
    if method not in ("counter", "post"):
        raise ValidationFailed({"method": "Hình thức trả phải là tại quầy hoặc qua bưu chính."})
    if id_shown and ap.check_id_number(id_shown):
        raise ValidationFailed({"id_shown": ap.check_id_number(id_shown)})
    with _step(db, key, Action.RETURN, actor, at) as c:
        return _record(db, c, ev.DossierReturned, collected_by=title_name(collected_by) or c.d.applicant_name,
                       id_shown=id_shown.strip(), method=method, note=nfc(note))


def suggested_extension(db: Database, key: str) -> datetime | None:
    with db.reading() as s:
        d = _find(s, key)
        if d.due_at is None:
            return None
        return suggest_extension(d.due_at.astimezone(TZ), Duration.from_json(d.duration),
                                 office_calendar(s, on=db.clock().astimezone(TZ).date()))


def default_signer(db: Database) -> UserInfo | None:
    """Who signs forms 04 and 05 unless the clerk names someone: the office's leader account."""
    with db.reading() as s:
        return _leader(s)


def _leader(s: Session) -> UserInfo | None:
    u = s.scalar(select(User).where(User.role == "leader", User.active.is_(True)).order_by(User.username))
    return UserInfo(u.id, u.username, u.full_name, u.role, u.title, u.unit) if u else None


def _signer(s: Session, name: str, title: str) -> tuple[str, str]:
    """The signer of a letter (forms 04, 05): someone who may sign, never the clerk by default.
    Nobody named: the office's leader account; a name needs its title (it is printed above the name)."""
    name, title = nfc(name), nfc(title)
    if not name:
        leader = _leader(s)
        if leader is None:
            raise ValidationFailed({"signer_name": "Hãy ghi người ký văn bản (thủ trưởng hoặc người được ủy quyền); "
                                                   "đơn vị chưa có tài khoản lãnh đạo để điền sẵn."})
        return leader.full_name, title or leader.title
    if not title:
        raise ValidationFailed({"signer_title": "Hãy ghi chức vụ người ký, ví dụ “Phó Chủ tịch UBND xã”."})
    return name, title


def extend(db: Database, key: str, *, actor: UserInfo, new_due: datetime, reason: str, signer_name: str = "",
           signer_title: str = "", override: bool = False, note: str = "", at: datetime | None = None) -> StepResult:
    """Form 04: apology and a new due time; once, unless an admin overrides. Issued before the due time
    passes as the law asks, or, when the dossier is already late, as soon as it is known: the apology is
    owed then most of all (the statistics keep judging it against the statutory due either way)."""
    v = _clean(reason=(reason, "reason"), signer_name=(signer_name, "person"), signer_title=(signer_title, "title"),
               note=(note, "note"))
    reason, signer_name, signer_title, note = v["reason"], v["signer_name"], v["signer_title"], v["note"]
    if not nfc(reason):
        raise ValidationFailed({"reason": "Hãy ghi lý do chậm trễ để công dân được biết."})
    if m := template_gap(reason):
        raise ValidationFailed({"reason": m})
    with _step(db, key, Action.EXTEND, actor, at) as c:
        if c.d.due_at is None:
            raise TransitionRefused(f"Hồ sơ {c.d.code} không có thời hạn giải quyết nên không cần gia hạn.")
        if c.d.extensions >= MAX_EXTENSIONS and not override:
            raise TransitionRefused(f"Hồ sơ {c.d.code} đã gia hạn {c.d.extensions} lần; chỉ được gia hạn một lần "
                                    "trừ khi quản trị hệ thống cho phép.")
        if override and actor.role not in ("admin", "leader"):
            raise TransitionRefused("Chỉ lãnh đạo hoặc quản trị hệ thống được cho phép gia hạn thêm lần nữa.")
        new_due = (new_due if new_due.tzinfo else new_due.replace(tzinfo=TZ)).astimezone(TZ)
        cal = office_calendar(c.s, on=c.at.astimezone(TZ).date())
        if not cal.is_working_day(new_due.date()):
            raise ValidationFailed({"new_due": f"Ngày {new_due:%d/%m/%Y} không phải ngày làm việc."})
        if new_due <= c.d.due_at:
            raise ValidationFailed({"new_due": "Ngày hẹn mới phải sau ngày hẹn hiện tại."})
        if new_due <= c.at:
            raise ValidationFailed({"new_due": "Ngày hẹn mới phải sau thời điểm phát hành văn bản."})
        name, title = _signer(c.s, signer_name, signer_title)
        return _record(db, c, ev.DossierExtended, old_due_at=c.d.due_at, new_due_at=new_due, reason=nfc(reason),
                       signer_name=name, signer_title=title, override=bool(override), note=nfc(note))


def stop(db: Database, key: str, *, actor: UserInfo, reason: str, requested_by: str = "", fee_note: str = "",
         signer_name: str = "", signer_title: str = "", note: str = "", at: datetime | None = None) -> StepResult:
    """Form 05: stop processing (the citizen asked, or a stop notice)."""
    v = _clean(reason=(reason, "reason"), requested_by=(requested_by, "person"), fee_note=(fee_note, "note"),
               signer_name=(signer_name, "person"), signer_title=(signer_title, "title"), note=(note, "note"))
    reason, requested_by, fee_note = v["reason"], v["requested_by"], v["fee_note"]
    signer_name, signer_title, note = v["signer_name"], v["signer_title"], v["note"]
    if not nfc(reason):
        raise ValidationFailed({"reason": "Hãy ghi lý do dừng giải quyết."})
    if m := template_gap(reason):
        raise ValidationFailed({"reason": m})
    with _step(db, key, Action.STOP, actor, at) as c:
        name, title = _signer(c.s, signer_name, signer_title)
        return _record(db, c, ev.DossierStopped, reason=nfc(reason), requested_by=nfc(requested_by),
                       stage=status_text(c.d.status), fee_note=nfc(fee_note), signer_name=name, signer_title=title,
                       note=nfc(note))


def cancel(db: Database, key: str, *, actor: UserInfo, reason: str, at: datetime | None = None) -> StepResult:
    """A dossier entered by mistake: marked cancelled with the reason; it stays in the book.

    Only for a dossier just received by mistake: a clerk may cancel it before its first hand-over, a
    leader (with the reason) later; never once it has a result. A dossier cancelled after a hand-over
    still counts in the statistics (see app.services.stats), so a cancel can never hide a late one; the
    event records that a leader allowed it (`override`), which the fold checks."""
    reason = _clean(reason=(reason, "reason"))["reason"]
    if not nfc(reason):
        raise ValidationFailed({"reason": "Hãy ghi lý do hủy (ví dụ: nhập trùng hồ sơ …)."})
    with _step(db, key, Action.CANCEL, actor, at) as c:
        handed_over = c.d.first_transfer_at is not None
        why = cancel_refusal(c.d.code, handed_over=handed_over, role=actor.role)
        if why:
            raise TransitionRefused(why)
        return _record(db, c, ev.DossierCancelled, reason=nfc(reason), override=handed_over)


def correct_applicant(db: Database, key: str, *, actor: UserInfo, changes: dict[str, str], reason: str,
                      at: datetime | None = None) -> StepResult:
    """Correct the applicant's data by a later event; the history keeps the old values."""
    keys = {"applicant_name": "applicant_name", "id_number": "id_number", "address": "address", "phone": "phone",
            "email": "email"}
    cleaned, errs = checked({k: (v, keys[k]) for k, v in changes.items() if k in keys and v is not None},
                            digits=("id_number", "phone"))
    if errs:
        raise ValidationFailed(errs)
    changes = {**changes, **cleaned}
    if changes.get("applicant_name") and (err := name_problem(changes["applicant_name"])):
        raise ValidationFailed({"applicant_name": err})
    reason = _clean(reason=(reason, "reason"))["reason"]
    checks = {"applicant_name": ap.check_name, "id_number": ap.check_id_number, "phone": ap.check_phone,
              "email": ap.check_email}
    errors = {k: m for k, v in changes.items() if k in checks and (m := checks[k](v))}
    unknown = set(changes) - {"applicant_name", "id_number", "address", "phone", "email", "birth_date"}
    if unknown:
        errors["changes"] = f"Không sửa được trường {', '.join(sorted(unknown))}."
    if not nfc(reason):
        errors["reason"] = "Hãy ghi lý do sửa thông tin."
    if errors:
        raise ValidationFailed(errors)
    with _step(db, key, Action.CORRECT, actor, at) as c:
        current = {"applicant_name": c.d.applicant_name, "id_number": c.d.applicant_id_number,
                   "address": c.d.address, "phone": c.d.phone, "email": c.d.email,
                   "birth_date": c.d.applicant_birth_date.isoformat() if c.d.applicant_birth_date else None}
        norm = {"applicant_name": title_name, "phone": ap.normalise_phone}
        diff = {}
        for k, v in changes.items():
            new = norm.get(k, nfc)(v) if v is not None else None
            if new != current[k]:
                diff[k] = [current[k], new]
        if not diff:
            raise ValidationFailed({"changes": "Thông tin mới giống hệt thông tin cũ; không có gì để sửa."})
        return _record(db, c, ev.ApplicantCorrected, changes={k: tuple(v) for k, v in diff.items()},
                       reason=nfc(reason))


# --- intakes that end without a dossier ----------------------------------------------------------------


@dataclass(frozen=True)
class SlipResult:
    event_id: str
    at: datetime


def _intake(db: Database, kind: str, *, actor: UserInfo, procedure_code: str, applicant_name: str,
            address: str, phone: str, reason: str, items: list[dict]) -> SlipResult:
    require(actor, Permission.COUNTER)
    v, errors = checked({"applicant_name": (applicant_name, "applicant_name"), "address": (address, "address"),
                         "phone": (phone, "phone"), "reason": (reason, "reason"),
                         **{f"items[{i}]": (x.get("name", ""), "paper") for i, x in enumerate(items)}},
                        digits=("phone",))
    if errors:
        raise ValidationFailed(errors)
    applicant_name, address, phone, reason = v["applicant_name"], v["address"], v["phone"], v["reason"]
    items = [{**x, "name": v[f"items[{i}]"]} for i, x in enumerate(items)]
    if m := name_problem(applicant_name):
        errors["applicant_name"] = m
    if m := ap.check_name(applicant_name):
        errors["applicant_name"] = m
    if phone and (m := ap.check_phone(phone)):
        errors["phone"] = m
    if kind == "intake.refused" and not nfc(reason):
        errors["reason"] = "Hãy ghi lý do từ chối bằng lời lẽ công dân hiểu được."
    elif m := template_gap(reason):
        errors["reason"] = m  # a template's blank or hint would be printed on the slip as it is
    if kind == "intake.guidance_issued" and not items:
        errors["items"] = "Hãy liệt kê tất cả giấy tờ còn thiếu hoặc cần hoàn thiện (một lần, đầy đủ)."
    if errors:
        raise ValidationFailed(errors)
    now = db.clock()
    cls = ev.GuidanceIssued if kind == "intake.guidance_issued" else ev.IntakeRefused
    device = db.device
    with db.transaction() as s:
        proc = get_procedure(None, procedure_code, session=s)
        slip_id = uuid7()
        event = append(s, device, cls(
            actor_name=actor.full_name, procedure=ev.IntakeProcedure(code=proc.code, name=proc.name),
            applicant=ev.IntakeApplicant(name=title_name(applicant_name), address=nfc(address),
                                         phone=ap.normalise_phone(phone)),
            reason=nfc(reason), items=tuple(ev.SupplementItem(**i) for i in items)),
            stream_id=slip_id, actor_id=actor.id, occurred_at=now, event_id=slip_id)
    return SlipResult(event.event_id, now.replace(second=0, microsecond=0).astimezone(TZ))


def issue_guidance(db: Database, *, actor: UserInfo, procedure_code: str, applicant_name: str, items: list[dict],
                   reason: str = "", address: str = "", phone: str = "") -> SlipResult:
    """An incomplete dossier at intake: a guidance slip (form 02) listing every missing item; no dossier number."""
    items = [{"name": nfc(i["name"]), "count": int(i.get("count", 1)), "original": bool(i.get("original")),
              "certified": bool(i.get("certified")), "photo": bool(i.get("photo"))}
             for i in items if nfc(i.get("name", ""))]
    return _intake(db, "intake.guidance_issued", actor=actor, procedure_code=procedure_code,
                   applicant_name=applicant_name, address=address, phone=phone, reason=reason, items=items)


def refuse_intake(db: Database, *, actor: UserInfo, procedure_code: str, applicant_name: str, reason: str,
                  address: str = "", phone: str = "") -> SlipResult:
    """Not eligible / out of scope: a refusal (form 03) with the reason in plain Vietnamese; no dossier number."""
    return _intake(db, "intake.refused", actor=actor, procedure_code=procedure_code, applicant_name=applicant_name,
                   address=address, phone=phone, reason=reason, items=[])


ACTIONS = {
    Action.TRANSFER: transfer, Action.BACK: hand_back, Action.SUPPLEMENT_REQUEST: request_supplement,
    Action.SUPPLEMENT_RECEIVED: receive_supplement, Action.RESULT_READY: result_ready,
    Action.RETURN: return_result, Action.EXTEND: extend, Action.STOP: stop, Action.CANCEL: cancel,
    Action.CORRECT: correct_applicant,
}

