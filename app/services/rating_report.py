"""The satisfaction report (DOMAIN §7): satisfaction % by clerk, field, procedure and month, the count of each
level, the reasons given, the comments, against the national targets; as plain data, JSON, Excel and PDF.

Definitions:
- A rating counts when it is the first of its dossier (``ratings.counted``) and was made (kiosk clock) on a
  local day of the period. Later attempts are kept in the log and reported only as ``not_counted``.
- Satisfaction % = satisfied ratings / counted ratings × 100, rounded half up to one decimal; "satisfied" is
  the two top levels of either scale (app.domain.rating).
- The clerk of a rating is the one the kiosk recorded (the clerk who invited, or who served the scanned
  dossier), else the clerk who returned the dossier's result, else the one who received it. The field and the
  procedure are the dossier's, joined by code; a rating whose dossier this file does not hold is grouped
  under "Chưa rõ" until the dossier arrives.
- Who sees what: a leader (or an administrator) sees per-clerk figures and the comments; a clerk sees the
  office's figures only, never who was rated how nor a comment (`for_viewer`).
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, Side
from sqlalchemy import select

from app.domain.calendar import TZ
from app.domain.rating import (
    ALL_LEVELS,
    LEVEL_TEXT,
    TARGETS,
    levels_of,
    percent_text,
    satisfaction_percent,
    target_for,
)
from app.domain.text import search_key
from app.services.database import Database
from app.services.settings import load_settings
from app.services.stats import period_label
from app.services.users import UserInfo
from db.models import Dossier, DossierStep, Rating, User

TITLE = "BÁO CÁO MỨC ĐỘ HÀI LÒNG CỦA NGƯỜI DÂN, TỔ CHỨC"
UNKNOWN_FIELD = "Chưa rõ (hồ sơ chưa có trên máy này)"
UNKNOWN_PROCEDURE = "Chưa rõ thủ tục"
UNKNOWN_CLERK = "Chưa rõ cán bộ"
LEADER_ROLES = ("leader", "admin")


@dataclass(frozen=True)
class RatingGroup:
    """The ratings of one clerk, field, procedure or month."""

    key: str
    label: str
    total: int
    satisfied: int
    levels: dict[str, int] = field(default_factory=dict)

    @property
    def percent(self) -> float | None:
        return satisfaction_percent(self.satisfied, self.total)


@dataclass(frozen=True)
class RatingComment:
    rated_at: datetime  # local
    level: str
    reasons: tuple[str, ...]
    comment: str
    field: str
    procedure: str
    clerk: str  # "" in a clerk's view


@dataclass(frozen=True)
class RatingsReport:
    date_from: date
    date_to: date
    unit_name: str
    parent_body: str
    place_name: str
    generated_at: datetime  # local
    total: int
    satisfied: int
    by_level: tuple[tuple[str, int], ...]  # every level of the scales in use, best first
    by_clerk: tuple[RatingGroup, ...]
    by_field: tuple[RatingGroup, ...]
    by_procedure: tuple[RatingGroup, ...]
    by_month: tuple[RatingGroup, ...]
    reasons: tuple[tuple[str, int], ...]  # most given first
    low_total: int  # ratings after which reasons were asked
    comments: tuple[RatingComment, ...]
    not_counted: int  # second attempts for an already rated dossier, kept in the log
    per_clerk: bool  # by_clerk and comments belong to this view
    note: str = ""  # e.g. a clerk's view stops at yesterday

    @property
    def percent(self) -> float | None:
        return satisfaction_percent(self.satisfied, self.total)

    @property
    def target(self) -> float:
        return target_for(self.date_to.year)

    @property
    def period(self) -> str:
        return period_label(self.date_from, self.date_to)

    def verdict(self, share: float) -> str:
        """"đạt" / "chưa đạt" of the figure against a target share."""
        p = self.percent
        return "—" if p is None else ("đạt" if p >= share else "chưa đạt")


def _day_start(d: date) -> datetime:
    return datetime.combine(d, datetime.min.time(), tzinfo=TZ)


def _group(key: str, label: str, rows: list[dict]) -> RatingGroup:
    levels = Counter(r["level"] for r in rows)
    return RatingGroup(key, label, len(rows), sum(1 for r in rows if r["satisfied"]), dict(levels))


def for_viewer(user: UserInfo | None) -> bool:
    """Whether `user` sees per-clerk figures and comments (a leader or an administrator; None: a command run
    by IT staff on the office's file)."""
    return user is None or user.role in LEADER_ROLES


def compute_ratings(db: Database, date_from: date, date_to: date, *, per_clerk: bool = True,
                    until_yesterday: bool = False, now: datetime | None = None) -> RatingsReport:
    """The satisfaction report of [date_from, date_to]. `per_clerk` adds the per-clerk figures and comments
    (a leader's view). `until_yesterday` stops the period at yesterday (a clerk's view: today's figures
    would tell a clerk how the citizen who just left rated)."""
    if date_to < date_from:
        raise ValueError("date_to is before date_from")
    now = (now or db.clock()).astimezone(TZ)
    note = ""
    if until_yesterday and date_to >= now.date():
        date_to = now.date() - timedelta(days=1)  # before date_from when the period is today: nothing shown
        note = ("Số liệu đến hết ngày hôm qua: đánh giá trong ngày không hiện ở đây, để không ai đoán được người "
                "vừa đánh giá đã chọn mức nào.")
    f0, t1 = _day_start(date_from), _day_start(date_to + timedelta(days=1))
    with db.reading() as s:
        settings = load_settings(s)
        rows = [{"event_id": r.event_id, "code": r.code, "level": r.level, "scale": r.scale,
                 "satisfied": r.satisfied, "counted": r.counted, "clerk_id": r.clerk_id, "rated_at": r.rated_at,
                 "reasons": tuple(r.reasons or ()), "comment": r.comment or ""}
                for r in s.scalars(select(Rating).where(Rating.rated_at >= f0, Rating.rated_at < t1))]
        codes = sorted({r["code"] for r in rows})
        dossiers: dict[str, Dossier] = {}
        for i in range(0, len(codes), 500):
            for d in s.scalars(select(Dossier).where(Dossier.code.in_(codes[i:i + 500]))
                               .order_by(Dossier.received_at.desc())):
                dossiers[d.code] = d  # the earliest received wins a (flagged) code clash
        ids = [d.id for d in dossiers.values()]
        returned_by: dict[str, str] = {}
        for i in range(0, len(ids), 500):
            for st in s.scalars(select(DossierStep).where(DossierStep.dossier_id.in_(ids[i:i + 500]),
                                                          DossierStep.kind == "returned",
                                                          DossierStep.applied.is_(True))
                                .order_by(DossierStep.position)):
                if st.actor_id:
                    returned_by[st.dossier_id] = st.actor_id
        names = {u.id: u.full_name for u in s.scalars(select(User))}
    counted = [r for r in rows if r["counted"]]
    not_counted = len(rows) - len(counted)
    for r in counted:
        d = dossiers.get(r["code"])
        r["field"] = d.field if d else UNKNOWN_FIELD
        r["procedure_key"] = d.procedure_code if d else ""
        r["procedure"] = d.procedure_name if d else UNKNOWN_PROCEDURE
        r["clerk"] = r["clerk_id"] or (returned_by.get(d.id) or d.clerk_id or "" if d else "")
        local = r["rated_at"].astimezone(TZ)
        r["local"] = local
        r["month"] = f"{local:%Y-%m}"
    scales = {r["scale"] for r in counted} | {settings.rating_scale if settings.rating_scale in (3, 5) else 3}
    shown_levels = [lv for lv in ALL_LEVELS if any(lv in levels_of(sc) for sc in scales)]
    levels = Counter(r["level"] for r in counted)

    def groups(key_of, label_of, order=None) -> tuple[RatingGroup, ...]:
        bucket: dict[str, list[dict]] = defaultdict(list)
        for r in counted:
            bucket[key_of(r)].append(r)
        out = [_group(k, label_of(k, v), v) for k, v in bucket.items()]
        out.sort(key=order or (lambda g: search_key(g.label)))
        return tuple(out)

    months = []
    y, m = date_from.year, date_from.month
    while (y, m) <= (date_to.year, date_to.month):
        key = f"{y:04d}-{m:02d}"
        months.append(_group(key, f"Tháng {m:02d}/{y}", [r for r in counted if r["month"] == key]))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    reasons = Counter(x for r in counted for x in r["reasons"])
    low = sum(1 for r in counted if not r["satisfied"])
    comments = tuple(
        RatingComment(r["local"], r["level"], r["reasons"], r["comment"], r["field"], r["procedure"],
                      names.get(r["clerk"], UNKNOWN_CLERK) if per_clerk else "")
        for r in sorted(counted, key=lambda r: r["rated_at"]) if r["comment"]) if per_clerk else ()
    return RatingsReport(
        date_from=date_from, date_to=date_to, unit_name=settings.center_name,
        parent_body=settings.parent_body, place_name=settings.place_name, generated_at=now,
        total=len(counted), satisfied=sum(1 for r in counted if r["satisfied"]),
        by_level=tuple((lv, levels.get(lv, 0)) for lv in shown_levels),
        by_clerk=groups(lambda r: r["clerk"], lambda k, _v: names.get(k, UNKNOWN_CLERK)) if per_clerk else (),
        by_field=groups(lambda r: r["field"], lambda k, _v: k),
        by_procedure=groups(lambda r: r["procedure_key"] or r["procedure"], lambda _k, v: v[0]["procedure"]),
        by_month=tuple(months),
        reasons=tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], search_key(kv[0])))),
        low_total=low, comments=comments, not_counted=not_counted, per_clerk=per_clerk, note=note)


# --- JSON ---------------------------------------------------------------------------------------------------


def _group_json(g: RatingGroup, key_name: str) -> dict:
    return {key_name: g.key, "label": g.label, "total": g.total, "satisfied": g.satisfied, "percent": g.percent,
            "by_level": {lv: g.levels.get(lv, 0) for lv in ALL_LEVELS if g.levels.get(lv)}}


def ratings_json(report: RatingsReport) -> dict:
    """The report as plain JSON-able data; the keys the office's scripts read: total, satisfied, percent,
    by_level, by_clerk, by_field, by_month, reasons (and by_procedure, comments, targets)."""
    return {
        "unit_name": report.unit_name,
        "date_from": report.date_from.isoformat(),
        "date_to": report.date_to.isoformat(),
        "period": report.period,
        "generated_at": report.generated_at.isoformat(),
        "total": report.total,
        "satisfied": report.satisfied,
        "percent": report.percent,
        "by_level": [{"level": lv, "label": LEVEL_TEXT[lv], "count": n} for lv, n in report.by_level],
        "by_clerk": [{**_group_json(g, "clerk_id"), "name": g.label} for g in report.by_clerk],
        "by_field": [{**_group_json(g, "field"), "field": g.label} for g in report.by_field],
        "by_procedure": [{**_group_json(g, "procedure_code"), "procedure": g.label} for g in report.by_procedure],
        "by_month": [{**_group_json(g, "month")} for g in report.by_month],
        "reasons": [{"reason": r, "count": n} for r, n in report.reasons],
        "low_total": report.low_total,
        "comments": [{"rated_at": c.rated_at.isoformat(), "level": c.level, "reasons": list(c.reasons),
                      "comment": c.comment, "field": c.field, "procedure": c.procedure,
                      **({"clerk": c.clerk} if report.per_clerk else {})} for c in report.comments],
        "not_counted": report.not_counted,
        "targets": [{"year": y, "percent": share, "met": report.percent is not None and report.percent >= share}
                    for y, share in TARGETS],
        "note": report.note,
    }


# --- Excel --------------------------------------------------------------------------------------------------

_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD = Font(name="Times New Roman", bold=True, size=11)
_CELL = Font(name="Times New Roman", size=11)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _table(ws, top: int, head: list[str], rows: list[list], widths: list[int] | None = None) -> int:
    for c, title in enumerate(head, start=1):
        cell = ws.cell(row=top, column=c, value=title)
        cell.font, cell.alignment, cell.border = _HEAD, _CENTER, _BOX
    for i, row in enumerate(rows, start=top + 1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=i, column=c, value=value)
            cell.font, cell.border = _CELL, _BOX
            cell.alignment = _WRAP if isinstance(value, str) else Alignment(horizontal="right", vertical="top")
            if isinstance(value, float):
                cell.number_format = "0.0"
    for c, w in enumerate(widths or [], start=1):
        ws.column_dimensions[chr(64 + c)].width = w
    return top + len(rows) + 1


def _group_rows(groups: tuple[RatingGroup, ...], levels: list[str]) -> list[list]:
    return [[i, g.label, g.total, *[g.levels.get(lv, 0) for lv in levels], g.satisfied, g.percent]
            for i, g in enumerate(groups, start=1)]


def ratings_xlsx(report: RatingsReport) -> bytes:
    """Sheets: the summary (levels, targets), by month (with a chart), by field, by procedure, by clerk (a
    leader's view), reasons, comments (a leader's view)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Tong hop"
    levels = [lv for lv, _n in report.by_level]
    ws["A1"] = report.unit_name.upper()
    ws["A1"].font = Font(name="Times New Roman", bold=True, size=12)
    ws["A2"] = TITLE
    ws["A2"].font = Font(name="Times New Roman", bold=True, size=14)
    ws["A3"] = f"Kỳ báo cáo: {report.period} (từ ngày {report.date_from:%d/%m/%Y} đến ngày {report.date_to:%d/%m/%Y})"
    ws["A3"].font = Font(name="Times New Roman", italic=True, size=11)
    row = _table(ws, 5, ["Chỉ tiêu", "Số lượng", "Tỷ lệ (%)"],
                 [["Tổng số lượt đánh giá", report.total, 100.0 if report.total else None],
                  *[[LEVEL_TEXT[lv], n, satisfaction_percent(n, report.total)] for lv, n in report.by_level],
                  ["Hài lòng (Rất hài lòng và Hài lòng)", report.satisfied, report.percent]],
                 [44, 14, 14])
    row = _table(ws, row + 1, ["Mục tiêu", "Tỷ lệ hài lòng tối thiểu (%)", "Kết quả"],
                 [[f"Đến năm {y}", share, report.verdict(share)] for y, share in TARGETS])
    if report.note:
        ws.cell(row=row + 1, column=1, value=report.note).font = Font(name="Times New Roman", italic=True, size=10)
    head = ["STT", "", "Tổng số", *[LEVEL_TEXT[lv] for lv in levels], "Hài lòng", "Tỷ lệ hài lòng (%)"]
    sheets = [("Theo thang", "Tháng", report.by_month), ("Theo linh vuc", "Lĩnh vực", report.by_field),
              ("Theo thu tuc", "Thủ tục hành chính", report.by_procedure)]
    if report.per_clerk:
        sheets.append(("Theo can bo", "Cán bộ", report.by_clerk))
    for name, label, groups in sheets:
        sh = wb.create_sheet(name)
        end = _table(sh, 1, ["STT", label, *head[2:]], _group_rows(groups, levels),
                     [6, 44, 10, *[14] * len(levels), 10, 14])
        sh.freeze_panes = "C2"
        if name == "Theo thang" and groups:
            chart = BarChart()
            chart.title = "Tỷ lệ hài lòng theo tháng (%)"
            chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
            col = 3 + len(levels) + 2
            chart.add_data(Reference(sh, min_col=col, min_row=1, max_row=end - 1), titles_from_data=True)
            chart.set_categories(Reference(sh, min_col=2, min_row=2, max_row=end - 1))
            chart.legend = None
            sh.add_chart(chart, f"B{end + 2}")
    sh = wb.create_sheet("Ly do")
    _table(sh, 1, ["STT", "Lý do", "Số lượt"], [[i, r, n] for i, (r, n) in enumerate(report.reasons, start=1)],
           [6, 44, 10])
    if report.per_clerk:
        sh = wb.create_sheet("Gop y")
        _table(sh, 1, ["STT", "Thời gian", "Mức", "Lý do", "Góp ý", "Lĩnh vực", "Thủ tục", "Cán bộ"],
               [[i, f"{c.rated_at:%H:%M %d/%m/%Y}", LEVEL_TEXT[c.level], "; ".join(c.reasons), c.comment, c.field,
                 c.procedure, c.clerk] for i, c in enumerate(report.comments, start=1)],
               [6, 17, 16, 30, 50, 18, 36, 22])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- PDF ----------------------------------------------------------------------------------------------------


def ratings_pdf(report: RatingsReport, *, preparer_name: str = "", signer_title: str = "THỦ TRƯỞNG ĐƠN VỊ",
                signer_name: str = "") -> bytes:
    """The report as an A4 PDF (app.printing.ratings_report)."""
    from app.printing.common import OfficeHeader
    from app.printing.ratings_report import RatingsPdfData, build_ratings_pdf

    return build_ratings_pdf(RatingsPdfData(
        header=OfficeHeader(report.parent_body, report.unit_name, report.place_name), report=report,
        preparer_name=preparer_name, signer_title=signer_title, signer_name=signer_name))


def level_text(level: str) -> str:
    return LEVEL_TEXT.get(level, level)


__all__ = ["RatingComment", "RatingGroup", "RatingsReport", "compute_ratings", "for_viewer", "level_text",
           "percent_text", "ratings_json", "ratings_pdf", "ratings_xlsx"]
