"""The public status page (/tra-cuu/<code>) as a citizen's phone shows it: the server runs under uvicorn on
loopback (PostgreSQL behind it) and Debian's chromium opens the page headless, 360 px wide. The status and
the dates are visible, nothing of the applicant is anywhere in the DOM, nothing is wider than the screen and
no text is smaller than 14 px. A screenshot is written to the test's folder (and to $MOTCUA_SHOTS if set).

The measuring is done by a small harness page the test adds to the app (never part of the server): it loads
the real page in a 360 px frame of the same origin and writes what it measured into its own DOM, which
chromium's --dump-dom prints.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path

import httpx2
import pytest
import uvicorn
from fastapi.responses import HTMLResponse

from app.domain.calendar import TZ
from app.services import lifecycle as lc
from app.services.users import login
from app.sync.server import service
from tests.sync.helpers import PASSWORD, Province
from tests.sync.test_sync_rounds import A, receive

PERSONAL = ("Phạm Thị Bích Ngọc", "Bích Ngọc", "0912345678", "079190012345", "Ấp Tân Lập", "Tân Lập")
WIDTH = 360
HARNESS = """<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0">
<iframe id="f" src="/tra-cuu/%s" style="width:%dpx;height:800px;border:0"></iframe><pre id="out">pending</pre>
<script>
document.getElementById('f').addEventListener('load', function () {
  var d = this.contentDocument, w = this.contentWindow, smallest = 1000, hidden = [];
  d.querySelectorAll('body *').forEach(function (el) {
    var own = Array.prototype.some.call(el.childNodes, function (n) { return n.nodeType === 3 && n.textContent.trim(); });
    if (!own) return;
    smallest = Math.min(smallest, parseFloat(w.getComputedStyle(el).fontSize));
    var r = el.getBoundingClientRect();
    if (r.right > w.innerWidth + 0.5 || r.left < -0.5 || r.width === 0) hidden.push(el.tagName + ':' + el.textContent.slice(0, 30));
  });
  var status = d.querySelector('.status'), sr = status ? status.getBoundingClientRect() : null;
  document.getElementById('out').textContent = JSON.stringify({
    scrollWidth: d.documentElement.scrollWidth, innerWidth: w.innerWidth, smallest: smallest, outside: hidden,
    statusTop: sr ? sr.top : -1, statusBottom: sr ? sr.bottom : -1, innerHeight: w.innerHeight,
    text: d.body.innerText, lang: d.documentElement.lang});
});
</script></body></html>"""


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Debian's chromium is not installed: run `bash packaging/install.sh --dev`.")
    return path


def browse(tmp: Path, url: str, *extra: str) -> str:
    profile = tmp / f"profile-{time.monotonic_ns()}"
    out = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update", "--disable-sync",
                          "--hide-scrollbars", f"--user-data-dir={profile}", "--virtual-time-budget=5000",
                          *extra, url], capture_output=True, text=True, timeout=90)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def site(pg_url, tmp_path):
    """A province server under uvicorn on loopback with one dossier received, one returned; yields its URL."""
    p = Province(pg_url, tmp_path)
    p.commune(A, "xã Tân Hưng")
    counter = p.device(A, 1)
    p.sync(counter)
    waiting = receive(counter, name="Phạm Thị Bích Ngọc")
    done = receive(counter, name="Phạm Thị Bích Ngọc")
    clerk = login(counter, username="quantri", password=PASSWORD)
    lc.transfer(counter, done.code, actor=clerk, to_name="Lê Văn Đức", to_unit="Tư pháp - Hộ tịch")
    lc.result_ready(counter, done.code, actor=clerk)
    lc.return_result(counter, done.code, actor=clerk)
    p.sync(counter)
    service.catch_up(p.db)
    app = p.app

    @app.get("/_khung/{code}", include_in_schema=False)
    def harness(code: str):
        return HTMLResponse(HARNESS % (code, WIDTH))

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off",
                                           loop="asyncio"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            if httpx2.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                break
        except httpx2.HTTPError:
            time.sleep(0.1)
    yield url, waiting, done
    server.should_exit = True
    thread.join(timeout=10)
    p.close()


def measure(tmp: Path, url: str, code: str) -> dict:
    dom = browse(tmp, f"{url}/_khung/{code}", "--dump-dom")
    start = dom.index('<pre id="out">') + len('<pre id="out">')
    raw = dom[start:dom.index("</pre>", start)]
    import html

    return json.loads(html.unescape(raw))


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def shoot(tmp: Path, url: str, name: str) -> Path:
    shot = tmp / name
    browse(tmp, url, f"--screenshot={shot}", f"--window-size={WIDTH},800")
    assert png_size(shot) == (WIDTH, 800)
    if os.environ.get("MOTCUA_SHOTS"):
        Path(os.environ["MOTCUA_SHOTS"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(os.environ["MOTCUA_SHOTS"]) / name)
    return shot


def test_the_public_page_in_a_real_browser_shows_status_and_dates_and_nothing_personal(site, tmp_path):
    url, waiting, done = site
    for r, status in ((waiting, "Đã tiếp nhận"), (done, "Đã trả kết quả")):
        dom = browse(tmp_path, f"{url}/tra-cuu/{r.code}", "--dump-dom")
        for personal in PERSONAL:
            assert personal not in dom, personal
        m = measure(tmp_path, url, r.code)
        text = m["text"]
        assert m["lang"] == "vi"
        assert status in text and r.code in text and "Cấp Giấy xác nhận tình trạng hôn nhân" in text
        assert f"{r.received_at.astimezone(TZ):%d/%m/%Y}" in text and f"{r.due_at.astimezone(TZ):%d/%m/%Y}" in text
        for personal in PERSONAL:
            assert personal not in text
        # readable on a 360 px phone: nothing wider than the screen, no text under 14 px, the status on screen
        assert m["innerWidth"] == WIDTH and m["scrollWidth"] <= WIDTH, m
        assert m["outside"] == [], m["outside"]
        assert m["smallest"] >= 14, m["smallest"]
        assert 0 <= m["statusTop"] and m["statusBottom"] <= m["innerHeight"] / 2, m
    returned = measure(tmp_path, url, done.code)["text"]
    assert "Có kết quả lúc" in returned and "Nơi nhận kết quả" not in returned
    assert "Nơi nhận kết quả" in measure(tmp_path, url, waiting.code)["text"]
    shoot(tmp_path, f"{url}/tra-cuu/{waiting.code}", "tra-cuu-360.png")
    shoot(tmp_path, f"{url}/tra-cuu/{done.code}", "tra-cuu-360-da-tra.png")


def test_an_unknown_code_says_so_in_the_browser(site, tmp_path):
    url, waiting, done = site
    missing = waiting.code[:-4] + "9999"
    m = measure(tmp_path, url, missing)
    assert "Không tìm thấy hồ sơ" in m["text"] and m["scrollWidth"] <= WIDTH and m["smallest"] >= 14
    assert httpx2.get(f"{url}/tra-cuu/{missing}").status_code == 404
    shoot(tmp_path, f"{url}/tra-cuu/{missing}", "tra-cuu-360-khong-co.png")
