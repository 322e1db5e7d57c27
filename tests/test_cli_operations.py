"""The command line IT staff can trust (issue 11): --version, MOTCUA_DB wherever --db is, Vietnamese help that
gives each option's format and default (argparse's own words too), reports that say what is missing, set-up
that checks the agency code, the calendar's range, accounts, this device's backups, the audit trail and a log
with MotCua's own lines. In-process (ui.cli.main) where the point is the parser, to keep the suite fast."""

from __future__ import annotations

import argparse
import json
import sqlite3

import pytest

from tests.conftest import make_office
from ui import cli
from ui.cli_vi import ENGLISH

ADMIN = ("quantri", "matkhau-quantri")


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("MOTCUA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MOTCUA_FIXED_NOW", "2026-11-22T10:00")
    for key in ("MOTCUA_DB", "MOTCUA_USER", "MOTCUA_PASSWORD", "MOTCUA_NEW_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    return monkeypatch


@pytest.fixture
def office(tmp_path):
    path = tmp_path / "xa.sqlite"
    make_office(path, admin=True).close()
    return path


def run(capsys, *args, user=None) -> tuple[int, str, str]:
    import os

    if user:
        os.environ["MOTCUA_USER"], os.environ["MOTCUA_PASSWORD"] = user
    try:
        code = cli.main(list(args))
    except SystemExit as exc:
        code = exc.code
    finally:
        os.environ.pop("MOTCUA_USER", None)
        os.environ.pop("MOTCUA_PASSWORD", None)
    out = capsys.readouterr()
    return code, out.out, out.err


def _parsers(p: argparse.ArgumentParser, path=("motcua",)):
    yield path, p
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _parsers(child, (*path, name))


def test_version(env, capsys):
    from app.version import __version__

    code, out, _err = run(capsys, "--version")
    assert code == 0 and out.strip() == f"MotCua {__version__}"


def test_every_help_is_vietnamese_and_gives_formats_and_defaults():
    missing = []
    for path, parser in _parsers(cli.build_parser()):
        text = parser.format_help()
        assert not ENGLISH.search(text), (path, ENGLISH.search(text).group(0), text[:400])
        assert "cách dùng:" in text and ("tùy chọn:" in text or "tham số:" in text)
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction | argparse._VersionAction | argparse._SubParsersAction):
                continue
            name = "/".join(action.option_strings) or action.dest
            if not action.help:
                missing.append(f"{' '.join(path)} {name}: no help")
                continue
            default = action.default
            if action.option_strings and default not in (None, False, argparse.SUPPRESS) and \
                    "mặc định" not in action.help:
                missing.append(f"{' '.join(path)} {name}: default {default!r} not said")
            if action.type in (cli._date, cli._local_dt) and "YYYY" not in (action.metavar or "") + action.help:
                missing.append(f"{' '.join(path)} {name}: date format not said")
    assert missing == []


def test_argparse_errors_speak_vietnamese(env, capsys):
    code, _out, err = run(capsys, "report", "stats")
    assert code == 2 and "lỗi: thiếu tham số bắt buộc: --from, --to" in err and "error" not in err
    code, _out, err = run(capsys, "receive", "--sets", "hai")
    assert code == 2 and "không hợp lệ (cần một số nguyên)" in err
    code, _out, err = run(capsys, "report", "stats", "--from", "2026-11-31", "--to", "2026-11-30")
    assert code == 2 and "không đúng dạng YYYY-MM-DD" in err


def test_motcua_db_is_honoured_wherever_db_is(env, capsys, office):
    env.setenv("MOTCUA_DB", str(office))
    code, out, _ = run(capsys, "admin", "check")
    assert code == 0 and "khớp với nhật ký sự kiện: có" in out
    code, out, _ = run(capsys, "receive", "--procedure", "2.000815", "--name", "Hồ Văn Nam", "--phone", "0901234567",
                       "--received", "2026-11-20T08:00", "--json", user=("canbo1", "matkhau123"))
    received = json.loads(out)["code"]
    code, out, _ = run(capsys, "search", "--json", "ho van nam", user=("canbo1", "matkhau123"))
    assert [r["code"] for r in json.loads(out)] == [received]
    code, out, _ = run(capsys, "report", "stats", "--from", "2026-11-01", "--to", "2026-11-30", "--json",
                       user=("canbo1", "matkhau123"))
    assert json.loads(out)["total"]["received_total"] == 1
    code, out, _ = run(capsys, "admin", "settings")
    assert 'paper_size = "A4"' in out


def test_a_report_without_an_output_says_what_is_missing(env, capsys, office):
    for args in (("report", "logbook"), ("report", "stats")):
        code, out, err = run(capsys, *args, "--db", str(office), "--from", "2026-11-01", "--to", "2026-11-30",
                             user=("canbo1", "matkhau123"))
        assert code == 2 and "Chưa nói ghi báo cáo ra đâu" in err and "--pdf TỆP" in err
    code, out, err = run(capsys, "report", "volume", "--db", str(office), "--year", "2026")
    assert code == 2 and "--cover" in err


def test_setup_checks_the_agency_code_and_makes_no_file(env, capsys, tmp_path):
    target = tmp_path / "moi.sqlite"
    env.setenv("MOTCUA_PASSWORD", "mat-khau-quan-tri")
    code, _out, err = run(capsys, "admin", "setup", "--db", str(target), "--agency-code", "abc", "--parent-body",
                          "UBND xã Tân Hưng", "--center-name", "Trung tâm", "--place", "Tân Hưng", "--slot", "1",
                          "--admin-user", "quantri", "--admin-name", "Võ Minh Tâm")
    assert code == 2 and "QCVN 102:2016" in err and "000.17.22.H56" in err
    assert not target.exists()


def test_the_calendar_refuses_years_it_does_not_know(env, capsys):
    code, _out, err = run(capsys, "calendar", "off-days", "2051")
    assert code == 2 and "2020–2050" in err
    code, _out, err = run(capsys, "calendar", "due", "--received", "2019-06-03T09:00", "--working-days", "2")
    assert code == 2 and "năm 2019" in err
    code, out, _err = run(capsys, "calendar", "off-days", "2050")
    assert code == 0 and out


def test_accounts_from_the_command_line_and_their_trail(env, capsys, office):
    env.setenv("MOTCUA_NEW_PASSWORD", "matkhau-moi-1")
    code, out, _ = run(capsys, "admin", "add-user", "--db", str(office), "--username", "canbo2", "--full-name",
                       "Lê Thị Hoa", user=ADMIN)
    assert code == 0
    code, out, _ = run(capsys, "admin", "user", "canbo2", "--db", str(office), "--role", "leader", "--lock",
                       user=ADMIN)
    assert code == 0 and "role = leader" in out
    code, out, _ = run(capsys, "admin", "users", "--db", str(office), "--json", user=ADMIN)
    hoa = next(u for u in json.loads(out) if u["username"] == "canbo2")
    assert (hoa["role"], hoa["active"]) == ("leader", False)
    code, _out, err = run(capsys, "admin", "users", "--db", str(office), user=("canbo1", "matkhau123"))
    assert code == 2 and "Quản trị hệ thống" in err
    env.setenv("MOTCUA_NEW_PASSWORD", "doi-mat-khau-2")
    code, out, _ = run(capsys, "admin", "password", "--db", str(office), user=("canbo1", "matkhau123"))
    assert code == 0 and "Đã đổi mật khẩu của canbo1" in out
    code, out, _ = run(capsys, "admin", "audit", "--db", str(office), "--kind", "change", "--json", user=ADMIN)
    actions = [x["action"] for x in json.loads(out)]
    assert actions.count("Sửa tài khoản") == 2 and "Tạo tài khoản" in actions
    assert not any("$argon2" in x["detail"] for x in json.loads(out))


def test_backups_from_the_command_line_go_to_this_devices_folder_and_keep_n(env, capsys, office, tmp_path):
    usb = tmp_path / "usb"
    code, out, _ = run(capsys, "admin", "device", "--db", str(office), "--set", f"backup_dir={usb}",
                       "--set", "backup_keep=2", user=ADMIN)
    assert code == 0 and str(usb) in out
    for minute in ("10:00", "10:01", "10:02"):
        env.setenv("MOTCUA_FIXED_NOW", f"2026-11-22T{minute}")
        assert run(capsys, "admin", "backup", "--db", str(office))[0] == 0
    assert len(list(usb.iterdir())) == 2
    code, out, _ = run(capsys, "admin", "audit", "--db", str(office), "--kind", "backup", "--json", user=ADMIN)
    assert [x["action"] for x in json.loads(out)] == ["Sao lưu"] * 3


def test_the_log_says_what_motcua_did_and_never_who_the_citizen_was(env, capsys, office, tmp_path):
    from app.version import __version__

    run(capsys, "receive", "--db", str(office), "--procedure", "2.000815", "--name", "Hồ Văn Nam", "--phone",
        "0901234567", "--received", "2026-11-20T08:00", user=("canbo1", "matkhau123"))
    run(capsys, "receive", "--db", str(office), "--procedure", "9.999999", "--name", "Hồ Văn Nam", "--phone",
        "0901234567", user=("canbo1", "matkhau123"))
    log = (tmp_path / "home" / "logs" / "motcua.log").read_text(encoding="utf-8")
    assert f"MotCua {__version__} start" in log and "motcua receive --db --name --phone --procedure" in log
    assert "signed in: canbo1" in log and "refused (fields: procedure_code)" in log
    assert "alembic" not in log.lower() or "WARNING" in log
    assert "0901234567" not in log and "Hồ Văn Nam" not in log


def test_unconfigured_counter_refuses_a_named_file_but_not_silently(env, capsys, tmp_path):
    blank = tmp_path / "khong-co.sqlite"
    code, _out, err = run(capsys, "counter", "--db", str(blank))
    assert code == 2 and "motcua admin setup" in err and not blank.exists()
    con = sqlite3.connect(tmp_path / "la.sqlite")
    con.execute("CREATE TABLE x (a)")
    con.close()
    code, _out, err = run(capsys, "setup", "--db", str(tmp_path / "la.sqlite"))
    assert code == 2 and "không phải của MotCua" in err


def test_the_demo_never_goes_into_the_real_data_file(env, capsys, tmp_path, monkeypatch):
    from ui import cli as cli_module

    made = []
    monkeypatch.setattr(cli_module, "seed_demo_file", lambda path, n, progress=None: made.append(path))
    code, out, _err = run(capsys, "demo", "--no-gui")
    assert code == 0 and made == [tmp_path / "home" / "motcua-demo.sqlite"] and out.strip() == str(made[0])
    env.setenv("MOTCUA_DB", str(tmp_path / "that" / "real.sqlite"))
    code, out, _err = run(capsys, "demo", "--no-gui")
    assert made[-1] == tmp_path / "that" / "motcua-demo.sqlite"


def test_on_a_fresh_pc_the_counter_opens_the_setup_window_for_the_machines_file(env, capsys, tmp_path, monkeypatch):
    import ui.setup_window

    opened = []
    monkeypatch.setattr(ui.setup_window, "run_setup", lambda path: opened.append(path) or 0)
    assert run(capsys)[0] == 0
    assert opened == [tmp_path / "home" / "motcua.sqlite"] and not opened[0].exists()


def test_a_demo_stopped_half_way_is_made_again(env, capsys, tmp_path, monkeypatch):
    from app.services.database import Database
    from app.services.demo import DEMO_SETTINGS, DEMO_STAFF
    from app.services.setup import initialise_office
    from ui import cli as cli_module

    path = tmp_path / "home" / "motcua-demo.sqlite"
    db = Database(path, create=True)
    initialise_office(db, settings=DEMO_SETTINGS, slot=1, device_name="Quầy 1", staff=DEMO_STAFF[:1], demo=True,
                      catalogue=None)  # killed right after the set-up: no dossiers, no completion mark
    db.close()
    made = []
    monkeypatch.setattr(cli_module, "seed_demo_file", lambda p, n, progress=None: made.append(p))
    code, _out, err = run(capsys, "demo", "--no-gui")
    assert code == 0 and "chưa tạo xong lần trước" in err and made == [path]
    assert not path.exists()  # the half-made file was removed before seeding again (the stub seeds nothing)
