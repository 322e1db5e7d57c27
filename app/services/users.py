"""Staff accounts: creation, changes (role, password, deactivation) as events, and login with Argon2id hashes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from app.domain.calendar import TZ
from app.domain.ids import uuid7
from app.domain.text import nfc
from app.eventlog import DeviceContext, append
from app.eventlog.payloads import UserCreated, UserUpdated
from app.services.access import ROLES, Permission, can, require, require_account
from app.services.database import Database
from app.services.errors import AuthError, ServiceError
from app.services.inputs import checked, name_problem, username_problem
from db.models import LoginAttempt, User

log = logging.getLogger(__name__)

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters


def password_hasher() -> PasswordHasher:
    """The one Argon2id hasher of passwords and the kiosk's staff PIN."""
    return _hasher


__all__ = ["ROLES", "UserInfo", "change_password", "create_user", "list_accounts", "list_users", "login",
           "password_hasher", "reset_password", "update_account", "update_user"]


@dataclass(frozen=True)
class UserInfo:
    id: str
    username: str
    full_name: str
    role: str
    title: str = ""
    unit: str = ""
    active: bool = True

    @property
    def role_text(self) -> str:
        return ROLES.get(self.role, self.role)


def _info(u: User) -> UserInfo:
    return UserInfo(u.id, u.username, u.full_name, u.role, u.title, u.unit, bool(u.active))


def account_in(s: Session, user_id: str) -> UserInfo | None:
    u = s.get(User, user_id)
    return _info(u) if u is not None else None


def new_user_payload(*, username: str, full_name: str, password: str, role: str = "clerk", title: str = "",
                     unit: str = "") -> UserCreated:
    """A checked new account as the event that creates it (the password only as its Argon2id hash)."""
    username = nfc(username).lower()
    if not username or not nfc(full_name):
        raise ServiceError("Cần nhập tên đăng nhập và họ tên cán bộ.")
    if problem := username_problem(username):
        raise ServiceError(problem)
    v, errors = checked({"full_name": (full_name, "full_name"), "title": (title, "title"), "unit": (unit, "unit")})
    if not errors and (m := name_problem(v["full_name"], "Họ tên cán bộ")):
        errors["full_name"] = m
    if errors:
        raise ServiceError(next(iter(errors.values())))
    _check_password(password)
    if role not in ROLES:
        raise ServiceError(f"Vai trò không hợp lệ: {role}.")
    return UserCreated(username=username, full_name=v["full_name"], password_hash=_hasher.hash(password),
                       role=role, title=v["title"], unit=v["unit"])


def _check_password(password: str) -> None:
    if len(password) < 6:
        raise ServiceError("Mật khẩu phải có ít nhất 6 ký tự.")
    if len(password) > MAX_PASSWORD:
        raise ServiceError(f"Mật khẩu dài quá {MAX_PASSWORD} ký tự.")


def create_user(s: Session, device: DeviceContext, *, username: str, full_name: str, password: str,
                role: str = "clerk", title: str = "", unit: str = "", at, actor_id: str | None) -> UserInfo:
    """A new staff account made by an administrator (`actor_id`), recorded as an event: its id is made here
    once and is the same on every device of the commune that receives the event."""
    require_account(s, actor_id, Permission.ADMINISTER)
    return first_accounts(s, device, username=username, full_name=full_name, password=password, role=role,
                          title=title, unit=unit, at=at, actor_id=actor_id)


def first_accounts(s: Session, device: DeviceContext, *, username: str, full_name: str, password: str,
                   role: str = "clerk", title: str = "", unit: str = "", at, actor_id: str | None = None) -> UserInfo:
    """An account without checking who makes it: only the set-up of a new office (its first accounts, before
    anyone can sign in) calls this; everything else goes through `create_user`."""
    payload = new_user_payload(username=username, full_name=full_name, password=password, role=role, title=title,
                               unit=unit)
    if s.scalar(select(User).where(User.username == payload.username, User.active.is_(True))):
        raise ServiceError(f"Tên đăng nhập “{payload.username}” đã có người dùng.")
    user_id = uuid7()
    append(s, device, payload, stream_id=user_id, actor_id=actor_id, occurred_at=at)
    return _info(s.get(User, user_id))


def update_user(s: Session, device: DeviceContext, user_id: str, *, at, actor_id: str | None,
                **changes) -> UserInfo:
    """Change an account (full_name, password, role, title, unit, active), as an event, by an administrator;
    at least one active administrator always remains."""
    require_account(s, actor_id, Permission.ADMINISTER)
    return _update(s, device, user_id, at=at, actor_id=actor_id, **changes)


def _update(s: Session, device: DeviceContext, user_id: str, *, at, actor_id: str | None, **changes) -> UserInfo:
    target = s.get(User, user_id)
    if target is None:
        raise ServiceError("Không tìm thấy tài khoản này.")
    demoted = target.role == "admin" and target.active and (
        changes.get("active") is False or changes.get("role", "admin") != "admin")
    if demoted and s.scalar(select(func.count()).select_from(User).where(
            User.role == "admin", User.active.is_(True), User.id != user_id)) == 0:
        raise ServiceError("Đây là tài khoản quản trị hệ thống cuối cùng còn hoạt động; hãy tạo hoặc mở lại một "
                           "tài khoản quản trị khác trước khi khóa hoặc đổi vai trò tài khoản này.")
    for key in ("full_name", "title", "unit"):
        if key in changes:
            v, errors = checked({key: (changes[key], key)})
            if not errors and key == "full_name" and (m := name_problem(v[key], "Họ tên cán bộ")):
                errors[key] = m
            if errors:
                raise ServiceError(next(iter(errors.values())))
            changes[key] = v[key]
    if "password" in changes:
        password = changes.pop("password")
        _check_password(password)
        changes["password_hash"] = _hasher.hash(password)
    if "role" in changes and changes["role"] not in ROLES:
        raise ServiceError(f"Vai trò không hợp lệ: {changes['role']}.")
    append(s, device, UserUpdated(**changes), stream_id=user_id, actor_id=actor_id, occurred_at=at)
    return _info(s.get(User, user_id))


def update_account(db: Database, admin: UserInfo, user_id: str, **changes) -> UserInfo:
    """An administrator changes an account: full_name, title, unit, role, active (True: reopen, False: lock)."""
    require(admin, Permission.ADMINISTER)
    with db.transaction() as s:
        return update_user(s, db.device, user_id, at=db.clock(), actor_id=admin.id, **changes)


def reset_password(db: Database, admin: UserInfo, user_id: str, new_password: str) -> UserInfo:
    """An administrator sets a new password for a staff member who forgot theirs (an event, like every change);
    any lock-out of that user name ends."""
    require(admin, Permission.ADMINISTER)
    with db.transaction() as s:
        info = update_user(s, db.device, user_id, at=db.clock(), actor_id=admin.id, password=new_password)
        s.execute(delete(LoginAttempt).where(LoginAttempt.username == info.username))
    log.info("password of account %s reset by account %s", user_id, admin.id)
    return info


def change_password(db: Database, user: UserInfo, *, old_password: str, new_password: str) -> None:
    """The signed-in person changes their own password, proving the old one first."""
    if old_password == new_password:
        raise ServiceError("Mật khẩu mới phải khác mật khẩu đang dùng.")
    with db.reading() as s:
        ok = _verify(s.get(User, user.id), old_password)
    if not ok:
        raise AuthError("Mật khẩu đang dùng không đúng; mật khẩu chưa được đổi.")
    with db.transaction() as s:
        _update(s, db.device, user.id, at=db.clock(), actor_id=user.id, password=new_password)
    log.info("account %s changed its password", user.id)


WRONG = ("Sai tên đăng nhập hoặc mật khẩu (hoặc tài khoản đã bị khóa). Hãy kiểm tra bộ gõ tiếng Việt và phím "
         "Caps Lock; nếu vẫn không vào được, hãy liên hệ quản trị hệ thống.")
LOCKED = ("Tên đăng nhập này đã nhập sai mật khẩu {n} lần nên tạm bị khóa đến {until:%H:%M}. Hãy thử lại sau "
          "thời điểm đó hoặc liên hệ quản trị hệ thống.")
LOCK_AFTER = 5  # failures in a row (within FAILURE_WINDOW) before the lock-out
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)
MAX_PASSWORD = 256  # longer input is refused before hashing (an Argon2 hash of megabytes is a denial of service)


def login(db: Database, *, username: str, password: str, permission: Permission | None = None) -> UserInfo:
    """Check a password; raises AuthError with the message to show.

    Never says which part was wrong, nor whether an account exists or is deactivated. After LOCK_AFTER
    failures for one typed username (existing or not) it is locked for LOCK_FOR: during that time the
    password is not even checked, so a lock-out never confirms a right password. Failures and lock-outs
    are logged by account id (never by name). With `permission` (the counter window asks for
    Permission.COUNTER), an account whose role does not allow it is refused after its password is right."""
    info = _login(db, username=username, password=password)
    if permission is not None and not can(info, permission):
        log.warning("sign-in refused: account %s (%s) may not %s", info.id, info.role, permission.value)
        raise AuthError(f"Tài khoản {info.username} ({info.role_text}) không dùng được ở đây. "
                        "Hãy đăng nhập bằng tài khoản cán bộ của quầy.")
    log.info("signed in: %s (account %s, %s)", info.username, info.id, info.role)
    return info


def _login(db: Database, *, username: str, password: str) -> UserInfo:
    username = nfc(username).lower()
    if not username or not password:
        raise AuthError("Hãy nhập tên đăng nhập và mật khẩu.")
    username = username[:64]
    now = db.clock()
    if db.damaged:  # a damaged file takes no writes, but staff may still sign in to read and print
        with db.reading() as s:
            user = _by_name(s, username)
            if not _verify(user, password):
                raise AuthError(WRONG)
            return _info(user)
    with db.transaction() as s:
        s.execute(delete(LoginAttempt).where(LoginAttempt.first_failed_at < now - timedelta(days=1),
                                             or_(LoginAttempt.locked_until.is_(None),
                                                 LoginAttempt.locked_until < now)))
        attempt = s.get(LoginAttempt, username)
        user = _by_name(s, username)
        ref = f"account {user.id}" if user is not None else "an unknown account"
        if attempt is not None and attempt.locked_until is not None and attempt.locked_until > now:
            log.warning("sign-in refused: %s is locked out until %s", ref, attempt.locked_until.isoformat())
            locked = LOCKED.format(n=attempt.failures, until=attempt.locked_until.astimezone(TZ))
            ok = None
        else:
            locked = None
            ok = _verify(user, password)
            if ok:
                if attempt is not None:
                    s.delete(attempt)
            else:
                if attempt is None or attempt.first_failed_at < now - FAILURE_WINDOW or attempt.locked_until:
                    if attempt is None:
                        attempt = LoginAttempt(username=username)
                        s.add(attempt)
                    attempt.failures, attempt.first_failed_at, attempt.locked_until = 0, now, None
                attempt.failures += 1
                log.warning("sign-in failed for %s (%d in a row)", ref, attempt.failures)
                if attempt.failures >= LOCK_AFTER:
                    attempt.locked_until = now + LOCK_FOR
                    log.warning("sign-in locked out for %s until %s", ref, attempt.locked_until.isoformat())
        info = _info(user) if ok else None
    if locked:
        raise AuthError(locked)
    if info is None:
        raise AuthError(WRONG)
    return info


def _by_name(s: Session, username: str) -> User | None:
    """The account with this user name (an active one first: a name created twice on two offline counters)."""
    return s.scalar(select(User).where(User.username == username).order_by(User.active.desc(), User.id))


def _verify(user: User | None, password: str) -> bool:
    """True only for an active account with this password; the same Argon2 cost whatever the case."""
    if len(password) > MAX_PASSWORD:
        return False
    if user is None:
        _hasher.hash(password)  # same cost whether or not the account exists
        return False
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(user.active)


def get_user(db: Database, user_id: str) -> UserInfo | None:
    with db.reading() as s:
        u = s.get(User, user_id)
        return _info(u) if u else None


def list_users(db: Database) -> list[UserInfo]:
    with db.reading() as s:
        return [_info(u) for u in s.scalars(select(User).where(User.active.is_(True)).order_by(User.full_name))]


def list_accounts(db: Database, admin: UserInfo) -> list[UserInfo]:
    """Every account, locked ones too, for the administrator's list."""
    require(admin, Permission.ADMINISTER)
    with db.reading() as s:
        return [_info(u) for u in s.scalars(select(User).order_by(User.active.desc(), User.username))]
