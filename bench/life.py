"""Benchmarks of the issue "whole life of a dossier": search, stats, logbook."""

from __future__ import annotations

import random
import sqlite3
import statistics
from datetime import date
from pathlib import Path

from bench.core import Measure, Table, benchmark, time_calls
from bench.counter import bare_text_pdf, commune
from bench.generate import cached

SEARCH_FULL = {"dossiers": 1_000_000, "years": 10, "devices": 4}


def search_db(quick: bool) -> Path:
    return commune(True) if quick else cached(**SEARCH_FULL)


def query_mix(path: Path, *, per_kind: int, seed: int = 3) -> list[tuple[str, str]]:
    """(kind, text) pairs as a clerk types them, drawn from dossiers that are really in the file."""
    from app.domain.text import search_key

    rng = random.Random(seed)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        top = con.execute("SELECT max(rowid) FROM dossiers").fetchone()[0]
        rows = []
        while len(rows) < per_kind * 2:
            r = con.execute("SELECT code, applicant_name, phone, applicant_id_number, address FROM dossiers "
                            "WHERE rowid = ?", (rng.randint(1, top),)).fetchone()
            if r:
                rows.append(r)
    finally:
        con.close()
    mix: list[tuple[str, str]] = []
    for i in range(per_kind):
        code, name, phone, id_number, address = rows[i]
        words = search_key(name).split()
        hamlet = address.split(",")[-3].strip() if address.count(",") >= 3 else address
        mix += [
            ("full name, no accents", search_key(name)),
            ("surname only", "nguyen"),
            ("given name", words[-1]),
            ("phone prefix", phone[: rng.choice((4, 6, 7))]),
            ("ID number", id_number),
            ("exact code", code),
            ("address word", search_key(hamlet)),
        ]
        name2 = search_key(rows[per_kind + i][1])
        mix += [("typing 'ng'", "ng"), ("typing 'ngu'", "ngu"), ("typing 'nguy'", "nguy"),
                ("typing a name", name2[: rng.randint(5, len(name2))])]
    return mix


@benchmark("search", issue="whole life of a dossier",
           needs=("app.services.search:quick_search", "app.services.search:raw_index_query",
                  "app.services.search:like_scan"))
def search(quick: bool) -> Table:
    """quick_search over 1,000,000 dossiers for a realistic query mix vs the bare FTS5 MATCH and a LIKE scan."""
    from app.services.database import Database
    from app.services.search import like_scan, quick_search, raw_index_query

    path = search_db(quick)
    mix = query_mix(path, per_kind=3 if quick else 20)
    db = Database(path)
    try:
        for _, q in mix:  # warm: the counter's file is in the OS cache after the first minutes of the day
            raw_index_query(db, q, 50)
            quick_search(db, q, limit=50)
        by_kind: dict[str, tuple[list[float], list[float]]] = {}
        quick_all, raw_all, hits = [], [], []
        for kind, q in mix:
            [tr] = time_calls(lambda q=q: raw_index_query(db, q, 50), 1, warmup=0)
            [tq] = time_calls(lambda q=q: quick_search(db, q, limit=50), 1, warmup=0)
            raw_all.append(tr)
            quick_all.append(tq)
            by_kind.setdefault(kind, ([], []))
            by_kind[kind][0].append(tq)
            by_kind[kind][1].append(tr)
            hits.append(len(quick_search(db, q, limit=50)))
        # LIKE reads the whole table each time: one query of each kind.
        like_by_kind: dict[str, float] = {}
        for kind, q in mix:
            if kind not in like_by_kind:
                [like_by_kind[kind]] = time_calls(lambda q=q: like_scan(db, q, 50), 1, warmup=0)
        like_all = list(like_by_kind.values())
        count = db.read_engine.connect().exec_driver_sql("SELECT count(*) FROM dossiers").scalar()
    finally:
        db.close()
    notes = ["per kind of query, median ms: quick_search | raw_index_query | quick/raw | like_scan (one query)"]
    for kind, (tq, tr) in by_kind.items():
        mq, mr = statistics.median(tq), statistics.median(tr)
        notes.append(f"  {kind:<22} {mq * 1e3:>8.2f} | {mr * 1e3:>8.2f} | {mq / mr:>6.2f}x | "
                     f"{like_by_kind[kind] * 1e3:>9.1f}")
    notes.append(f"  {len(mix)} queries, limit 50, {statistics.mean(hits):.0f} rows returned on average")
    return Table(f"search: the search box over {count:,} dossiers", [
        Measure("raw_index_query (bare FTS5 MATCH)", raw_all),
        Measure("quick_search", quick_all, "exact code first, then FTS hits newest first, rows built"),
        Measure("like_scan (LIKE '%...%')", like_all, f"{len(like_all)} queries, one per kind"),
    ], baseline="raw_index_query (bare FTS5 MATCH)", notes=notes)


@benchmark("stats", issue="whole life of a dossier", needs=("app.services.stats:compute_stats",))
def stats(quick: bool) -> Table:
    """compute_stats for one year on a 50,000-dossier commune vs a bare GROUP BY field count."""
    from app.services.database import Database
    from app.services.stats import compute_stats

    path = commune(quick)
    date_to = date(2026, 11, 21)
    date_from = date(2025, 11, 22)
    n = 3 if quick else 20
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    sql = ("SELECT field, count(*) FROM dossiers WHERE received_day BETWEEN ? AND ? GROUP BY field")
    base = time_calls(lambda: con.execute(sql, (date_from.isoformat(), date_to.isoformat())).fetchall(), n, warmup=2)
    total = sum(c for _, c in con.execute(sql, (date_from.isoformat(), date_to.isoformat())))
    con.close()
    db = Database(path)
    try:
        app = time_calls(lambda: compute_stats(db, date_from, date_to), n, warmup=2)
        report = compute_stats(db, date_from, date_to)
    finally:
        db.close()
    t = report.total
    return Table(f"stats: Biểu II.06a for one year ({total:,} dossiers received)", [
        Measure("SELECT field, count(*) GROUP BY field", base),
        Measure("compute_stats", app, "11 columns by field + month trend"),
    ], baseline="SELECT field, count(*) GROUP BY field",
        notes=[f"figures: received {t.received_total:,}, resolved {t.resolved_total:,} (early {t.early:,}, on time "
               f"{t.on_time:,}, late {t.late:,}), in progress {t.in_progress_total:,} "
               f"(overdue {t.in_progress_overdue:,})"])


def _range_of(path: Path, target: int) -> tuple[date, date, str, int]:
    """This counter's latest volume: the last days before the data's end that hold about `target` lines."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        volume = con.execute("SELECT d.volume FROM dossiers d JOIN local_devices v ON v.device_id = d.device_id "
                             "WHERE v.kind = 'counter' ORDER BY d.rowid DESC LIMIT 1").fetchone()[0]
        days = con.execute("SELECT received_day, count(*) FROM dossiers WHERE volume = ? GROUP BY received_day "
                           "ORDER BY received_day DESC", (volume,)).fetchall()
    finally:
        con.close()
    total, last, first = 0, None, days[-1][0]
    for day, n in days[5:] or days:  # a week back: those dossiers have mostly finished their lives
        if total and abs(total + n - target) > abs(total - target):
            break
        total += n
        last = last or day
        first = day
    return date.fromisoformat(first), date.fromisoformat(last), volume, total


@benchmark("logbook", issue="whole life of a dossier", needs=("app.services.reports:logbook_pdf",))
def logbook(quick: bool) -> Table:
    """Logbook PDF (form 07) of ~300 lines vs a bare reportlab page loop drawing the same lines."""
    from app.services.database import Database
    from app.services.reports import logbook_lines, logbook_pdf

    path = commune(quick)
    date_from, date_to, volume, count = _range_of(path, 40 if quick else 300)
    n = 1 if quick else 10
    warm = 0 if quick else 1
    db = Database(path)
    try:
        lines = logbook_lines(db, date_from, date_to, volume=volume)
        texts = [" | ".join(str(x) for x in (ln.number, ln.code, ln.procedure_name, ln.sets_count, ln.applicant_name,
                                              ln.address_phone, ln.competent_unit,
                                              ln.received_at and f"{ln.received_at:%d/%m/%Y %H:%M}",
                                              ln.due_at and f"{ln.due_at:%d/%m/%Y %H:%M}", ln.note))
                 for ln in lines]
        pages = [texts[i:i + 25] for i in range(0, len(texts), 25)]
        base = time_calls(lambda: bare_text_pdf(pages, landscape_page=True, size=7), n, warmup=warm)
        query = time_calls(lambda: logbook_lines(db, date_from, date_to, volume=volume), n, warmup=warm)
        pdf = []
        app = time_calls(lambda: pdf.append(logbook_pdf(db, date_from, date_to, volume=volume)), n, warmup=warm)
        size = len(pdf[-1])
    finally:
        db.close()
    return Table(f"logbook: form 07, volume {volume}, {len(lines)} lines ({date_from:%d/%m/%Y}–{date_to:%d/%m/%Y})", [
        Measure("reportlab canvas page loop, same lines", base, f"{len(pages)} pages, 25 lines each"),
        Measure("reports.logbook_lines (query only)", query),
        Measure("reports.logbook_pdf", app, f"{size // 1024} KiB"),
    ], baseline="reportlab canvas page loop, same lines")


