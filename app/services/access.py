"""Who may do what: the roles, what each may do, and the check every service makes before it acts.

The windows hide what a person may not use, but the rule lives here: a service refuses an action whatever
called it (a window, the command line, a script), so a hidden button is never the only guard.
"""

from __future__ import annotations

from enum import StrEnum

from app.services.errors import ServiceError

ROLES = {"clerk": "Công chức tiếp nhận", "specialist": "Công chức chuyên môn", "leader": "Lãnh đạo",
         "admin": "Quản trị hệ thống", "kiosk": "Máy đánh giá (ki-ốt)"}


class Permission(StrEnum):
    COUNTER = "counter"  # sign in at the counter: receive, record steps, print a dossier's forms
    REPORTS = "reports"  # statistics, logbook extracts and their exports
    OVERRIDE = "override"  # what needs a leader's decision: a second extension, a cancel after the hand-over
    AUDIT = "audit"  # read the audit trail (who viewed, printed, exported, changed what)
    KIOSK_SETTINGS = "kiosk_settings"  # the rating kiosk's and ratings' settings
    ADMINISTER = "administer"  # office and device settings, users, catalogue, calendar, backups
    KIOSK = "kiosk"  # staff actions at the rating kiosk


GRANTS: dict[str, frozenset[Permission]] = {
    "admin": frozenset(Permission),
    "leader": frozenset({Permission.COUNTER, Permission.REPORTS, Permission.OVERRIDE, Permission.AUDIT,
                         Permission.KIOSK_SETTINGS, Permission.KIOSK}),
    "clerk": frozenset({Permission.COUNTER, Permission.REPORTS, Permission.KIOSK}),
    "specialist": frozenset({Permission.COUNTER, Permission.REPORTS}),
    "kiosk": frozenset({Permission.KIOSK}),
}

WHAT = {
    Permission.COUNTER: "làm việc tại quầy tiếp nhận",
    Permission.REPORTS: "xem và xuất báo cáo, thống kê",
    Permission.OVERRIDE: "quyết định thay lãnh đạo (gia hạn lần nữa, hủy hồ sơ đã chuyển)",
    Permission.AUDIT: "xem nhật ký truy cập và thay đổi",
    Permission.KIOSK_SETTINGS: "đổi thiết lập máy đánh giá",
    Permission.ADMINISTER: "quản trị hệ thống (thiết lập, cán bộ, danh mục, lịch, sao lưu)",
    Permission.KIOSK: "thao tác của cán bộ tại máy đánh giá",
}


class Forbidden(ServiceError):
    """The signed-in account's role does not allow this action."""


def role_text(role: str) -> str:
    return ROLES.get(role, role)


def can(user, permission: Permission) -> bool:
    """Whether `user` (anything with a `.role`, or None) may do it."""
    return user is not None and permission in GRANTS.get(getattr(user, "role", ""), frozenset())


def who_may(permission: Permission) -> str:
    roles = [ROLES[r] for r in ROLES if permission in GRANTS.get(r, ())]
    return ", ".join(r.lower() for r in roles)


def require(user, permission: Permission) -> None:
    """Raise Forbidden, with a sentence saying who may, unless `user` may do it."""
    if can(user, permission):
        return
    if user is None:
        raise Forbidden(f"Cần đăng nhập bằng tài khoản được {WHAT[permission]}.")
    raise Forbidden(f"Tài khoản {user.username} ({role_text(user.role)}) không được {WHAT[permission]}. "
                    f"Việc này dành cho: {who_may(permission)}.")


def require_account(s, actor_id: str | None, permission: Permission):
    """The active account `actor_id` (read in session `s`) if it may do it; Forbidden otherwise."""
    from app.services.users import account_in

    user = account_in(s, actor_id) if actor_id else None
    if user is not None and not user.active:
        raise Forbidden(f"Tài khoản {user.username} đã bị khóa; không thực hiện được việc này.")
    require(user, permission)
    return user
