"""The dossier's vocabulary: statuses, channels, return methods and their Vietnamese names."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    RECEIVED = "received"            # accepted at the counter, not yet handed over
    IN_PROGRESS = "in_progress"      # with a specialist or another unit
    SUPPLEMENT = "supplement"        # waiting for the citizen's supplement; clock paused
    RESULT_READY = "result_ready"    # result back at the counter, waiting for the citizen
    RETURNED = "returned"            # result handed over; closed
    STOPPED = "stopped"              # stopped at the citizen's request or by notice; closed
    CANCELLED = "cancelled"          # entered by mistake; kept in the book, marked


STATUS_TEXT = {
    Status.RECEIVED: "Mới tiếp nhận",
    Status.IN_PROGRESS: "Đang giải quyết",
    Status.SUPPLEMENT: "Chờ bổ sung",
    Status.RESULT_READY: "Có kết quả, chờ trả",
    Status.RETURNED: "Đã trả kết quả",
    Status.STOPPED: "Dừng giải quyết",
    Status.CANCELLED: "Đã hủy (nhập nhầm)",
}

CLOSED = frozenset({Status.RETURNED, Status.STOPPED, Status.CANCELLED})

CHANNELS = {"direct": "Trực tiếp", "post": "Qua dịch vụ bưu chính", "online": "Trực tuyến"}
# Short names, for lists and pickers; the office's own name goes on the forms (return_place).
RETURN_METHODS = {"counter": "Nhận trực tiếp tại quầy", "post": "Qua dịch vụ bưu chính công ích"}


def return_place(method: str, center_name: str) -> str:
    """Where the result is collected, as item 6 of the receipt says it: the configured name of the
    office (Trung tâm Phục vụ hành chính công …, Bộ phận Một cửa …), or the postal service."""
    if method == "post":
        return RETURN_METHODS["post"]
    return center_name.strip() or RETURN_METHODS["counter"]


def status_text(status: str) -> str:
    try:
        return STATUS_TEXT[Status(status)]
    except ValueError:
        return status
