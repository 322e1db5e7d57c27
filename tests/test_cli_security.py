"""The command line as an attacker or an unlucky IT person would use it (issue 9, points 4, 11, 12, 14)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.conftest import make_office
from tests.test_cli import ADMIN_LOGIN, motcua


@pytest.fixture
def office_file(tmp_path):
    path = tmp_path / "xa.sqlite"
    make_office(path, admin=True).close()
    return path


def _count(path, table):
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


RECEIVE = ("--procedure", "2.000815", "--name", "Hồ Văn Nam", "--phone", "0901234567",
           "--received", "2026-11-20T08:00")


def test_a_pdf_that_cannot_be_written_names_the_saved_code_and_a_retry_makes_no_duplicate(office_file, tmp_path):
    p = motcua("receive", "--db", str(office_file), *RECEIVE, "--request-id", "phieu-20-11-007",
               "--pdf", str(tmp_path / "khong-co" / "r.pdf"), "--json", check=False)
    out = json.loads(p.stdout)
    assert p.returncode == 3  # saved, but the receipt file failed
    assert out["code"] == "000.17.22.H56-261120-1001" and out["code"] in p.stderr
    assert "Đã lưu hồ sơ" in out["pdf_error"]
    again = json.loads(motcua("receive", "--db", str(office_file), *RECEIVE, "--request-id", "phieu-20-11-007",
                              "--pdf", str(tmp_path / "r.pdf"), "--json").stdout)
    assert again["code"] == out["code"] and again["repeated"] and (tmp_path / "r.pdf").exists()
    assert _count(office_file, "dossiers") == 1


def test_writing_commands_need_a_password_and_never_take_one_on_the_command_line(office_file, tmp_path):
    p = motcua("receive", "--db", str(office_file), *RECEIVE, "--user", "quantri", user=None, check=False)
    assert p.returncode == 2 and "phải biết ai chạy nó" in p.stderr
    p = motcua("receive", "--db", str(office_file), *RECEIVE, user=("quantri", "doan-bua"), check=False)
    assert p.returncode == 2 and "Sai tên đăng nhập hoặc mật khẩu" in p.stderr
    assert _count(office_file, "dossiers") == 0
    secret = tmp_path / "mk.txt"
    secret.write_text("matkhau123\n", encoding="utf-8")
    code = json.loads(motcua("receive", "--db", str(office_file), *RECEIVE, "--user", "canbo1", "--password-file",
                             str(secret), "--json", user=None).stdout)["code"]
    con = sqlite3.connect(office_file)
    actor = con.execute("SELECT u.username FROM events e JOIN users u ON u.id = e.actor_id").fetchone()[0]
    con.close()
    assert actor == "canbo1"
    # the leader's override needs the leader's password, not just the name
    p = motcua("dossier", "extend", code, "--db", str(office_file), "--override", "--reason", "Chờ xác minh",
               "--user", "lanhdao", user=None, check=False)
    assert p.returncode == 2 and "phải biết ai chạy nó" in p.stderr
    for old_flag in (("admin", "add-user", "--db", str(office_file), "--username", "x1", "--full-name", "Lê Văn X",
                      "--password", "123456"),):
        p = motcua(*old_flag, check=False)
        assert p.returncode == 2 and "Không nhận mật khẩu trên dòng lệnh" in p.stderr
    p = motcua("admin", "add-user", "--db", str(office_file), "--username", "x1", "--full-name", "Lê Văn X",
               "--password-fil", str(secret), check=False)
    assert p.returncode == 2 and "không hiểu tham số" in p.stderr  # no abbreviations either (in Vietnamese)


def test_add_user_needs_an_administrator(office_file, tmp_path):
    new = tmp_path / "moi.txt"
    new.write_text("mat-khau-moi\n", encoding="utf-8")
    args = ("admin", "add-user", "--db", str(office_file), "--username", "canbo2", "--full-name", "Lê Thị Hoa",
            "--new-password-file", str(new))
    p = motcua(*args, check=False)  # as the clerk
    assert p.returncode == 2 and "cần tài khoản Quản trị hệ thống" in p.stderr
    assert "Đã tạo tài khoản canbo2" in motcua(*args, user=ADMIN_LOGIN).stdout
    assert _count(office_file, "users") == 5


def test_only_a_demo_file_lets_its_demo_clerk_act_without_a_password(tmp_path, office_file):
    demo = tmp_path / "demo.sqlite"
    motcua("demo", "--no-gui", "--db", str(demo), "--dossiers", "5", user=None)
    out = json.loads(motcua("receive", "--db", str(demo), *RECEIVE, "--json", user=None).stdout)
    assert out["code"].startswith("000.21.35.H26-261120-")
    p = motcua("receive", "--db", str(demo), *RECEIVE, "--user", "quantri", user=None, check=False)
    assert p.returncode == 2 and "phải biết ai chạy nó" in p.stderr
    p = motcua("receive", "--db", str(office_file), *RECEIVE, "--user", "canbo", user=None, check=False)
    assert p.returncode == 2  # a real file: no passwordless demo clerk
    p = motcua("demo", "--no-gui", "--reset", "--db", str(office_file), user=None, check=False)
    assert p.returncode == 2 and "không phải tệp xã mẫu" in p.stderr and _count(office_file, "users") == 4


def test_the_counter_on_an_unconfigured_or_missing_file_explains_set_up_and_seeds_nothing(tmp_path):
    from app.services.database import Database

    blank = tmp_path / "moi.sqlite"
    Database(blank, create=True).close()  # a schema, no office (a set-up that stopped half-way)
    p = motcua("counter", "--db", str(blank), user=None, check=False)
    assert p.returncode == 2 and "motcua admin setup" in p.stderr
    assert _count(blank, "users") == 0 and _count(blank, "dossiers") == 0
    missing = tmp_path / "go-nham" / "motcua.sqlite"
    p = motcua(user=None, check=False, env={"MOTCUA_DB": str(missing)})
    assert p.returncode == 2 and "motcua admin setup" in p.stderr and not missing.parent.exists()


def test_admin_setup_reads_the_password_from_a_file_and_loads_the_seed_catalogue(tmp_path):
    db = tmp_path / "moi" / "xa.sqlite"
    secret = tmp_path / "mk.txt"
    secret.write_text("mat-khau-quan-tri\n", encoding="utf-8")
    out = motcua("admin", "setup", "--db", str(db), "--agency-code", "000.17.22.H56", "--parent-body",
                 "Ủy ban nhân dân xã Tân Hưng", "--center-name", "Trung tâm Phục vụ hành chính công xã Tân Hưng",
                 "--place", "Tân Hưng", "--slot", "1", "--admin-user", "quantri", "--admin-name", "Võ Minh Tâm",
                 "--password-file", str(secret), user=None).stdout
    assert "danh mục thủ tục mẫu" in out
    assert _count(db, "procedures") == 35  # used to be 0: every reception then failed
    p = motcua("receive", "--db", str(db), *RECEIVE, user=("quantri", "mat-khau-quan-tri"))
    assert "Đã tiếp nhận hồ sơ" in p.stdout
    p = motcua("admin", "setup", "--db", str(tmp_path / "b.sqlite"), "--agency-code", "000.17.22.H56",
               "--parent-body", "UBND", "--center-name", "TT", "--place", "X", "--slot", "1", "--admin-user", "qt",
               "--admin-name", "Võ Tâm", user=None, check=False)
    assert p.returncode == 2 and "Không ghi mật khẩu trên dòng lệnh" in p.stderr
