"""Project rules that CI enforces through the test suite: the layer contract, payload keys known only to the
event-log package, and a clean linter."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = BIN / name
    return str(found) if found.exists() else (shutil.which(name) or name)


def test_layers_hold_app_and_db_never_import_qt_and_ui_never_touches_db():
    result = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_finds_nothing():
    result = subprocess.run([_tool("ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def payload_key_reads(source: str) -> list[int]:
    """Lines that read a key of something named `payload` (`payload["x"]`, `payload.get("x")`)."""
    import ast

    def named_payload(node) -> bool:
        name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
        return name in ("payload", "raw_payload")

    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript) and named_payload(node.value):
            lines.append(node.lineno)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in ("get", "keys", "items", "values") and named_payload(node.func.value)):
            lines.append(node.lineno)
    return lines


def test_only_the_event_log_package_reads_payload_keys():
    """Payloads are typed (app/eventlog/payloads.py); everything outside app/eventlog reads attributes."""
    offenders = []
    for folder in ("app", "ui", "db", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.is_relative_to(ROOT / "app" / "eventlog") or "migrations" in path.parts:
                continue
            for line in payload_key_reads(path.read_text(encoding="utf-8")):
                offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert offenders == []


def test_the_payload_rule_catches_a_key_read():
    assert payload_key_reads('x = event.payload["code"]\ny = ev.payload.get("at")\n') == [1, 2]
    assert payload_key_reads("x = event.payload.code\n") == []
