"""The province server's HTTP face (FastAPI): the sync API under /api/v1 (OpenAPI at /api/v1/openapi.json),
a health check, and the public status page /tra-cuu/<code> a citizen opens from the receipt's QR.

Every answer that is not a success carries a Vietnamese sentence (`Problem`); no stack trace ever reaches a
client. Logs are one JSON line per request: method, route, status, time, device; never a citizen's data.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import OrderedDict
from contextlib import asynccontextmanager

from fastapi import BackgroundTasks, Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.services.errors import AuthError, NotFound, ServiceError, ValidationFailed
from app.sync import protocol as proto
from app.sync.server import public, service
from app.sync.server.store import ServerDB
from db.server_models import EnrolledDevice

log = logging.getLogger("motcua.server")
API = "/api/v1"


def _problem(status: int, detail: str, code: str = "", headers: dict | None = None, **extra) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": detail, "code": code, **extra}, headers=headers)


class BodyLimit:
    """Refuses a request body larger than `limit` bytes (413) before the application reads it."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await _too_large(send)
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge()
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _too_large(send)


class _TooLarge(Exception):
    pass


async def _too_large(send) -> None:
    body = json.dumps({"detail": "Lô dữ liệu gửi lên quá lớn; hãy gửi thành nhiều lô nhỏ hơn.",
                       "code": "too_large"}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class AccessLog:
    """One JSON line per request: method, route, status, time, device; never a citizen's data. Plain ASGI (not
    Starlette's BaseHTTPMiddleware, which costs a task and a stream per request)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = 500

        async def sending(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            log.info(json.dumps({"method": scope.get("method"), "route": getattr(route, "path", "?"),
                                 "status": status, "ms": round((time.perf_counter() - start) * 1000, 1),
                                 "device": scope.get("motcua_device", "")}))


class RateLimit:
    """A token bucket per client address (per server process): `rate` requests per minute, bursts of `burst`."""

    def __init__(self, rate: int, burst: int | None = None, size: int = 10000):
        self.rate = rate / 60.0
        self.burst = burst or max(5, rate // 2)
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self.size = size
        self.lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self.lock:
            tokens, last = self.buckets.pop(client, (float(self.burst), now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            ok = tokens >= 1
            self.buckets[client] = (tokens - 1 if ok else tokens, now)
            while len(self.buckets) > self.size:
                self.buckets.popitem(last=False)
            return ok


def create_app(db: ServerDB | str | None = None, *, public_rate: int = 60, fold_inline: bool | None = None
               ) -> FastAPI:
    """The server application on a database (a ServerDB, a URL, or $MOTCUA_SERVER_DB).

    `fold_inline`: the projector runs in this process, after each push (a single process, the tests). Under
    `motcua server run` it runs in a process of its own at a lower priority instead ($MOTCUA_PROJECTOR=process),
    so that folding never takes the workers' time from devices waiting for an answer."""
    if fold_inline is None:
        fold_inline = os.environ.get("MOTCUA_PROJECTOR", "") != "process"
    if db is None:
        db = os.environ.get("MOTCUA_SERVER_DB", "")
        if not db:
            raise ServiceError("Thiếu địa chỉ cơ sở dữ liệu của máy chủ (MOTCUA_SERVER_DB).")
    if isinstance(db, str):
        db = ServerDB(db)
    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        # fold what was pushed while no process was folding (a crash, a restore)
        if fold_inline:
            threading.Thread(target=_catch_up, args=(db,), name="projector", daemon=True).start()
        yield

    app = FastAPI(title="MotCua – máy chủ đồng bộ tỉnh", version=str(proto.PROTOCOL), lifespan=lifespan,
                  openapi_url=f"{API}/openapi.json", docs_url=f"{API}/docs", redoc_url=None)
    app.state.db = db
    limiter = RateLimit(public_rate)

    app.add_middleware(AccessLog)
    app.add_middleware(BodyLimit, limit=proto.MAX_BODY)

    # --- errors: a Vietnamese sentence, never a stack trace ---------------------------------------------------

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        where = "; ".join(".".join(str(x) for x in e.get("loc", ()) if x != "body") for e in exc.errors()[:5])
        return _problem(422, f"Dữ liệu gửi lên không đúng định dạng ({where or 'toàn bộ'}).", "invalid")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        # Starlette's and FastAPI's own answers are in English ("There was an error parsing the body"): a person
        # reads ours instead
        texts = {400: "Nội dung gửi lên không đọc được (không phải JSON hợp lệ).",
                 404: "Không có địa chỉ này trên máy chủ MotCua.", 405: "Phương thức không được hỗ trợ ở địa chỉ này.",
                 401: "Cần mã xác thực của thiết bị.", 403: "Không được phép.",
                 413: "Lô dữ liệu gửi lên quá lớn; hãy gửi thành nhiều lô nhỏ hơn.",
                 415: "Kiểu nội dung không được hỗ trợ; hãy gửi JSON."}
        return _problem(exc.status_code, texts.get(exc.status_code, "Yêu cầu không hợp lệ."),
                        headers=getattr(exc, "headers", None))

    @app.exception_handler(AuthError)
    async def auth_error(request: Request, exc: AuthError):
        return _problem(401, exc.message, "unauthorized")

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound):
        return _problem(404, exc.message, "not_found")

    @app.exception_handler(ValidationFailed)
    async def validation(request: Request, exc: ValidationFailed):
        return _problem(422, exc.message, "invalid")

    @app.exception_handler(ServiceError)
    async def refused(request: Request, exc: ServiceError):
        return _problem(400, exc.message, "refused")

    @app.exception_handler(service.Gap)
    async def gap(request: Request, exc: service.Gap):
        return _problem(409, f"Thiếu sự kiện từ số {exc.expected}: hãy gửi lại từ số đó.", "gap",
                        expected_seq=exc.expected)

    @app.exception_handler(service.MustResync)
    async def resync(request: Request, exc: service.MustResync):
        return _problem(409, "Máy chủ đã được khôi phục hoặc đổi mới: hãy đồng bộ lại từ đầu.", "must_resync",
                        epoch=exc.epoch)

    @app.exception_handler(service.Malformed)
    async def malformed(request: Request, exc: service.Malformed):
        return _problem(422, f"Dữ liệu gửi lên có giá trị không hợp lệ ({exc.where}).", "invalid")

    @app.exception_handler(service.Forbidden)
    async def forbidden(request: Request, exc: service.Forbidden):
        return _problem(403, str(exc), "forbidden")

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception):
        log.error("unexpected %s on %s", type(exc).__name__, request.url.path, exc_info=exc)
        return _problem(500, "Máy chủ gặp lỗi khi xử lý; thiết bị sẽ thử lại sau. Nếu lặp lại, hãy báo quản trị.",
                        "server_error")

    # --- who is asking ------------------------------------------------------------------------------------------

    async def device(request: Request, authorization: str = Header(default="")) -> EnrolledDevice:
        # async: a token this process saw in the last seconds is answered on the event loop; only a lookup in the
        # database goes to a thread (as a synchronous dependency, every request paid a hop to the thread pool and
        # back: 0.1-0.25 ms of CPU of the 1-2.5 ms an authenticated request takes, bench/RESULTS.md)
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise AuthError("Cần mã xác thực của thiết bị (Authorization: Bearer …).")
        token = token.strip()
        dev = service.cached_device(token)
        if dev is None:
            dev = await run_in_threadpool(service.authenticate_cached, db, token)
        request.scope["motcua_device"] = dev.device_id
        return dev

    def catch_up_later(tasks: BackgroundTasks) -> None:
        if fold_inline:
            tasks.add_task(_catch_up, db)

    # --- API ------------------------------------------------------------------------------------------------------

    @app.get(f"{API}/health", summary="Máy chủ và cơ sở dữ liệu có hoạt động không")
    def health() -> dict:
        with db.transaction() as s:
            head = service.head_of(s)
            return {"status": "ok", "server_id": head.server_id, "epoch": head.epoch, "last_seq": head.last_seq}

    @app.post(f"{API}/enroll", response_model=proto.EnrollResponse, responses={401: {"model": proto.Problem}},
              summary="Đổi mã đăng ký một lần lấy mã xác thực thiết bị")
    def enroll(req: proto.EnrollRequest) -> proto.EnrollResponse:
        return service.enroll(db, req)

    @app.post(f"{API}/sync/hello", response_model=proto.HelloResponse, responses={401: {"model": proto.Problem}})
    async def hello(req: proto.HelloRequest, dev: EnrolledDevice = Depends(device)) -> proto.HelloResponse:  # noqa: B008
        # an up-to-date device is answered on the event loop (one quick read, no lock, no thread hop: an idle poll
        # runs at ~1.4× the rate); the rest of anything more (a write, a refusal, SQLite) runs in a worker thread
        got = service.hello_on_loop(db, dev, req)
        return got if isinstance(got, proto.HelloResponse) else await run_in_threadpool(got)

    @app.post(f"{API}/sync/push", response_model=proto.PushResponse,
              responses={401: {"model": proto.Problem}, 403: {"model": proto.Problem},
                         409: {"model": proto.GapResponse}, 413: {"model": proto.Problem}})
    def push(req: proto.PushRequest, tasks: BackgroundTasks,
             dev: EnrolledDevice = Depends(device)) -> proto.PushResponse:  # noqa: B008
        out = service.push(db, dev, req)
        catch_up_later(tasks)
        return out

    @app.get(f"{API}/sync/pull", response_model=proto.PullResponse,
             responses={401: {"model": proto.Problem}, 409: {"model": proto.Problem}})
    def pull(cursor: str = Query(default="", max_length=128),  # noqa: B008
             limit: int = Query(default=500, ge=1, le=proto.MAX_PAGE),  # noqa: B008
             dev: EnrolledDevice = Depends(device)) -> proto.PullResponse:  # noqa: B008
        return Response(service.pull_json(db, dev, cursor, limit), media_type="application/json")

    @app.get(f"{API}/ref/{{dataset}}", response_model=proto.RefSnapshot,
             responses={304: {"description": "Không đổi so với phiên bản thiết bị đang có"},
                        401: {"model": proto.Problem}, 404: {"model": proto.Problem}})
    def reference(dataset: str, request: Request, dev: EnrolledDevice = Depends(device)):  # noqa: B008
        snap = service.reference(db, dev, dataset)
        etag = f'"{snap.version}"'
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag})
        return JSONResponse(snap.model_dump(mode="json"), headers={"ETag": etag})

    # --- the public status page -----------------------------------------------------------------------------------

    @app.get("/tra-cuu/{code}", response_class=HTMLResponse, include_in_schema=True,
             summary="Tình trạng hồ sơ cho công dân (không có thông tin cá nhân)")
    def lookup(code: str, request: Request):
        client = request.client.host if request.client else "?"
        if not limiter.allow(client):
            return HTMLResponse(public.too_many(), status_code=429, headers={"Retry-After": "60"})
        status = public.status_of(db, code)
        if status is None:
            return HTMLResponse(public.unknown(code), status_code=404)
        return HTMLResponse(public.page(status))

    return app


def _catch_up(db: ServerDB) -> None:
    try:
        service.catch_up(db)
    except Exception:  # the next push or start tries again; the log is intact
        log.exception("projector failed")
