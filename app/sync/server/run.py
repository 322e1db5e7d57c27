"""Running the server under uvicorn (`motcua server run`): one process, or a supervisor with N worker processes
sharing one listening socket.

The listening socket gets TCP_NODELAY. uvicorn makes its shared socket (workers > 1) with protocol 0, and asyncio
sets TCP_NODELAY only on connections of sockets made with IPPROTO_TCP; without it Nagle's algorithm holds the
second write of every answer on a kept-alive connection until the client's delayed ACK, 40 ms per request
(measured: 44 ms instead of 1.5 ms for a request of a device that keeps its connection). Accepted connections
inherit the option from the listening socket.
"""

from __future__ import annotations

import socket

import uvicorn

APP = "app.sync.server.asgi:app"


class _Config(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock


def config(*, host: str, port: int, workers: int, proxy: str = "") -> uvicorn.Config:
    return _Config(APP, host=host, port=port, workers=workers, access_log=False, log_level="warning",
                   proxy_headers=True, forwarded_allow_ips=proxy or "")


def serve(*, host: str, port: int, workers: int, proxy: str = "") -> None:
    """Serve until stopped (SIGTERM, SIGINT). The database comes from $MOTCUA_SERVER_DB (see asgi.py)."""
    from uvicorn.supervisors import Multiprocess

    cfg = config(host=host, port=port, workers=workers, proxy=proxy)
    sock = cfg.bind_socket()
    try:
        if workers > 1:
            try:
                supervisor = Multiprocess(cfg, sockets=[sock])
            except TypeError:  # uvicorn before the supervisor made its own servers
                supervisor = Multiprocess(cfg, target=uvicorn.Server(cfg).run, sockets=[sock])
            supervisor.run()
        else:
            cfg.load_app()
            uvicorn.Server(cfg).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
