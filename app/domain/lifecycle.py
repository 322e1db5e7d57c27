"""Which step a dossier allows in which state, why a step is refused, and the state of its deadline."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from app.domain.calendar import TZ, WorkCalendar
from app.domain.deadline import EARLY, LATE, ON_TIME, add_working_minutes, classify_result, open_overdue
from app.domain.dossier import STATUS_TEXT, Status


class Action(StrEnum):
    TRANSFER = "transfer"                      # hand over to a specialist / another unit
    BACK = "back"                              # handed back to the counter
    SUPPLEMENT_REQUEST = "supplement-request"  # form 02; clock pauses
    SUPPLEMENT_RECEIVED = "supplement-received"
    RESULT_READY = "result-ready"
    RETURN = "return"                          # result handed to the citizen; closes the dossier
    EXTEND = "extend"                          # form 04; new due time
    STOP = "stop"                              # form 05
    CANCEL = "cancel"                          # entered by mistake
    CORRECT = "correct"                        # applicant data corrected


ACTION_TEXT = {
    Action.TRANSFER: "Chuyển xử lý",
    Action.BACK: "Nhận lại từ bộ phận xử lý",
    Action.SUPPLEMENT_REQUEST: "Yêu cầu bổ sung",
    Action.SUPPLEMENT_RECEIVED: "Nhận hồ sơ bổ sung",
    Action.RESULT_READY: "Có kết quả",
    Action.RETURN: "Trả kết quả",
    Action.EXTEND: "Xin lỗi, gia hạn",
    Action.STOP: "Dừng giải quyết",
    Action.CANCEL: "Hủy (nhập nhầm)",
    Action.CORRECT: "Sửa thông tin người nộp",
}

OPEN = {Status.RECEIVED, Status.IN_PROGRESS, Status.SUPPLEMENT, Status.RESULT_READY}
ALLOWED: dict[Action, set[Status]] = {
    Action.TRANSFER: {Status.RECEIVED, Status.IN_PROGRESS},
    Action.BACK: {Status.IN_PROGRESS},
    Action.SUPPLEMENT_REQUEST: {Status.RECEIVED, Status.IN_PROGRESS},
    Action.SUPPLEMENT_RECEIVED: {Status.SUPPLEMENT},
    Action.RESULT_READY: {Status.RECEIVED, Status.IN_PROGRESS},
    Action.RETURN: {Status.RESULT_READY},
    Action.EXTEND: {Status.RECEIVED, Status.IN_PROGRESS},
    Action.STOP: {Status.RECEIVED, Status.IN_PROGRESS, Status.SUPPLEMENT, Status.RESULT_READY},
    # A data-entry cancel never touches a dossier with a result, returned or stopped: those have a verdict
    # the statistics must keep. Before the first hand-over a clerk may cancel; after it only a leader.
    Action.CANCEL: {Status.RECEIVED, Status.IN_PROGRESS, Status.SUPPLEMENT},
    Action.CORRECT: OPEN | {Status.RETURNED, Status.STOPPED},
}

MAX_EXTENSIONS = 1  # DOMAIN §2: at most once (unverified) — an administrator may override
LATE_CANCEL_ROLES = frozenset({"leader", "admin"})  # may cancel a dossier already handed over


def cancel_refusal(code: str, *, handed_over: bool, role: str) -> str | None:
    """Why this person may not cancel this (open) dossier as entered by mistake; None if they may."""
    if handed_over and role not in LATE_CANCEL_ROLES:
        return (f"Hồ sơ {code} đã chuyển đi giải quyết nên không còn là hồ sơ vừa nhập nhầm; chỉ lãnh đạo "
                "được hủy (ghi rõ lý do). Nếu công dân rút hồ sơ, hãy dùng “Dừng giải quyết”.")
    return None


def refusal(action: Action, status: Status, code: str) -> str | None:
    """Why `action` is not allowed on a dossier in `status`, in words a clerk understands; None if allowed."""
    if Status(status) in ALLOWED[action]:
        return None
    st = STATUS_TEXT[Status(status)].lower()
    verb = ACTION_TEXT[action].lower()
    if status == Status.RETURNED and action == Action.RETURN:
        return f"Hồ sơ {code} đã trả kết quả rồi; không thể trả lần nữa."
    if status == Status.CANCELLED:
        return f"Hồ sơ {code} đã bị hủy do nhập nhầm; không thể {verb}."
    if action == Action.CANCEL and status == Status.RESULT_READY:
        return (f"Hồ sơ {code} đã có kết quả giải quyết; không hủy được như hồ sơ nhập nhầm. "
                "Nếu thông tin sai, hãy dùng “Sửa thông tin người nộp”.")
    if status == Status.STOPPED:
        return f"Hồ sơ {code} đã dừng giải quyết; không thể {verb}."
    if status == Status.RETURNED:
        return f"Hồ sơ {code} đã trả kết quả và kết thúc; không thể {verb}."
    if action == Action.RETURN:
        return f"Hồ sơ {code} chưa có kết quả (đang ở trạng thái “{st}”); hãy ghi nhận “Có kết quả” trước khi trả."
    if status == Status.SUPPLEMENT:
        return f"Hồ sơ {code} đang chờ công dân bổ sung; hãy ghi nhận hồ sơ bổ sung trước khi {verb}."
    return f"Không thể {verb} khi hồ sơ {code} đang ở trạng thái “{st}”."


def allowed_actions(status: str, *, extensions: int = 0, handed_over: bool = False,
                    role: str = "clerk") -> list[Action]:
    """The steps to offer as buttons; an extension is not offered again once used (an admin overrides
    elsewhere); a cancel only to whom :func:`cancel_refusal` lets cancel."""
    return [a for a in Action if Status(status) in ALLOWED[a]
            and not (a == Action.EXTEND and extensions >= MAX_EXTENSIONS)
            and not (a == Action.CANCEL and cancel_refusal("", handed_over=handed_over, role=role))]


HANDOVER_KINDS = ("transferred", "handed_back", "result_ready", "received")


def holder_person(steps) -> str:
    """Who holds the paper dossier now, from its steps in order (anything with kind/receiver/unit):
    the last hand-over's receiver, or "" when it is back at the counter."""
    for st in reversed(list(steps)):
        if st.kind == "transferred":
            return st.receiver or st.unit
        if st.kind in HANDOVER_KINDS:
            return ""
    return ""


class DueState(StrEnum):
    WITHIN = "within"        # trong hạn
    DUE_TODAY = "due_today"  # đến hạn hôm nay
    DUE_SOON = "due_soon"    # còn không quá 1 ngày làm việc
    OVERDUE = "overdue"      # quá hạn
    PAUSED = "paused"        # tạm dừng chờ bổ sung
    NO_DEADLINE = "none"     # không quy định thời hạn
    EARLY = "early"          # có kết quả / đã trả: giải quyết trước hạn
    ON_TIME = "on_time"      # có kết quả / đã trả: đúng hạn
    LATE = "late"            # có kết quả / đã trả: trễ hạn
    CLOSED = "closed"        # dừng / hủy


DUE_STATE_TEXT = {
    DueState.WITHIN: "Trong hạn",
    DueState.DUE_TODAY: "Đến hạn hôm nay",
    DueState.DUE_SOON: "Sắp đến hạn (≤ 1 ngày làm việc)",
    DueState.OVERDUE: "Quá hạn",
    DueState.PAUSED: "Tạm dừng (chờ bổ sung)",
    DueState.NO_DEADLINE: "Không quy định thời hạn",
    DueState.EARLY: "Giải quyết trước hạn",
    DueState.ON_TIME: "Giải quyết đúng hạn",
    DueState.LATE: "Giải quyết trễ hạn",
    DueState.CLOSED: "Đã kết thúc",
}
VERDICT_STATES = {EARLY: DueState.EARLY, ON_TIME: DueState.ON_TIME, LATE: DueState.LATE}


def verdict(result_at: datetime | None, statutory_due: datetime | None) -> DueState | None:
    """The one verdict on a dossier with a result: early / on time / late (DOMAIN §5), judged when the
    result came back (`result_at`) against the statutory due (supplement pauses in, extensions out).
    Lists, badges, the dossier window, the forms and the statistics all ask this; None without a result."""
    if result_at is None:
        return None
    return VERDICT_STATES[classify_result(statutory_due, result_at)]


def due_state(status: str, due_at: datetime | None, now: datetime, cal: WorkCalendar, *,
              paused_at: datetime | None = None, result_at: datetime | None = None,
              statutory_due_at: datetime | None = None) -> DueState:
    """The deadline state shown in lists, badges and the dossier window.

    A dossier with its result (ready or returned) shows its :func:`verdict`, as the statistics count it.
    A paused dossier is "paused" unless it was already past its due time when the supplement was
    requested (:func:`open_overdue`). Stopped and cancelled dossiers are "closed".
    """
    st = Status(status)
    if st in (Status.RESULT_READY, Status.RETURNED):
        return verdict(result_at, statutory_due_at if statutory_due_at is not None else due_at) or DueState.CLOSED
    if st in (Status.STOPPED, Status.CANCELLED):
        return DueState.CLOSED
    if st == Status.SUPPLEMENT:
        if open_overdue(due_at, now, paused_at):
            return DueState.OVERDUE
        return DueState.PAUSED
    if due_at is None:
        return DueState.NO_DEADLINE
    if open_overdue(due_at, now):
        return DueState.OVERDUE
    local_now, local_due = now.astimezone(TZ), due_at.astimezone(TZ)
    if local_due.date() == local_now.date():
        return DueState.DUE_TODAY
    one_day = add_working_minutes(local_now, int(cal.hours.hours_per_day * 60), cal)
    if local_due <= one_day:
        return DueState.DUE_SOON
    return DueState.WITHIN
