"""Staff accounts: creation and login with Argon2id password hashes."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.ids import uuid7
from app.domain.text import nfc
from app.eventlog import DeviceContext, append
from app.eventlog.payloads import UserCreated, UserUpdated
from app.services.database import Database
from app.services.errors import AuthError, ServiceError
from db.models import User

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters


def password_hasher() -> PasswordHasher:
    """The one Argon2id hasher of passwords and the kiosk's staff PIN."""
    return _hasher


ROLES = {"clerk": "Công chức tiếp nhận", "specialist": "Công chức chuyên môn", "leader": "Lãnh đạo",
         "admin": "Quản trị hệ thống"}


@dataclass(frozen=True)
class UserInfo:
    id: str
    username: str
    full_name: str
    role: str
    title: str = ""
    unit: str = ""

    @property
    def role_text(self) -> str:
        return ROLES.get(self.role, self.role)


def _info(u: User) -> UserInfo:
    return UserInfo(u.id, u.username, u.full_name, u.role, u.title, u.unit)


def create_user(s: Session, device: DeviceContext, *, username: str, full_name: str, password: str,
                role: str = "clerk", title: str = "", unit: str = "", at, actor_id: str | None = None) -> UserInfo:
    """A new staff account, recorded as an event: its id is made here once and is the same on every device
    of the commune that receives the event."""
    username = nfc(username).lower()
    if not username or not full_name.strip():
        raise ServiceError("Cần nhập tên đăng nhập và họ tên cán bộ.")
    if len(password) < 6:
        raise ServiceError("Mật khẩu phải có ít nhất 6 ký tự.")
    if role not in ROLES:
        raise ServiceError(f"Vai trò không hợp lệ: {role}.")
    if s.scalar(select(User).where(User.username == username)):
        raise ServiceError(f"Tên đăng nhập “{username}” đã có người dùng.")
    user_id = uuid7()
    append(s, device, UserCreated(username=username, full_name=nfc(full_name), password_hash=_hasher.hash(password),
                                  role=role, title=nfc(title), unit=nfc(unit)),
           stream_id=user_id, actor_id=actor_id, occurred_at=at)
    return _info(s.get(User, user_id))


def update_user(s: Session, device: DeviceContext, user_id: str, *, at, actor_id: str | None = None,
                **changes) -> UserInfo:
    """Change an account (full_name, password, role, title, unit, active), as an event."""
    if "password" in changes:
        password = changes.pop("password")
        if len(password) < 6:
            raise ServiceError("Mật khẩu phải có ít nhất 6 ký tự.")
        changes["password_hash"] = _hasher.hash(password)
    if "role" in changes and changes["role"] not in ROLES:
        raise ServiceError(f"Vai trò không hợp lệ: {changes['role']}.")
    if s.get(User, user_id) is None:
        raise ServiceError("Không tìm thấy tài khoản này.")
    append(s, device, UserUpdated(**changes), stream_id=user_id, actor_id=actor_id, occurred_at=at)
    return _info(s.get(User, user_id))


def login(db: Database, *, username: str, password: str) -> UserInfo:
    """Check a password; raises AuthError with the message to show. Never says which part was wrong."""
    username = nfc(username).lower()
    if not username or not password:
        raise AuthError("Hãy nhập tên đăng nhập và mật khẩu.")
    with db.reading() as s:
        user = s.scalar(select(User).where(User.username == username).order_by(User.active.desc(), User.id))
        if user is None:
            _hasher.hash(password)  # same cost whether or not the account exists
            raise AuthError("Sai tên đăng nhập hoặc mật khẩu. Hãy kiểm tra bộ gõ tiếng Việt và phím Caps Lock.")
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise AuthError(
                "Sai tên đăng nhập hoặc mật khẩu. Hãy kiểm tra bộ gõ tiếng Việt và phím Caps Lock."
            ) from None
        if not user.active:
            raise AuthError("Tài khoản này đã bị khóa. Hãy liên hệ quản trị hệ thống.")
        return _info(user)


def get_user(db: Database, user_id: str) -> UserInfo | None:
    with db.reading() as s:
        u = s.get(User, user_id)
        return _info(u) if u else None


def list_users(db: Database) -> list[UserInfo]:
    with db.reading() as s:
        return [_info(u) for u in s.scalars(select(User).where(User.active.is_(True)).order_by(User.full_name))]
