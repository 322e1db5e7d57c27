"""Printable forms of a dossier: builds the plain form data from the projections and renders PDF bytes."""

from __future__ import annotations

from app.domain.deadline import Duration
from app.printing.receipt import OfficeHeader, PaperLine, ReceiptData, build_receipt_pdf
from app.services.database import Database
from app.services.dossiers import DossierView, get_dossier
from app.services.settings import OfficeSettings, load_settings


def office_header(settings: OfficeSettings) -> OfficeHeader:
    return OfficeHeader(parent_body=settings.parent_body.upper(), center_name=settings.center_name.upper(),
                        place_name=settings.place_name)


def receipt_data(settings: OfficeSettings, d: DossierView) -> ReceiptData:
    return ReceiptData(
        header=office_header(settings),
        code=d.code,
        lookup_url=settings.lookup_url(d.code),
        receiving_unit=settings.center_name,
        competent_unit=d.competent_unit,
        applicant_name=d.applicant_name,
        applicant_id_number=d.id_number,
        address=d.address,
        phone=d.phone,
        email=d.email,
        channel=d.channel_text,
        procedure_name=d.procedure_name,
        procedure_code=d.procedure_code,
        papers=tuple(PaperLine(p["name"], bool(p["original"]), bool(p["copy"]), int(p["count"])) for p in d.papers),
        sets_count=d.sets_count,
        duration_text=_duration_text(d),
        received_at=d.received_at,
        due_at=d.original_due_at,
        return_method=d.return_method_text,
        fee_text=d.fee_text,
        volume=d.volume,
        number=d.number,
        clerk_name=d.clerk_name,
        note=d.note,
    )


def _duration_text(d: DossierView) -> str:
    return Duration.from_json(d.duration).describe()


def receipt_pdf(db: Database, key: str, *, page_size: str | None = None) -> bytes:
    """The two-copy receipt (form 01) of a dossier. Slow-ish (tens of ms): call it off the UI thread."""
    d = get_dossier(db, key)
    with db.reading() as s:
        settings = load_settings(s)
    return build_receipt_pdf(receipt_data(settings, d), page_size=page_size or settings.paper_size)
