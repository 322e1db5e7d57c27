"""Sign-in lock-out (issue 9, point 10): a few failures lock a username for some minutes, the lock-out
is logged without names, and a locked or deactivated account never confirms a right password."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import update

from app.services.errors import AuthError
from app.services.users import LOCK_AFTER, login
from db.models import User


def _fail(db, username="canbo1", password="sai-mat-khau"):
    with pytest.raises(AuthError) as info:
        login(db, username=username, password=password)
    return info.value.message


def test_five_wrong_passwords_lock_the_account_and_the_right_one_is_not_confirmed(office_db, fixed_now, caplog):
    caplog.set_level(logging.WARNING)
    for _ in range(LOCK_AFTER):
        assert "Sai tên đăng nhập hoặc mật khẩu" in _fail(office_db)
    locked = _fail(office_db, password="matkhau123")  # the right password, during the lock-out
    assert "tạm bị khóa đến 09:20" in locked and "Sai" not in locked
    assert _fail(office_db, password="sai") == locked  # same answer whatever the password
    office_db.clock = lambda: fixed_now + timedelta(minutes=16)
    assert login(office_db, username="canbo1", password="matkhau123").username == "canbo1"
    log = caplog.text
    assert "locked out" in log and "canbo1" not in log and "Trần Thị Mai" not in log


def test_an_unknown_username_is_locked_the_same_way(office_db):
    for _ in range(LOCK_AFTER):
        _fail(office_db, username="khongco")
    assert "tạm bị khóa" in _fail(office_db, username="khongco")


def test_a_deactivated_account_answers_like_a_wrong_password(office_db):
    with office_db.transaction() as s:
        s.execute(update(User).where(User.username == "canbo1").values(active=False))
    assert _fail(office_db, password="matkhau123") == _fail(office_db, password="sai-mat-khau")


def test_a_success_clears_the_count(office_db):
    for _ in range(LOCK_AFTER - 1):
        _fail(office_db)
    login(office_db, username="canbo1", password="matkhau123")
    for _ in range(LOCK_AFTER - 1):
        _fail(office_db)
    assert login(office_db, username="canbo1", password="matkhau123")
