"""A counter that receives dossiers as fast as it can and prints each code once it is saved, until it is
killed. Used by test_crash_restore (run as `python -m tests.services.crash_counter FILE SEED`)."""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime, timedelta

from app.domain.calendar import TZ
from app.services.database import Database
from app.services.errors import StorageError
from app.services.reception import ReceptionForm, receive_dossier
from app.services.users import login

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def main(path: str, seed: int) -> None:
    rng = random.Random(seed)
    db = Database(path)
    db.clock = lambda: NOW
    clerk = login(db, username="canbo1", password="matkhau123")
    print("ready", flush=True)
    n = 0
    while True:
        # spread over 50 days so that no slot reaches 999 codes in a day, however long the run
        at = (NOW - timedelta(days=rng.randrange(50))).astimezone(TZ).replace(hour=9, minute=rng.randrange(60))
        form = ReceptionForm(procedure_code="2.000815", applicant_name="Đặng Văn Long", phone="0987654321",
                             received_at=at)
        try:
            r = receive_dossier(db, form=form, clerk=clerk, request_id=f"{seed}-{n}")
        except StorageError:
            time.sleep(0.01)  # busy (a backup or check): try the same request again
            continue
        print(r.code, r.volume, r.number, flush=True)
        n += 1


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
