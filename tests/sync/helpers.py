"""A province server in-process (FastAPI on a SQLite file or PostgreSQL, reached through Starlette's test client,
which is an httpx.Client) and counters/kiosks that enrol with it."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from app.services.database import Database
from app.sync import client as sync
from app.sync.server import service
from app.sync.server.app import create_app
from app.sync.server.store import ServerDB

PASSWORD = "matkhau123"


class Province:
    """A server on `url` with its app; `device(...)` enrols a new counter or kiosk file."""

    def __init__(self, url: str, tmp: Path):
        self.db = ServerDB(url)
        service.init_server(self.db)
        self.app = create_app(self.db)
        self.tmp = tmp
        self.devices: list[Database] = []

    def client(self, base_url: str, token: str) -> TestClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return TestClient(self.app, base_url=base_url, headers=headers, raise_server_exceptions=False)

    def commune(self, agency: str, name: str) -> str:
        return service.add_commune(self.db, agency_code=agency, name=name, admin_user="quantri",
                                   admin_name="Võ Minh Tâm", admin_password=PASSWORD,
                                   public_url="http://tinh.test")

    def device(self, agency: str, slot: int, *, kind: str = "counter", name: str = "") -> Database:
        code = service.enrol_code(self.db, agency_code=agency, kind=kind, slot=slot)
        db = Database(self.tmp / f"{agency}-{kind}-{slot}-{len(self.devices)}.sqlite", create=True,
                      device_kind=kind)
        sync.enroll(db, server_url="http://tinh.test", code=code, client=self.client, kind=kind)
        self.devices.append(db)
        return db

    def sync(self, db: Database) -> sync.SyncReport:
        return sync.SyncClient(db, client=self.client).sync_once()

    def close(self) -> None:
        for db in self.devices:
            db.close()
        self.db.close()
