"""The packaged program: PyInstaller builds the one-folder `motcua` on this machine (once per run, bounded),
and the programs in that folder work without the source tree or the virtual environment: `--version`, a set-up,
a headless reception with its receipt, and the fonts and migrations found as data files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT_S = 900  # a cold build takes a few minutes on two cores; CI's whole run stays under 20 minutes

pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """The built folder (work files kept in build/pyi-work between local runs: a rebuild is quicker)."""
    pyinstaller = Path(sys.executable).with_name("pyinstaller")
    assert pyinstaller.exists(), "PyInstaller is part of the test extras: pip install -e '.[test]'"
    dist = tmp_path_factory.mktemp("dist")
    started = time.perf_counter()
    p = subprocess.run([str(pyinstaller), "--noconfirm", "--log-level", "WARN", "--distpath", str(dist),
                        "--workpath", str(ROOT / "build" / "pyi-work"), str(ROOT / "packaging" / "motcua.spec")],
                       cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    assert p.returncode == 0, p.stderr[-4000:]
    out = dist / "motcua"
    size = sum(f.lstat().st_size for f in out.rglob("*") if f.is_file() and not f.is_symlink())
    print(f"\nPyInstaller: {time.perf_counter() - started:.0f} s, {size / 1_048_576:.0f} MB in {out}")
    return out


def _run(exe: Path, *args, home: Path, env=None, timeout=120):
    full = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "MOTCUA"))}
    full.update(MOTCUA_HOME=str(home), QT_QPA_PLATFORM="offscreen", **(env or {}))
    return subprocess.run([str(exe), *args], cwd=home, capture_output=True, text=True, env=full,
                          stdin=subprocess.DEVNULL, timeout=timeout)


def test_the_built_folder_runs_version_setup_a_reception_and_its_receipt(folder, tmp_path):
    from app.version import __version__

    admin, window = folder / "motcua-admin", folder / "motcua"
    assert admin.exists() and window.exists()
    assert (folder / "_internal" / "resources" / "fonts" / "LiberationSerif-Regular.ttf").exists()
    home = tmp_path / "home"
    home.mkdir()
    for exe in (admin, window):
        p = _run(exe, "--version", home=home)
        assert p.returncode == 0 and p.stdout.strip() == f"MotCua {__version__}", p.stderr
    db = home / "xa.sqlite"
    p = _run(admin, "admin", "setup", "--db", str(db), "--agency-code", "000.17.22.H56", "--parent-body",
             "Ủy ban nhân dân xã Tân Hưng", "--center-name", "Trung tâm Phục vụ hành chính công xã Tân Hưng",
             "--place", "Tân Hưng", "--slot", "1", "--admin-user", "quantri", "--admin-name", "Võ Minh Tâm",
             home=home, env={"MOTCUA_PASSWORD": "mat-khau-quan-tri"})
    assert p.returncode == 0, p.stderr
    pdf = home / "giay-hen.pdf"
    p = _run(admin, "receive", "--db", str(db), "--procedure", "1.001193", "--name", "Nguyễn Thị Hường",
             "--phone", "0912345678", "--pdf", str(pdf), "--json", home=home,
             env={"MOTCUA_USER": "quantri", "MOTCUA_PASSWORD": "mat-khau-quan-tri"})
    assert p.returncode == 0, p.stderr
    import json

    code = json.loads(p.stdout)["code"]
    assert code.startswith("000.17.22.H56-")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert code in text and "Nguyễn Thị Hường" in text and "GIẤY TIẾP NHẬN HỒ SƠ" in text.upper()
    p = _run(admin, "admin", "check", "--db", str(db), home=home)
    assert p.returncode == 0 and "khớp với nhật ký sự kiện: có" in p.stdout, p.stderr
