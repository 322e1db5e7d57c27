"""The `motcua` command as IT staff and scheduled jobs use it: real processes, real files, JSON out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_office

ROOT = Path(__file__).resolve().parents[1]
ADMIN_LOGIN = ("quantri", "matkhau-quantri")


def motcua(*args, check=True, user=("canbo1", "matkhau123"), env=None):
    # The clock is pinned so that dates in these tests stay inside the 60-day back-entry window forever.
    # Scripts prove who they are with MOTCUA_USER / MOTCUA_PASSWORD (the office's clerk by default).
    env = dict(os.environ, PYTHONPATH=str(ROOT), MOTCUA_HOME=str(ROOT / ".pytest_cache" / "home"),
               MOTCUA_FIXED_NOW="2026-11-22T10:00", **(env or {}))
    for key in ("MOTCUA_USER", "MOTCUA_PASSWORD"):
        env.pop(key, None)
    if user:
        env.update(MOTCUA_USER=user[0], MOTCUA_PASSWORD=user[1])
    # a timeout: a command that wrongly opens a window (e.g. the counter on an unconfigured file) fails, not hangs
    p = subprocess.run([sys.executable, "-m", "ui.cli", *args], cwd=ROOT, capture_output=True, text=True, env=env,
                       stdin=subprocess.DEVNULL, timeout=180)
    if check and p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}: {p.stdout}\n{p.stderr}")
    return p


@pytest.fixture
def office_file(tmp_path):
    path = tmp_path / "xa.sqlite"
    make_office(path, admin=True).close()
    return path


def test_calendar_due_prints_the_due_time_on_the_first_line():
    p = motcua("calendar", "due", "--received", "2026-11-23T10:00", "--working-days", "1")
    # Tue 24/11/2026 is Ngày Văn hóa Việt Nam: one working day from Mon 10:00 ends Wed 10:00.
    assert p.stdout.splitlines()[0] == "2026-11-25T10:00"
    p = motcua("calendar", "due", "--received", "2026-11-20T15:30", "--same-day")
    assert p.stdout.splitlines()[0] == "2026-11-23T17:00"


def test_calendar_off_days_lists_weekday_holidays_and_makeup_days():
    lines = motcua("calendar", "off-days", "2026").stdout.splitlines()
    assert any(line.startswith("2026-01-02 off") for line in lines)
    assert any(line.startswith("2026-01-10 work") for line in lines)
    assert any(line.startswith("2026-04-27 off") for line in lines)
    assert any(line.startswith("2026-11-24 off") for line in lines)
    assert all(line[:10] < line2[:10] for line, line2 in zip(lines, lines[1:], strict=False))


def test_calendar_due_uses_the_offices_own_days_with_db(office_file):
    motcua("admin", "day", "--db", str(office_file), "--date", "2026-11-25", "--kind", "off",
           "--reason", "Nghỉ theo quyết định của UBND tỉnh", user=ADMIN_LOGIN)
    p = motcua("calendar", "due", "--received", "2026-11-23T10:00", "--working-days", "1", "--db", str(office_file))
    assert p.stdout.splitlines()[0] == "2026-11-26T10:00"


def test_receive_records_a_dossier_and_prints_json(office_file, tmp_path):
    pdf = tmp_path / "r.pdf"
    p = motcua("receive", "--db", str(office_file), "--procedure", "1.004873", "--name", "Đặng Thị Lan",
               "--phone", "0987654321", "--id", "079190012345", "--received", "2026-11-20T16:10",
               "--pdf", str(pdf), "--json")
    out = json.loads(p.stdout)
    assert out["code"] == "000.17.22.H56-261120-1001"
    assert out["due"] == "2026-11-26T16:10"  # Fri 16:10 + 24 working hours, skipping the weekend and 24/11
    assert (out["volume"], out["number"]) == ("1/2026", 1)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_receive_with_a_bad_id_exits_nonzero_with_the_field_message(office_file):
    p = motcua("receive", "--db", str(office_file), "--procedure", "1.001193", "--name", "Lan",
               "--phone", "0987654321", "--id", "12345", "--json", check=False)
    assert p.returncode == 2
    assert "12 chữ số" in json.loads(p.stdout)["errors"]["id_number"]


def test_dossier_steps_from_the_command_line_and_a_refused_second_return(office_file):
    code = json.loads(motcua("receive", "--db", str(office_file), "--procedure", "2.000815", "--name", "Hồ Văn Nam",
                             "--phone", "0901234567", "--received", "2026-11-20T08:00", "--json").stdout)["code"]
    out = json.loads(motcua("dossier", "result-ready", code, "--db", str(office_file), "--at", "2026-11-20T09:00",
                            "--json").stdout)
    assert out["status"] == "result_ready"
    out = json.loads(motcua("dossier", "return", code, "--db", str(office_file), "--at", "2026-11-20T10:00",
                            "--json").stdout)
    assert out["status"] == "returned"
    p = motcua("dossier", "return", code, "--db", str(office_file), "--json", check=False)
    assert p.returncode != 0 and "đã trả kết quả rồi" in p.stderr
    assert "đã trả kết quả rồi" in json.loads(p.stdout)["error"]


def test_without_json_receive_and_dossier_speak_vietnamese(office_file):
    p = motcua("receive", "--db", str(office_file), "--procedure", "1.004873", "--name", "Đặng Thị Lan",
               "--phone", "0987654321", "--received", "2026-11-20T16:10")
    assert p.stdout.strip() == ("Đã tiếp nhận hồ sơ 000.17.22.H56-261120-1001 lúc 16 giờ 10, thứ Sáu 20/11/2026 "
                                "(Sổ theo dõi: quyển số 1/2026, số thứ tự 1); hẹn trả kết quả lúc "
                                "16 giờ 10, thứ Năm 26/11/2026.")
    p = motcua("dossier", "transfer", "000.17.22.H56-261120-1001", "--db", str(office_file), "--to", "Lê Văn Đức",
               "--at", "2026-11-20T16:30")
    assert p.stdout.strip() == ("Đã ghi nhận “Chuyển xử lý” cho hồ sơ 000.17.22.H56-261120-1001. Trạng thái: "
                                "đang giải quyết; hẹn trả kết quả lúc 16 giờ 10, thứ Năm 26/11/2026.")
    assert not p.stdout.lstrip().startswith("{")
    p = motcua("dossier", "return", "000.17.22.H56-261120-1001", "--db", str(office_file), check=False)
    assert p.returncode == 2 and p.stdout == "" and "chưa có kết quả" in p.stderr


def test_admin_rebuild_and_check_agree_with_the_log(office_file):
    motcua("receive", "--db", str(office_file), "--procedure", "2.000815", "--name", "Hồ Văn Nam",
           "--phone", "0901234567", "--received", "2026-11-20T08:00")
    assert "giống hệt" in motcua("admin", "rebuild", "--db", str(office_file)).stdout
    assert "khớp với nhật ký sự kiện: có" in motcua("admin", "check", "--db", str(office_file)).stdout


def test_headless_commands_do_not_load_qt():
    code = ("import sys, ui.cli; ui.cli.main(['calendar', 'off-days', '2027']); "
            "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt loaded'")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True,
                   env=dict(os.environ, PYTHONPATH=str(ROOT)))


def test_demo_seeds_a_commune_without_a_window(tmp_path):
    db = tmp_path / "demo.sqlite"
    p = motcua("demo", "--no-gui", "--db", str(db), "--dossiers", "40")
    assert p.stdout.strip() == str(db)
    assert "Đăng nhập: canbo" in p.stderr
    assert "khớp với nhật ký sự kiện: có" in motcua("admin", "check", "--db", str(db)).stdout


def test_reports_and_search_from_the_command_line(tmp_path):
    db = tmp_path / "demo.sqlite"
    motcua("demo", "--no-gui", "--db", str(db), "--dossiers", "60")
    pdf, xlsx, csv = tmp_path / "so.pdf", tmp_path / "so.xlsx", tmp_path / "so.csv"
    motcua("report", "logbook", "--db", str(db), "--from", "2026-09-01", "--to", "2026-11-22",
           "--pdf", str(pdf), "--xlsx", str(xlsx), "--csv", str(csv), user=None)
    assert pdf.read_bytes().startswith(b"%PDF") and xlsx.stat().st_size > 0
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Vietnamese correctly
    out = json.loads(motcua("report", "stats", "--db", str(db), "--from", "2026-09-01", "--to", "2026-11-22",
                            "--json", user=None).stdout)
    import sqlite3

    con = sqlite3.connect(db)
    kept = con.execute("SELECT count(*) FROM dossiers WHERE status != 'cancelled'").fetchone()[0]
    con.close()
    assert out["total"]["received_total"] == kept  # every demo dossier falls in the period; cancelled count nowhere
    first = json.loads(motcua("search", "--db", str(db), "--json", "000.21.35", user=None).stdout)[0]
    found = json.loads(motcua("search", "--db", str(db), "--json", first["code"], user=None).stdout)
    assert found[0]["code"] == first["code"]
    p = motcua("report", "stats", "--db", str(db), "--from", "2026-11-22", "--to", "2026-11-01", check=False, user=None)
    assert p.returncode == 2 and "--to" in p.stderr


def test_admin_settings_switches_the_receipt_to_a5_and_refuses_bad_values(office_file, tmp_path):
    out = motcua("admin", "settings", "--db", str(office_file), "--set", "paper_size=a5", user=ADMIN_LOGIN).stdout
    assert 'paper_size = "A5"' in out
    pdf = tmp_path / "a5.pdf"
    motcua("receive", "--db", str(office_file), "--procedure", "2.000815", "--name", "Hồ Văn Nam",
           "--phone", "0901234567", "--received", "2026-11-20T08:00", "--pdf", str(pdf))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "419.528 x 595.276 pts" in info  # A5 portrait, in points
    p = motcua("admin", "settings", "--db", str(office_file), "--set", "paper_size=Letter", check=False,
               user=ADMIN_LOGIN)
    assert p.returncode == 2 and "A4 hoặc A5" in p.stderr
    p = motcua("admin", "settings", "--db", str(office_file), "--set", "agency_code=000.00.00.H00", check=False,
               user=ADMIN_LOGIN)
    assert p.returncode == 2 and "không đổi được" in p.stderr


def test_report_day_lists_closes_in_order_and_reprints(tmp_path):
    from datetime import datetime

    from app.domain.calendar import TZ

    path = tmp_path / "so.sqlite"
    make_office(path, now=datetime(2026, 11, 16, 7, 30, tzinfo=TZ)).close()
    for when in ("2026-11-19T08:00", "2026-11-20T09:30"):
        motcua("receive", "--db", str(path), "--procedure", "2.000815", "--name", "Hồ Văn Nam",
               "--phone", "0901234567", "--received", when)
    listed = motcua("report", "day", "--db", str(path), "--list").stdout
    assert "Chưa chốt sổ: 16/11/2026, 17/11/2026, 18/11/2026, 19/11/2026, 20/11/2026" in listed
    p = motcua("report", "day", "--db", str(path), "--date", "2026-11-19", check=False)
    assert p.returncode == 2 and "Còn ngày 16/11/2026, 17/11/2026, 18/11/2026 chưa chốt sổ" in p.stderr
    pdf = tmp_path / "tuan.pdf"
    out = motcua("report", "day", "--db", str(path), "--all", "--pdf", str(pdf)).stdout
    assert "Đã chốt sổ ngày 20/11/2026: Quyển số 1/2026, trang 5–5, 1 dòng mới" in out
    assert (pdf.stat().st_mode & 0o777) == 0o600  # the pages hold citizens' names
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert [f"Trang {n}" in page for n, page in enumerate(text.split("\f")[:5], start=1)] == [True] * 5
    again = tmp_path / "lai.pdf"
    out = motcua("report", "day", "--db", str(path), "--date", "2026-11-20", "--pdf", str(again)).stdout
    assert "đã chốt sổ" in out
    text = subprocess.run(["pdftotext", "-layout", str(again), "-"], capture_output=True, text=True).stdout
    assert "BẢN IN LẠI" in text and "Trang 5" in text
    assert "Đã chốt sổ hết các ngày." in motcua("report", "day", "--db", str(path), "--list").stdout
    cover = tmp_path / "bia.pdf"
    motcua("report", "volume", "--db", str(path), "--year", "2026", "--cover", str(cover))
    assert "QUYỂN SỐ: 1/2026" in subprocess.run(["pdftotext", str(cover), "-"], capture_output=True,
                                                 text=True).stdout
    p = motcua("report", "volume", "--db", str(path), "--year", "2026", "--close", check=False)
    assert p.returncode == 2 and "31/12/2026" in p.stderr
    archived = motcua("report", "day", "--db", str(path), "--archive").stdout
    assert archived == ""  # every closed day was archived when it was closed
    assert len(list((tmp_path / "so-theo-doi" / "quyen-1-2026").iterdir())) == 5


def test_a_scheduled_catalogue_and_calendar_decision_from_the_command_line(office_file, tmp_path):
    """`--effective`: a new catalogue version and an off-day count only for dossiers received from that day."""
    import json

    from app.services.catalogue import SEED_CATALOGUE

    data = json.loads(SEED_CATALOGUE.read_text(encoding="utf-8"))
    data["version"] = "2027.1"
    path = tmp_path / "dm.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    out = motcua("admin", "import-catalogue", "--db", str(office_file), str(path), "--effective", "01/01/2027",
                 user=ADMIN_LOGIN).stdout
    assert "phiên bản 2027.1" in out and "từ ngày 01/01/2027" in out and "giữ nguyên thời hạn" in out
    bad = motcua("admin", "import-catalogue", "--db", str(office_file), str(path), "--effective", "31/02/2027",
                 user=ADMIN_LOGIN, check=False)
    assert bad.returncode == 2 and "ngày/tháng/năm" in bad.stderr
    out = motcua("admin", "day", "--db", str(office_file), "--date", "2026-11-26", "--kind", "off",
                 "--reason", "Nghỉ theo quyết định của UBND tỉnh", "--effective", "25/11/2026", user=ADMIN_LOGIN).stdout
    assert "từ ngày 25/11/2026" in out
    # received Mon 23/11 10:00 (the decision not yet in effect; Tue 24/11 is a holiday): Wed 25/11 10:00
    p = motcua("calendar", "due", "--received", "2026-11-23T10:00", "--working-days", "1", "--db", str(office_file))
    assert p.stdout.splitlines()[0] == "2026-11-25T10:00"
    # received Wed 25/11 10:00: two working days skip Thu 26/11 -> Mon 30/11 10:00
    p = motcua("calendar", "due", "--received", "2026-11-25T10:00", "--working-days", "2", "--db", str(office_file))
    assert p.stdout.splitlines()[0] == "2026-11-30T10:00"
    out = motcua("admin", "day", "--db", str(office_file), "--date", "2026-11-26", "--kind", "none",
                 user=ADMIN_LOGIN).stdout
    assert out.startswith("Đã bỏ quyết định trước đây về ngày 26/11/2026")


def test_report_ratings_gives_the_offices_satisfaction_as_json_pdf_and_excel(tmp_path):
    db = tmp_path / "demo.sqlite"
    motcua("demo", "--no-gui", "--db", str(db), "--dossiers", "60")
    pdf, xlsx = tmp_path / "danh-gia.pdf", tmp_path / "danh-gia.xlsx"
    leader = ("lanhdao", "motcua123")
    out = json.loads(motcua("report", "ratings", "--db", str(db), "--from", "2026-09-01", "--to", "2026-11-30",
                            "--json", "--pdf", str(pdf), "--xlsx", str(xlsx), user=leader).stdout)
    assert {"total", "satisfied", "percent", "by_level", "by_clerk", "by_field", "by_month", "reasons"} <= set(out)
    assert out["total"] > 20 and out["total"] == sum(x["count"] for x in out["by_level"])
    assert out["percent"] == round(100 * out["satisfied"] / out["total"], 1)
    assert sum(c["total"] for c in out["by_clerk"]) == out["total"] == sum(f["total"] for f in out["by_field"])
    assert pdf.read_bytes().startswith(b"%PDF") and xlsx.stat().st_size > 0
    p = motcua("report", "ratings", "--db", str(db), "--from", "2026-09-01", "--to", "2026-11-30", check=False)
    assert p.returncode == 2 and "--json" in p.stderr
    # per-clerk figures and citizens' comments are for leaders and administrators
    p = motcua("report", "ratings", "--db", str(db), "--from", "2026-09-01", "--to", "2026-11-30", "--json",
               user=("canbo", "motcua123"), check=False)
    assert p.returncode == 2 and "Lãnh đạo" in p.stderr and not p.stdout


def test_the_kiosk_pin_is_set_without_showing_it_and_settings_never_print_it(office_file):
    def kiosk_pin(user):
        env = dict(os.environ, PYTHONPATH=str(ROOT), MOTCUA_HOME=str(ROOT / ".pytest_cache" / "home"),
                   MOTCUA_USER=user[0], MOTCUA_PASSWORD=user[1])
        return subprocess.run([sys.executable, "-m", "ui.cli", "admin", "kiosk-pin", "--db", str(office_file)],
                              input="97531\n", cwd=ROOT, capture_output=True, text=True, env=env, timeout=180)

    refused = kiosk_pin(("canbo1", "matkhau123"))
    assert refused.returncode == 2 and "Quản trị hệ thống" in refused.stderr
    assert kiosk_pin(ADMIN_LOGIN).returncode == 0
    out = motcua("admin", "settings", "--db", str(office_file)).stdout
    assert 'kiosk_pin = "(đã đặt)"' in out and "97531" not in out and "argon2" not in out
    p = motcua("admin", "settings", "--db", str(office_file), "--set", "kiosk_pin=12", check=False, user=ADMIN_LOGIN)
    assert p.returncode == 2 and "chữ số" in p.stderr
