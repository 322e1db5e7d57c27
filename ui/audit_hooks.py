"""Audit lines written from the windows: who viewed a dossier, printed or saved a form, exported a report. Each
is written in a worker, after the fact, and never stands in the way of the work (app.services.audit)."""

from __future__ import annotations

from collections.abc import Callable

from app.services import audit
from ui.workers import run_in_thread


def note(db, user, action: str, subject: str, ref: str = "", detail: str = "") -> None:
    """Write one audit line in a worker; a failure is logged by the service, never shown."""
    run_in_thread(lambda: audit.record(db, actor=user, action=action, subject=subject, ref=ref, detail=detail),
                  lambda _ok: None, lambda _exc: None, name="audit")


def for_preview(db, user, subject: str, ref: str, title: str) -> Callable[[str, str], None]:
    """What a print preview calls once it printed ("printed", "3 trang, máy in X") or saved ("saved", path)."""
    return lambda action, detail: note(db, user, action, subject, ref, f"{title}; {detail}")
