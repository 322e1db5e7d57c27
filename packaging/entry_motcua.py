"""Entry point of the packaged `motcua` (windowed on Windows): the counter, set-up, demo and kiosk windows.

A windowed program on Windows has no console: standard output goes nowhere, so that a headless command run
through it by mistake neither crashes nor hangs (use `motcua-admin` for those, it keeps its console)."""

import os
import sys

if sys.stdout is None or sys.stderr is None:  # pragma: no cover - Windows, windowed
    devnull = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the whole run
    sys.stdout = sys.stdout or devnull
    sys.stderr = sys.stderr or devnull

from ui.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
