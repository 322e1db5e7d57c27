"""The procedure catalogue: import from a data file, search by code or accent-free name, read one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.deadline import Duration, DurationKind
from app.domain.text import nfc, search_key
from app.eventlog import DeviceContext, append
from app.eventlog.payloads import CatalogueProcedure, CataloguePublished, DurationData, PaperSpecData
from app.eventlog.registry import CATALOGUE, reference_stream
from app.services.access import Permission, require_account
from app.services.database import Database
from app.services.errors import NotFound, ServiceError
from db.models import Procedure, ReferenceVersion
from resources import resource

SEED_CATALOGUE = resource("catalogue", "catalogue.json")


@dataclass(frozen=True)
class PaperSpec:
    name: str
    original: bool
    copy: bool
    count: int
    required: bool = True


@dataclass(frozen=True)
class ProcedureInfo:
    code: str
    name: str
    field: str
    competent_unit: str
    duration: Duration
    duration_note: str
    fee_text: str
    papers: tuple[PaperSpec, ...]
    frequency: float = 0.0

    @property
    def label(self) -> str:
        return f"{self.code} – {self.name}"


def _info(p: Procedure) -> ProcedureInfo:
    return ProcedureInfo(
        code=p.code,
        name=p.name,
        field=p.field,
        competent_unit=p.competent_unit,
        duration=Duration(DurationKind(p.duration_kind), p.duration_value),
        duration_note=p.duration_note,
        fee_text=p.fee_text,
        papers=tuple(PaperSpec(x["name"], bool(x.get("original")), bool(x.get("copy")), int(x.get("count", 1)),
                               bool(x.get("required", True))) for x in p.papers),
        frequency=p.frequency,
    )


def catalogue_payload(data: dict) -> CataloguePublished:
    """A catalogue file (the JSON shape of resources/catalogue) as the event that publishes it."""
    procedures = data.get("procedures") if isinstance(data, dict) else None
    if not isinstance(procedures, list) or not procedures:
        raise ServiceError("Tệp danh mục thủ tục không có thủ tục nào (thiếu mục “procedures”).")
    items, seen = [], set()
    for i, item in enumerate(procedures, 1):
        try:
            code = nfc(item["code"])
            kind = DurationKind(item["duration"]["kind"])
            fee = item.get("fee") or {}
            papers = tuple(PaperSpecData(name=nfc(x["name"]), original=bool(x.get("original", False)),
                                         copy=bool(x.get("copy", False)), count=int(x.get("count", 1)),
                                         required=bool(x.get("required", True))) for x in item.get("papers", []))
            items.append(CatalogueProcedure(
                code=code, name=nfc(item["name"]), field=nfc(item.get("field", "Khác")),
                competent_unit=nfc(item.get("competent_unit", "")),
                duration=DurationData(kind=kind.value, value=float(item["duration"].get("value", 0))),
                duration_note=nfc(item.get("duration_note", "")),
                fee_text=nfc(fee.get("text", "") if isinstance(fee, dict) else str(fee)),
                papers=papers, frequency=float(item.get("frequency", 0)), active=True))
        except (KeyError, TypeError, ValueError) as exc:
            raise ServiceError(f"Thủ tục thứ {i} trong tệp danh mục thiếu mã hoặc thời hạn hợp lệ ({exc}).") from exc
        if code in seen:
            raise ServiceError(f"Mã thủ tục {code} xuất hiện hai lần trong tệp danh mục.")
        seen.add(code)
    return CataloguePublished(version=str(data.get("version", "unversioned")), source=str(data.get("source", "")),
                              procedures=tuple(items))


def import_catalogue(s: Session, device: DeviceContext, data: dict, *, now, actor_id: str | None = None) -> int:
    """Publish `data` as the commune's catalogue (an event). Returns the number of procedures.

    Procedures missing from the new version are deactivated, never deleted: old dossiers name them.
    """
    payload = catalogue_payload(data)
    append(s, device, payload, stream_id=reference_stream(CATALOGUE, device.agency_code), actor_id=actor_id,
           occurred_at=now)
    return len(payload.procedures)


def read_catalogue_file(path: Path | str) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise ServiceError(f"Không đọc được tệp danh mục {path}: {why}. Tệp phải là JSON theo mẫu danh mục của "
                           "MotCua (mục “procedures”).") from exc


def import_catalogue_file(db: Database, path: Path | str, *, actor_id: str | None) -> int:
    """An administrator (`actor_id`) publishes the catalogue in `path` to the commune. Returns its size."""
    data = read_catalogue_file(path)
    with db.transaction() as s:
        require_account(s, actor_id, Permission.ADMINISTER)
        return import_catalogue(s, db.device, data, now=db.clock(), actor_id=actor_id)


def seed_catalogue_file(db: Database, path: Path | str | None = None) -> int:
    """The first catalogue of a new office (set-up, before anyone can sign in): the seed one by default."""
    data = read_catalogue_file(path or SEED_CATALOGUE)
    with db.transaction() as s:
        return import_catalogue(s, db.device, data, now=db.clock())


@dataclass(frozen=True)
class CatalogueSummary:
    version: str
    source: str
    procedures: int
    fields: int
    updated_at: object  # UTC datetime or None


def catalogue_summary(db: Database) -> CatalogueSummary:
    """The version of the catalogue in use and its size, for the administrator's screen."""
    with db.reading() as s:
        row = s.get(ReferenceVersion, "catalogue")
        active = list(s.scalars(select(Procedure).where(Procedure.active.is_(True))))
    return CatalogueSummary(row.version if row else "", "", len(active), len({p.field for p in active}),
                            row.updated_at if row else None)


def catalogue_version(s: Session) -> str:
    row = s.get(ReferenceVersion, "catalogue")
    return row.version if row else "none"


def all_procedures(db: Database) -> list[ProcedureInfo]:
    with db.reading() as s:
        rows = s.scalars(select(Procedure).where(Procedure.active.is_(True)).order_by(Procedure.field, Procedure.name))
        return [_info(p) for p in rows]


def search_procedures(db: Database, text: str, *, limit: int = 50) -> list[ProcedureInfo]:
    """Accent- and case-free: "khai sinh" finds "Đăng ký khai sinh", "2.000815" the certified copy.

    Every word must appear; a code prefix match ranks first, then the most used procedures.
    """
    words = search_key(text).split()
    with db.reading() as s:
        rows = list(s.scalars(select(Procedure).where(Procedure.active.is_(True))))
    hits = [p for p in rows if all(w in p.search_key for w in words)]
    query = search_key(text)
    hits.sort(key=lambda p: (not p.code.lower().startswith(query), -p.frequency, p.name))
    return [_info(p) for p in hits[:limit]]


def get_procedure(db: Database | None, code: str, *, session: Session | None = None) -> ProcedureInfo:
    def find(s: Session) -> ProcedureInfo:
        p = s.get(Procedure, code)
        if p is None or not p.active:
            raise NotFound(f"Không có thủ tục mã “{code}” trong danh mục đang dùng.")
        return _info(p)

    if session is not None:
        return find(session)
    with db.reading() as s:
        return find(s)
