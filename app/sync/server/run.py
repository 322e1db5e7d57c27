"""Running the server under uvicorn (`motcua server run`): one process, or a supervisor with N worker processes.

Two things uvicorn's own multi-worker mode gets wrong for kept-alive connections of many devices, fixed here:

- TCP_NODELAY. uvicorn makes the shared socket with protocol 0, and asyncio sets TCP_NODELAY only on connections
  of sockets made with IPPROTO_TCP; without it Nagle's algorithm holds the second write of every answer on a
  kept-alive connection until the client's delayed ACK: 40 ms per request (measured: 44 ms instead of 1.5 ms).
- Balance. With one shared socket, the worker that wakes first accepts every connection waiting (asyncio accepts
  up to its backlog at once), so a burst of devices lands on one worker and the other idles. On Linux each worker
  listens on its own socket with SO_REUSEPORT instead, and the kernel spreads connections evenly.
"""

from __future__ import annotations

import os
import socket
import sys

import uvicorn

APP = "app.sync.server.asgi:app"
REUSE_PORT = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _listen(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by the accepted connections
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


class _PerWorker(list):
    """The sockets handed to each worker process: made in the worker itself, on first use, each its own socket on
    the shared port (SO_REUSEPORT). Empty in the supervisor, which must never listen (the kernel would send it
    connections it never accepts)."""

    def __init__(self, host: str, port: int):
        super().__init__()
        self.host, self.port, self.parent = host, port, os.getpid()

    def _fill(self) -> None:
        if not list.__len__(self) and os.getpid() != self.parent:
            self.append(_listen(self.host, self.port, reuse_port=True))

    def __iter__(self):
        self._fill()
        return super().__iter__()

    def __len__(self) -> int:
        self._fill()
        return super().__len__()

    def __reduce__(self):
        return (_PerWorker._remake, (self.host, self.port, self.parent))

    @staticmethod
    def _remake(host: str, port: int, parent: int) -> _PerWorker:
        out = _PerWorker(host, port)
        out.parent = parent
        return out


def project_forever(url: str, parent: int, idle_s: float = 0.5) -> None:
    """The projector's own process: folds what was pushed, in server order, at a lower priority than the workers
    (devices waiting for an answer come first; the projections follow within seconds). Several server
    processes on one database each run one; the projector row's lock lets one fold at a time. Ends with its
    parent."""
    import logging
    import time

    from app.sync.server import service
    from app.sync.server.store import ServerDB

    log = logging.getLogger("motcua.server")
    try:
        os.nice(10)
    except OSError:
        pass
    db = ServerDB(url)
    while os.getppid() == parent:
        try:
            if service.catch_up(db) == 0:
                time.sleep(idle_s)
        except Exception:  # the log is intact; the next turn tries again
            log.exception("projector failed")
            time.sleep(5)


def _start_projector(url: str):
    import multiprocessing

    proc = multiprocessing.get_context("spawn").Process(target=project_forever, args=(url, os.getpid()),
                                                        name="motcua-projector", daemon=True)
    proc.start()
    return proc


def config(*, host: str, port: int, workers: int, proxy: str = "") -> uvicorn.Config:
    return uvicorn.Config(APP, host=host, port=port, workers=workers, access_log=False, log_level="warning",
                          proxy_headers=True, forwarded_allow_ips=proxy or "")


def serve(*, host: str, port: int, workers: int, proxy: str = "") -> None:
    """Serve until stopped (SIGTERM, SIGINT). The database comes from $MOTCUA_SERVER_DB (see asgi.py)."""
    from uvicorn.supervisors import Multiprocess

    cfg = config(host=host, port=port, workers=workers, proxy=proxy)
    os.environ["MOTCUA_PROJECTOR"] = "process"  # the workers (spawned after this) leave folding to it
    projector = _start_projector(os.environ["MOTCUA_SERVER_DB"])
    if workers > 1 and REUSE_PORT:
        # the supervisor checks the port is free by binding it once, then lets it go for the workers
        _listen(host, port, reuse_port=True).close()
        sockets: list = _PerWorker(host, port)
        held = None
    else:
        held = _listen(host, port, reuse_port=False)
        sockets = [held]
    try:
        if workers > 1:
            try:
                supervisor = Multiprocess(cfg, sockets=sockets)
            except TypeError:  # uvicorn before the supervisor made its own servers
                supervisor = Multiprocess(cfg, target=uvicorn.Server(cfg).run, sockets=sockets)
            supervisor.run()
        else:
            cfg.load_app()
            uvicorn.Server(cfg).run(sockets=sockets)
    except KeyboardInterrupt:
        pass
    finally:
        if held is not None:
            held.close()
        projector.terminate()
        projector.join(timeout=10)
