"""Printable forms of a dossier (01–06) and of intakes without a dossier (02 guidance, 03 refusal):
builds the plain form data from the projections and renders PDF bytes. Call off the UI thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select

from app.domain.calendar import TZ, WorkCalendar
from app.domain.deadline import Duration, classify_result
from app.domain.dossier import return_place
from app.eventlog.payloads import DossierExtended, DossierStopped, SupplementRequested
from app.eventlog.payloads import SupplementItem as RequestedItem
from app.printing.apology import ApologyData, build_apology_pdf
from app.printing.common import sign_lines
from app.printing.control_slip import (
    RESULT_EARLY,
    RESULT_LATE,
    RESULT_ON_TIME,
    ControlSlipData,
    HandoverRow,
    build_control_slip_pdf,
)
from app.printing.receipt import OfficeHeader, PaperLine, ReceiptData, build_receipt_pdf
from app.printing.refusal import RefusalData, build_refusal_pdf
from app.printing.stop_notice import StopNoticeData, build_stop_notice_pdf
from app.printing.supplement import SupplementData, SupplementItem, build_supplement_pdf
from app.services.database import Database
from app.services.dossiers import DossierView, StepView, get_dossier
from app.services.errors import NotFound
from app.services.settings import OfficeSettings, load_settings, office_calendar
from db.models import IntakeSlip, User

VERDICT = {"early": RESULT_EARLY, "on_time": RESULT_ON_TIME, "late": RESULT_LATE}


class FormKind(StrEnum):
    RECEIPT = "01"
    SUPPLEMENT = "02"
    REFUSAL = "03"
    APOLOGY = "04"
    STOP = "05"
    CONTROL = "06"


FORM_TITLE = {
    FormKind.RECEIPT: "Mẫu 01 – Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    FormKind.SUPPLEMENT: "Mẫu 02 – Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    FormKind.REFUSAL: "Mẫu 03 – Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    FormKind.APOLOGY: "Mẫu 04 – Văn bản xin lỗi và đề nghị gia hạn",
    FormKind.STOP: "Mẫu 05 – Thông báo dừng giải quyết hồ sơ",
    FormKind.CONTROL: "Mẫu 06 – Phiếu kiểm soát quá trình giải quyết hồ sơ",
}


@dataclass(frozen=True)
class IssuedForm:
    kind: FormKind
    title: str
    event_id: str | None  # the step the form belongs to (None: the dossier as a whole)
    at: datetime


BLANK_NUMBER = "......../......"  # "Số: …/…": the clerk's office writes the register number by hand
SIGNER_FALLBACK = "THỦ TRƯỞNG CƠ QUAN"


def office_header(settings: OfficeSettings) -> OfficeHeader:
    return OfficeHeader(parent_body=settings.parent_body.upper(), center_name=settings.center_name.upper(),
                        place_name=settings.place_name)


def issuer_header(settings: OfficeSettings, unit: str) -> OfficeHeader:
    """The header of a letter issued by `unit`: the centre under its parent body, or a body (the
    commune's People's Committee, another agency) standing alone, as its own documents head."""
    if unit.strip().casefold() == settings.center_name.strip().casefold():
        return office_header(settings)
    return OfficeHeader(parent_body="", center_name=unit.upper(), place_name=settings.place_name)


def _signer(p: DossierExtended | DossierStopped) -> tuple[str, str, str]:
    """(authority line, title, name) of a letter's signer from what the step recorded."""
    title = p.signer_title.strip()
    if not title:  # recorded before a signer's title was required: leave the name for the signer to write
        return "", SIGNER_FALLBACK, ""
    authority, printed = sign_lines(title)
    return authority, printed, p.signer_name


def forms_of(d: DossierView) -> list[IssuedForm]:
    """Every form this dossier has had issued so far, for reprinting."""
    out = [IssuedForm(FormKind.RECEIPT, FORM_TITLE[FormKind.RECEIPT], None, d.received_at),
           IssuedForm(FormKind.CONTROL, FORM_TITLE[FormKind.CONTROL], None, d.received_at)]
    kinds = {"supplement_requested": FormKind.SUPPLEMENT, "extended": FormKind.APOLOGY, "stopped": FormKind.STOP}
    for st in d.steps:
        if st.kind in kinds and st.applied and st.details is not None:
            kind = kinds[st.kind]
            out.append(IssuedForm(kind, f"{FORM_TITLE[kind]} ({st.at:%H:%M %d/%m/%Y})", st.event_id, st.at))
    return out


def receipt_data(settings: OfficeSettings, d: DossierView) -> ReceiptData:
    return ReceiptData(
        header=office_header(settings), code=d.code, lookup_url=settings.lookup_url(d.code),
        receiving_unit=settings.center_name, competent_unit=d.competent_unit, applicant_name=d.applicant_name,
        applicant_id_number=d.id_number, address=d.address, phone=d.phone, email=d.email, channel=d.channel_text,
        procedure_name=d.procedure_name, procedure_code=d.procedure_code,
        papers=tuple(PaperLine(p.name, p.original, p.copy, p.count) for p in d.papers),
        sets_count=d.sets_count, duration_text=Duration.from_json(d.duration).describe(), received_at=d.received_at,
        due_at=d.original_due_at, return_method=return_place(d.return_method, settings.center_name),
        fee_text=d.fee_text, volume=d.volume, number=d.number, clerk_name=d.clerk_name, note=d.note,
        in_person=d.channel == "direct", result_by_post=d.return_method == "post",
    )


def _verdict(d: DossierView, at: datetime, cal: WorkCalendar) -> str:
    return VERDICT.get(classify_result(d.original_due_at, at, cal), "")


def control_slip_data(settings: OfficeSettings, d: DossierView, cal: WorkCalendar,
                      staff: frozenset[str] = frozenset()) -> ControlSlipData:
    """Form 06 from the dossier's hand-overs. `staff`: names, titles and units of this office's own
    accounts; a hand-over to one of them is inside the office, never a co-operating agency."""
    counter = settings.center_name
    rows = []
    for st in (x for x in d.steps if x.applied):
        if st.kind == "transferred":
            rows.append(HandoverRow(giver_unit=counter if not rows or rows[-1].receiver_unit == counter
                                    else rows[-1].receiver_unit,
                                    receiver_unit=st.unit or st.receiver, handed_at=st.at, giver_name=st.giver,
                                    receiver_name=st.receiver, result=_verdict(d, st.at, cal), note=st.note))
        elif st.kind in ("handed_back", "result_ready"):
            note = st.note or (f"Trả kết quả về {counter}" if st.kind == "result_ready" else "Chuyển lại")
            rows.append(HandoverRow(giver_unit=st.unit or "Bộ phận chuyên môn", receiver_unit=counter,
                                    handed_at=st.at, giver_name=st.giver, receiver_name=st.receiver,
                                    result=_verdict(d, st.at, cal), note=note))
    inside = {x.casefold() for x in (counter, d.competent_unit, settings.parent_body, *staff) if x}
    units = []
    for r in rows:
        if r.receiver_unit.casefold() not in inside and r.receiver_unit not in units:
            units.append(r.receiver_unit)
    return ControlSlipData(header=office_header(settings), code=d.code, competent_unit=d.competent_unit,
                           cooperating_units=tuple(units), rows=tuple(rows), issued_at=d.received_at,
                           applicant_name=d.applicant_name, procedure_name=d.procedure_name,
                           received_at=d.received_at, due_at=d.original_due_at,
                           blank_rows=max(0, 3 - len(rows)))


def _step(d: DossierView, event_id: str | None, kind: str) -> StepView:
    steps = [s for s in d.steps if s.kind == kind and s.applied and s.details is not None
             and (event_id is None or s.event_id == event_id)]
    if not steps:
        raise NotFound(f"Hồ sơ {d.code} chưa có bước “{kind}” để in mẫu này.")
    return steps[-1]


def supplement_data(settings: OfficeSettings, d: DossierView, st: StepView) -> SupplementData:
    p: SupplementRequested = st.details
    items = tuple(SupplementItem(i.name, i.count, i.original, i.certified, i.photo) for i in p.items)
    return SupplementData(header=office_header(settings), issued_at=st.at, applicant_name=d.applicant_name,
                          address=d.address, phone=d.phone, procedure_name=d.procedure_name, items=items,
                          reason=p.reason, clerk_name=st.actor_name, clerk_unit=settings.center_name,
                          clerk_phone=settings.contact_phone, code=d.code, email=d.email,
                          procedure_code=d.procedure_code, received_at=d.received_at)


def issuing_unit(settings: OfficeSettings, d: DossierView) -> str:
    """Who issues forms 04 and 05 of a dossier: the body competent to decide it (it caused the delay,
    it stops the processing), the commune's People's Committee when the catalogue names none."""
    return d.competent_unit or settings.parent_body


def apology_data(settings: OfficeSettings, d: DossierView, st: StepView) -> ApologyData:
    p: DossierExtended = st.details
    unit = issuing_unit(settings, d)
    authority, title, name = _signer(p)
    return ApologyData(header=issuer_header(settings, unit), issued_at=st.at, applicant_name=d.applicant_name,
                       code=d.code, procedure_name=d.procedure_name, received_at=d.received_at,
                       original_due_at=(p.old_due_at or d.original_due_at).astimezone(TZ),
                       delay_reason=p.reason, new_due_at=p.new_due_at.astimezone(TZ),
                       responsible_unit=unit, signer_title=title, signer_name=name, signer_authority=authority,
                       receiving_unit=settings.center_name, address=d.address, procedure_code=d.procedure_code,
                       number=BLANK_NUMBER,
                       recipients=(f"Ông/Bà {d.applicant_name};", f"{settings.center_name};", "Lưu: VT."))


def stop_data(settings: OfficeSettings, d: DossierView, st: StepView) -> StopNoticeData:
    p: DossierStopped = st.details
    request_text = f"Giải quyết thủ tục “{d.procedure_name}”"
    if p.requested_by:
        request_text += f"; {p.requested_by} đề nghị dừng giải quyết"
    unit = issuing_unit(settings, d)
    authority, title, name = _signer(p)
    return StopNoticeData(header=issuer_header(settings, unit), issued_at=st.at, applicant_name=d.applicant_name,
                          address=d.address, phone=d.phone, code=d.code, procedure_name=d.procedure_name,
                          received_at=d.received_at, request_text=request_text,
                          stage_text=p.stage, decision_text=p.reason, fee_text=p.fee_note, issuing_unit=unit,
                          signer_title=title,
                          signer_name=name, signer_authority=authority, number=BLANK_NUMBER,
                          procedure_code=d.procedure_code, due_at=d.due_at,
                          recipients=(f"Ông/Bà {d.applicant_name};", f"{settings.center_name};", "Lưu: VT."))


def _staff_names(s) -> frozenset[str]:
    out = set()
    for u in s.scalars(select(User)):
        out |= {x for x in (u.full_name, u.title, u.unit) if x}
    return frozenset(out)


def dossier_form_pdf(db: Database, key: str, kind: FormKind | str, *, event_id: str | None = None,
                     page_size: str | None = None) -> bytes:
    """Form `kind` of a dossier; for 02/04/05 the step `event_id` (default: the latest such step)."""
    kind = FormKind(kind)
    d = get_dossier(db, key)
    with db.reading() as s:
        settings = load_settings(s)
        cal = office_calendar(s, settings)
        staff = _staff_names(s) if kind == FormKind.CONTROL else frozenset()
    size = page_size or settings.paper_size
    if kind == FormKind.RECEIPT:
        return build_receipt_pdf(receipt_data(settings, d), page_size=size)
    if kind == FormKind.CONTROL:
        return build_control_slip_pdf(control_slip_data(settings, d, cal, staff), page_size=size)
    if kind == FormKind.SUPPLEMENT:
        return build_supplement_pdf(supplement_data(settings, d, _step(d, event_id, "supplement_requested")),
                                    page_size=size)
    if kind == FormKind.APOLOGY:
        return build_apology_pdf(apology_data(settings, d, _step(d, event_id, "extended")), page_size=size)
    if kind == FormKind.STOP:
        return build_stop_notice_pdf(stop_data(settings, d, _step(d, event_id, "stopped")), page_size=size)
    raise NotFound(f"Mẫu {kind} không in theo hồ sơ; phiếu từ chối in theo lượt tiếp nhận.")


def receipt_pdf(db: Database, key: str, *, page_size: str | None = None) -> bytes:
    """The two-copy receipt (form 01) of a dossier. Tens of milliseconds: call it off the UI thread."""
    return dossier_form_pdf(db, key, FormKind.RECEIPT, page_size=page_size)


def intake_slip_pdf(db: Database, event_id: str, *, page_size: str | None = None) -> bytes:
    """Guidance slip (form 02, no dossier code) or refusal (form 03) of an intake without a dossier."""
    with db.reading() as s:
        slip = s.get(IntakeSlip, event_id) or s.scalar(select(IntakeSlip).where(IntakeSlip.event_id == event_id))
        if slip is None:
            raise NotFound("Không tìm thấy phiếu hướng dẫn / từ chối này.")
        settings = load_settings(s)
    size = page_size or settings.paper_size
    at = slip.at.astimezone(TZ)
    if slip.kind == "guidance":
        items = tuple(SupplementItem(i.name, i.count, i.original, i.certified, i.photo)
                      for i in map(RequestedItem.model_validate, slip.items))
        return build_supplement_pdf(SupplementData(
            header=office_header(settings), issued_at=at, applicant_name=slip.applicant_name, address=slip.address,
            phone=slip.phone, procedure_name=slip.procedure_name, items=items, reason=slip.reason,
            clerk_name=slip.clerk_name, clerk_unit=settings.center_name, clerk_phone=settings.contact_phone,
            procedure_code=slip.procedure_code),
            page_size=size)
    return build_refusal_pdf(RefusalData(
        header=office_header(settings), issued_at=at, receiving_unit=settings.center_name,
        applicant_name=slip.applicant_name, address=slip.address, phone=slip.phone,
        procedure_name=slip.procedure_name, reason=slip.reason, clerk_name=slip.clerk_name,
        procedure_code=slip.procedure_code), page_size=size)
