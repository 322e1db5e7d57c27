"""The life of a dossier after intake: every step an event, due times moved by pauses and extensions,
impossible steps refused with a reason, and the projections still a pure fold of the log."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.domain.calendar import TZ
from app.services import lifecycle as lc
from app.services.dossiers import get_dossier
from app.services.errors import TransitionRefused, ValidationFailed
from app.services.maintenance import check_database, rebuild_projections
from app.services.reception import ReceptionForm, receive_dossier
from app.services.users import login
from db.models import Event, IntakeSlip, LogbookEntry


def at(day, hh, mm=0):
    return datetime(2026, 11, day, hh, mm, tzinfo=TZ)


@pytest.fixture
def people(office_db):
    return (login(office_db, username="canbo1", password="matkhau123"),
            login(office_db, username="chuyenvien", password="matkhau123"),
            login(office_db, username="lanhdao", password="matkhau123"))


def step(db, when, fn, *args, **kw):
    db.clock = lambda: when
    return fn(db, *args, **kw)


def receive(db, clerk, code="1.004873", **kw):
    return receive_dossier(db, form=ReceptionForm(procedure_code=code, applicant_name="Nguyễn Thị Hường",
                                                  phone="0912345678", **kw), clerk=clerk)


def test_supplement_pause_across_a_weekend_then_extension_then_return(office_db, people):
    clerk, specialist, leader = people
    r = receive(office_db, clerk)  # Mon 16/11 09:05, 3 working days
    assert r.due_at == at(19, 9, 5)
    step(office_db, at(16, 10), lc.transfer, r.code, actor=clerk, to_name="Lê Văn Đức", to_unit="Tư pháp - Hộ tịch")
    s = step(office_db, at(18, 16), lc.request_supplement, r.code, actor=specialist, reason="Thiếu giấy tờ",
             items=[{"name": "Bản sao Giấy chứng nhận kết hôn", "count": 1, "certified": True}])
    assert s.status == "supplement"
    # Paused Wed 16:00 → Mon 08:00: 60 + 480 + 480 + 60 working minutes; the weekend does not count.
    s = step(office_db, at(23, 8), lc.receive_supplement, r.code, actor=clerk)
    assert s.status == "in_progress"
    assert s.due_at == at(23, 11, 5)
    d = get_dossier(office_db, r.code)
    assert d.original_due_at == at(23, 11, 5)
    # Apology + extension before the due time; Tue 24/11 (Ngày Văn hóa Việt Nam) is skipped by the suggestion.
    office_db.clock = lambda: at(23, 9)
    suggestion = lc.suggested_extension(office_db, r.code)
    assert suggestion == at(27, 11, 5)
    e = step(office_db, at(23, 9), lc.extend, r.code, actor=leader, new_due=suggestion,
             reason="Chờ xác minh tại nơi cư trú trước đây", signer_name="Phạm Quốc Hùng",
             signer_title="Phó Chủ tịch UBND xã")
    assert e.due_at == at(27, 11, 5)
    with pytest.raises(TransitionRefused, match="chỉ được gia hạn một lần"):
        step(office_db, at(23, 9, 30), lc.extend, r.code, actor=clerk, new_due=at(30, 9), reason="lần hai")
    step(office_db, at(26, 10), lc.result_ready, r.code, actor=clerk, from_name="Lê Văn Đức")
    done = step(office_db, at(26, 14), lc.return_result, r.code, actor=clerk, id_shown="079190012345")
    assert done.status == "returned"
    d = get_dossier(office_db, r.code)
    # statistics judge against the statutory due (pause included, extension not): 26/11 is late vs 23/11 11:05
    assert d.original_due_at == at(23, 11, 5) and d.due_at == at(27, 11, 5) and d.extensions == 1
    kinds = [st.kind for st in d.steps]
    assert kinds == ["received", "transferred", "supplement_requested", "supplement_received", "extended",
                     "result_ready", "returned"]
    assert rebuild_projections(office_db).identical
    assert check_database(office_db).ok


def test_returning_twice_is_refused_with_the_reason(office_db, people):
    clerk = people[0]
    r = receive(office_db, clerk, code="2.000815")
    step(office_db, at(16, 9, 30), lc.result_ready, r.code, actor=clerk)
    step(office_db, at(16, 9, 40), lc.return_result, r.code, actor=clerk)
    with pytest.raises(TransitionRefused, match="đã trả kết quả rồi"):
        step(office_db, at(16, 9, 50), lc.return_result, r.code, actor=clerk)


def test_returning_before_the_result_is_ready_is_refused(office_db, people):
    r = receive(office_db, people[0])
    with pytest.raises(TransitionRefused, match="chưa có kết quả"):
        step(office_db, at(16, 9, 30), lc.return_result, r.code, actor=people[0])


def test_a_stopped_dossier_accepts_no_further_step(office_db, people):
    clerk = people[0]
    r = receive(office_db, clerk)
    step(office_db, at(16, 9, 30), lc.stop, r.code, actor=clerk, reason="Công dân có đơn xin rút hồ sơ")
    for fn, kw in ((lc.transfer, {"to_name": "Lê Văn Đức"}), (lc.result_ready, {})):
        with pytest.raises(TransitionRefused, match="đã dừng giải quyết"):
            step(office_db, at(16, 9, 40), fn, r.code, actor=clerk, **kw)


def test_an_apology_is_still_issued_once_the_dossier_is_late_and_it_stays_late(office_db, people):
    clerk = people[0]
    r = receive(office_db, clerk)  # due Thu 19/11 09:05
    with pytest.raises(ValidationFailed, match="sau thời điểm phát hành"):
        step(office_db, at(19, 10), lc.extend, r.code, actor=clerk, new_due=at(19, 9, 30), reason="Chậm")
    e = step(office_db, at(19, 10), lc.extend, r.code, actor=clerk, new_due=at(25, 9), reason="Chậm")
    assert e.due_at == at(25, 9)
    d = get_dossier(office_db, r.code)
    assert d.original_due_at == at(19, 9, 5) and d.steps[-1].details.signer_name == "Phạm Quốc Hùng"


def test_a_clerk_cannot_cancel_after_the_first_hand_over_and_nobody_after_the_result(office_db, people):
    clerk, leader = people[0], people[2]
    r = receive(office_db, clerk)
    step(office_db, at(16, 10), lc.transfer, r.code, actor=clerk, to_name="Lê Văn Đức")
    with pytest.raises(TransitionRefused, match="chỉ lãnh đạo"):
        step(office_db, at(16, 11), lc.cancel, r.code, actor=clerk, reason="Nhập nhầm")
    r2 = receive(office_db, clerk)
    step(office_db, at(16, 14), lc.result_ready, r2.code, actor=clerk)
    step(office_db, at(16, 15), lc.return_result, r2.code, actor=clerk)
    with pytest.raises(TransitionRefused):
        step(office_db, at(16, 16), lc.cancel, r2.code, actor=leader, reason="Nhập nhầm")
    assert step(office_db, at(16, 16), lc.cancel, r.code, actor=leader, reason="Nhập nhầm thủ tục").status == \
        "cancelled"


def test_cancel_keeps_the_dossier_in_the_book_marked(office_db, people):
    clerk = people[0]
    r = receive(office_db, clerk)
    step(office_db, at(16, 9, 20), lc.cancel, r.code, actor=clerk, reason="Nhập trùng với hồ sơ trước")
    d = get_dossier(office_db, r.code)
    assert d.status == "cancelled" and d.steps[-1].details.reason == "Nhập trùng với hồ sơ trước"
    with office_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(LogbookEntry)) == 1


def test_correction_changes_the_name_and_keeps_the_old_one_in_history(office_db, people):
    clerk = people[0]
    r = receive(office_db, clerk)
    step(office_db, at(16, 9, 30), lc.correct_applicant, r.code, actor=clerk,
         changes={"applicant_name": "nguyễn thị hương"}, reason="Gõ sai dấu")
    d = get_dossier(office_db, r.code)
    assert d.applicant_name == "Nguyễn Thị Hương"
    assert d.steps[-1].details.changes["applicant_name"] == ("Nguyễn Thị Hường", "Nguyễn Thị Hương")


def test_guidance_slip_and_refusal_make_no_dossier_and_use_no_book_number(office_db, people):
    clerk = people[0]
    lc.issue_guidance(office_db, actor=clerk, procedure_code="1.001193", applicant_name="Trần Văn Bình",
                      items=[{"name": "Giấy chứng sinh", "original": True}, {"name": "Tờ khai đăng ký khai sinh"}],
                      reason="Thiếu giấy chứng sinh")
    lc.refuse_intake(office_db, actor=clerk, procedure_code="1.013978", applicant_name="Trần Văn Bình",
                     reason="Thửa đất thuộc xã khác quản lý; ông nộp tại xã nơi có đất")
    with office_db.reading() as s:
        assert s.scalar(select(func.count()).select_from(LogbookEntry)) == 0
        assert sorted(x.kind for x in s.scalars(select(IntakeSlip))) == ["guidance", "refusal"]
        assert s.scalar(select(func.count()).select_from(Event).where(Event.stream_type == "intake")) == 2
        assert s.scalar(select(func.count()).select_from(Event).where(Event.stream_type == "dossier")) == 0
    r = receive(office_db, clerk)
    assert r.number == 1 and r.code.endswith("-1001")


def test_guidance_without_items_is_refused(office_db, people):
    with pytest.raises(ValidationFailed) as info:
        lc.issue_guidance(office_db, actor=people[0], procedure_code="1.001193", applicant_name="Trần Văn Bình",
                          items=[])
    assert "items" in info.value.errors


def test_the_person_holding_the_dossier_is_known_and_gives_it_back(office_db, people):
    clerk = people[0]
    r = receive(office_db, clerk)
    step(office_db, at(16, 10), lc.transfer, r.code, actor=clerk, to_name="Lê Văn Đức", to_unit="Tư pháp - Hộ tịch")
    assert get_dossier(office_db, r.code).holder == "Lê Văn Đức"
    step(office_db, at(16, 11), lc.result_ready, r.code, actor=clerk)  # no "from" typed
    d = get_dossier(office_db, r.code)
    assert d.steps[-1].giver == "Lê Văn Đức" and d.steps[-1].unit == "Tư pháp - Hộ tịch"
    assert d.holder == ""  # back at the counter


def test_a_reason_still_holding_a_templates_blank_is_refused_by_every_service(office_db):
    from app.services.errors import ValidationFailed as VF

    clerk = login(office_db, username="canbo1", password="matkhau123")
    old_template = ("Sự việc (thửa đất, nơi cư trú) thuộc địa bàn xã khác quản lý. Đề nghị Ông/Bà nộp hồ sơ tại "
                    "Ủy ban nhân dân xã nơi …")
    with pytest.raises(VF) as e:
        lc.refuse_intake(office_db, actor=clerk, procedure_code="1.013978", applicant_name="Trần Văn Bình",
                         reason=old_template)
    assert "…" in e.value.errors["reason"]
    with pytest.raises(VF):
        lc.issue_guidance(office_db, actor=clerk, procedure_code="1.001193", applicant_name="Trần Văn Bình",
                          items=[{"name": "Giấy chứng sinh"}], reason="Bổ sung [giấy tờ]")
    r = receive_dossier(office_db, form=ReceptionForm(procedure_code="1.004873", applicant_name="Ngô Văn Tú",
                                                      phone="0912345678"), clerk=clerk)
    with pytest.raises(VF):
        lc.stop(office_db, r.code, actor=clerk, reason="Công dân xin rút hồ sơ vì ...")
    with pytest.raises(VF):
        lc.request_supplement(office_db, r.code, actor=clerk, items=[{"name": "Tờ khai"}], reason="[lý do]")
