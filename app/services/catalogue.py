"""The procedure catalogue: import from a data file, search by code or accent-free name, read one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.calendar import TZ
from app.domain.deadline import Duration, DurationKind
from app.domain.text import nfc, search_key
from app.eventlog import DeviceContext, append
from app.eventlog.payloads import ALWAYS, CatalogueProcedure, CataloguePublished, DurationData, PaperSpecData
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
    version: str = ""  # the catalogue version this definition comes from (recorded with each dossier)
    effective_from: date | None = None  # None: in effect whatever the day

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
        version=p.catalogue_version,
        effective_from=None if p.effective_from == ALWAYS else p.effective_from,
    )


def _in_effect(rows, on: date) -> list[Procedure]:
    """Per code, the definition in effect on day `on` (rows in any order), active ones only."""
    best: dict[str, Procedure] = {}
    for p in rows:
        if p.effective_from <= on and (p.code not in best or p.effective_from > best[p.code].effective_from):
            best[p.code] = p
    return [p for p in best.values() if p.active]


def _today(db: Database | None) -> date:
    return (db.clock() if db is not None else datetime.now(UTC)).astimezone(TZ).date()


def catalogue_payload(data: dict, *, effective_from: date | None = None) -> CataloguePublished:
    """A catalogue file (the JSON shape of resources/catalogue) as the event that publishes it, in effect from
    `effective_from` (or the file's "effective_from", dd/mm/yyyy or yyyy-mm-dd; neither: at once)."""
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
    if effective_from is None and data.get("effective_from"):
        effective_from = parse_day(str(data["effective_from"]))
    return CataloguePublished(version=str(data.get("version", "unversioned")), source=str(data.get("source", "")),
                              procedures=tuple(items), effective_from=effective_from)


def parse_day(text: str) -> date:
    """dd/mm/yyyy (as people write it) or yyyy-mm-dd; a clear message otherwise."""
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ServiceError(f"Ngày hiệu lực “{text}” không hợp lệ; hãy ghi theo dạng ngày/tháng/năm, ví dụ 01/01/2027.")


@dataclass(frozen=True)
class CatalogueImported:
    procedures: int
    version: str
    effective_from: date | None  # None: in effect at once


def import_catalogue(s: Session, device: DeviceContext, data: dict, *, now, actor_id: str | None = None,
                     effective_from: date | None = None) -> CatalogueImported:
    """Publish `data` as the commune's catalogue (an event), in effect from `effective_from` (None: at once).

    Procedures missing from the new version are deactivated from its effective date, never deleted: old
    dossiers name them. Dossiers received earlier keep the deadlines computed with the version they got.
    """
    payload = catalogue_payload(data, effective_from=effective_from)
    today = now.astimezone(TZ).date()
    if payload.effective_from is not None and payload.effective_from > today:
        current = _in_effect(s.scalars(select(Procedure).where(Procedure.effective_from <= today)), today)
        if not current:
            raise ServiceError("Đơn vị chưa có danh mục thủ tục nào đang áp dụng, nên danh mục đầu tiên phải áp "
                               "dụng ngay (bỏ ngày hiệu lực).")
    append(s, device, payload, stream_id=reference_stream(CATALOGUE, device.agency_code), actor_id=actor_id,
           occurred_at=now)
    return CatalogueImported(len(payload.procedures), payload.version, payload.effective_from)


def read_catalogue_file(path: Path | str) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise ServiceError(f"Không đọc được tệp danh mục {path}: {why}. Tệp phải là JSON theo mẫu danh mục của "
                           "MotCua (mục “procedures”).") from exc


def import_catalogue_file(db: Database, path: Path | str, *, actor_id: str | None,
                          effective_from: date | None = None) -> CatalogueImported:
    """An administrator (`actor_id`) publishes the catalogue in `path` to the commune, in effect from
    `effective_from` (None: at once). Returns its size, version and date."""
    data = read_catalogue_file(path)
    with db.transaction() as s:
        require_account(s, actor_id, Permission.ADMINISTER)
        return import_catalogue(s, db.device, data, now=db.clock(), actor_id=actor_id, effective_from=effective_from)


def seed_catalogue_file(db: Database, path: Path | str | None = None) -> CatalogueImported:
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
    """The version of the catalogue in effect today and its size, for the administrator's screen (a version
    published to apply later is not counted here: see catalogue_versions)."""
    with db.reading() as s:
        row = s.get(ReferenceVersion, "catalogue")
        active = _in_effect(s.scalars(select(Procedure)), _today(db))
    versions = {p.catalogue_version for p in active}
    version = versions.pop() if len(versions) == 1 else (row.version if row else "")
    return CatalogueSummary(version, "", len(active), len({p.field for p in active}),
                            row.updated_at if row else None)


def catalogue_version(s: Session) -> str:
    """The latest catalogue version published (which may take effect later); see ProcedureInfo.version."""
    row = s.get(ReferenceVersion, "catalogue")
    return row.version if row else "none"


@dataclass(frozen=True)
class CatalogueVersion:
    version: str
    effective_from: date | None  # None: at once
    procedures: int  # active in it


def catalogue_versions(db: Database) -> list[CatalogueVersion]:
    """The versions the projections hold, by effective date (the one in effect today is the last one not
    after today; later ones are scheduled)."""
    with db.reading() as s:
        rows = s.execute(select(Procedure.effective_from, Procedure.catalogue_version, Procedure.active)).all()
    counts: dict[tuple, int] = {}
    for eff, version, active in rows:
        counts[(eff, version)] = counts.get((eff, version), 0) + bool(active)
    return [CatalogueVersion(v, None if e == ALWAYS else e, n) for (e, v), n in sorted(counts.items())]


def all_procedures(db: Database, *, on: date | None = None) -> list[ProcedureInfo]:
    """The procedures in effect on day `on` (default: today)."""
    with db.reading() as s:
        rows = _in_effect(s.scalars(select(Procedure)), on or _today(db))
    return [_info(p) for p in sorted(rows, key=lambda p: (p.field, p.name))]


def search_procedures(db: Database, text: str, *, limit: int = 50) -> list[ProcedureInfo]:
    """Accent- and case-free: "khai sinh" finds "Đăng ký khai sinh", "2.000815" the certified copy.

    Every word must appear; a code prefix match ranks first, then the most used procedures.
    """
    words = search_key(text).split()
    with db.reading() as s:
        rows = _in_effect(s.scalars(select(Procedure)), _today(db))
    hits = [p for p in rows if all(w in p.search_key for w in words)]
    query = search_key(text)
    hits.sort(key=lambda p: (not p.code.lower().startswith(query), -p.frequency, p.name))
    return [_info(p) for p in hits[:limit]]


P = Procedure.__table__
_ONE = select(P)


def get_procedure(db: Database | None, code: str, *, session: Session | None = None,
                  on: date | None = None) -> ProcedureInfo:
    """The procedure as the catalogue in effect on day `on` (default: today) defines it."""
    day = on or _today(db)

    def find(s: Session) -> ProcedureInfo:
        # a Core row (read like the ORM object by _info): this runs in every reception and due preview
        p = s.execute(_ONE.where(P.c.code == code, P.c.effective_from <= day)
                      .order_by(P.c.effective_from.desc()).limit(1)).first()
        if p is None or not p.active:
            raise NotFound(f"Không có thủ tục mã “{code}” trong danh mục áp dụng ngày {day:%d/%m/%Y}.")
        return _info(p)

    if session is not None:
        return find(session)
    with db.reading() as s:
        return find(s)
