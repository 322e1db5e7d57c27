"""A kiosk process for the tests that need two programs: `python -m tests.ui.kiosk_process FILE NOW [LEVEL]`.

Opens FILE as a kiosk (offscreen, windowed), with its clock pinned to NOW (ISO, so that the counter's invitations
and this kiosk agree on what has expired), and prints one JSON line per screen it shows. With LEVEL it taps that
face whenever the counter's invitation is shown, as a citizen would.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime


def main() -> None:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest

    from ui.app import create_application
    from ui.kiosk_app import make_link, open_kiosk_database
    from ui.kiosk_window import KioskWindow

    path, now = sys.argv[1], datetime.fromisoformat(sys.argv[2])
    level = sys.argv[3] if len(sys.argv) > 3 else ""
    app = create_application([])
    db = open_kiosk_database(path)
    db.clock = lambda: now
    w = KioskWindow(db, windowed=True, link=make_link(db))
    w.resize(1280, 800)
    w.show()

    def say(**what) -> None:
        print(json.dumps({**what, "t": time.time()}), flush=True)

    def changed(name: str) -> None:
        target = w.target
        say(screen=name, code=target.code if target else "", via=target.via if target else "")
        if name == "faces" and level and target is not None and target.via == "invitation":
            QTimer.singleShot(600, lambda: QTest.mouseClick(w.faces.faces[level], Qt.MouseButton.LeftButton))

    w.screen_changed.connect(changed)
    w.rating_stored.connect(lambda rid: say(stored=rid))
    say(ready=True, screen=w.screen_name)
    app.exec()


if __name__ == "__main__":
    main()
