"""The ASGI application uvicorn's workers import (`app.sync.server.asgi:app`); the database URL comes from
$MOTCUA_SERVER_DB, which `motcua server run` sets."""

from __future__ import annotations

import logging
import sys

from app.sync.server.app import create_app

logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(message)s")
app = create_app()
