"""Property-based fuzz of the reception service (issue 9, point 14): whatever is typed, reception either
refuses it with a Vietnamese message per field, or accepts it, and then the dossier prints on every
form (01–06 and the refusal slip), with the name readable on the receipt, and exports to Excel and CSV.

Examples: HYPOTHESIS_PROFILE=ci (the default) tries 20 per test to keep CI bounded; `thorough` 300.
"""

from __future__ import annotations

import io
import itertools
import os
import tempfile
import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from app.services import lifecycle as lc
from app.services.errors import ValidationFailed
from app.services.forms import FormKind, dossier_form_pdf, intake_slip_pdf, receipt_pdf
from app.services.reception import ReceptionForm, receive_dossier
from app.services.reports import (
    logbook_csv,
    logbook_lines,
    logbook_pdf,
    logbook_title_info,
    logbook_xlsx,
    stats_csv,
    stats_pdf,
    stats_xlsx,
)
from app.services.stats import compute_stats
from app.services.users import login
from tests.conftest import make_office
from tests.printing.pdftools import pdf_text

settings.register_profile("ci", max_examples=20, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("thorough", max_examples=300, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

NOW = datetime(2026, 11, 16, 2, 5, tzinfo=UTC)  # Monday 09:05 local
DAY = date(2026, 11, 16)
VI = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
HOSTILE = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\u00ad",
           "😀", "👨", "\u200d", "中", "０", "٣", "\u0301", "\u0323", "\t", "\n", "\r", "!", "?", "=", "@", "'", "-",
           ",", ".", "/", "\ud7ff", "\ue000", "Ω", "ж", "€", "₫", "&", "(", " "]
letters = st.sampled_from(list(VI + VI.upper()))
chars = st.one_of(letters, letters, st.just(" "), st.sampled_from(HOSTILE), st.characters())
texts = st.one_of(st.text(chars, max_size=40), st.text(chars, min_size=90, max_size=520))
words = st.lists(st.text(letters, min_size=1, max_size=8), min_size=1, max_size=5).map(" ".join)
nfd = st.builds(lambda n: unicodedata.normalize("NFD", n), words)
digits = st.sampled_from(["0123456789", "０１２３４５６７８９", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹"])
good_phone = st.builds(lambda d, tail: d[0] + "".join(d[int(c)] for c in tail), digits,
                       st.text("0123456789", min_size=9, max_size=9))
good_id = st.builds(lambda d, n: "".join(d[int(c)] for c in n), digits, st.text("0123456789", min_size=12, max_size=12))
# odd but printable: symbols, other scripts the font has, invisible characters, decomposed marks, digits
odd = st.text(st.one_of(letters, st.sampled_from(["Ω", "ж", "€", "₫", "=", "@", "&", "(", ")", "'", "-", "/", ",",
                                                  ".", "0", "٣", "０", "\u200b", "\ufeff", "\u00ad", "\u0301",
                                                  "\u0323", "\t", " "])), max_size=300)
valid = st.fixed_dictionaries({
    "applicant_name": st.one_of(words, nfd), "phone": st.one_of(good_phone, st.just("+84 912 345 678")),
    "id_number": st.one_of(st.just(""), good_id), "address": st.one_of(st.just(""), odd),
    "email": st.sampled_from(["", "ten.ho@example.com"]), "note": st.one_of(st.just(""), odd)})
FIELDS = ["applicant_name", "phone", "id_number", "address", "email", "note"]
# a valid form with zero to two fields replaced by anything at all
forms = st.builds(
    lambda base, bad, proc, channel: ReceptionForm(procedure_code=proc, channel=channel, **{**base, **bad}),
    valid, st.dictionaries(st.sampled_from(FIELDS), st.one_of(texts, odd, words), max_size=2),
    st.sampled_from(["2.000815", "1.004873", "1.001193"]), st.sampled_from(["direct", "post", "online"]))

tried = itertools.count()
accepted = itertools.count()


def _office():
    path = Path(tempfile.mkdtemp(prefix="motcua-fuzz-")) / "xa.sqlite"
    return make_office(path, now=NOW)


def _squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture(scope="module")
def fuzz_db():
    db = _office()
    yield db
    db.close()
    if os.environ.get("MOTCUA_FUZZ_REPORT"):
        print(f"\nfuzz: {next(tried)} forms tried, {next(accepted)} accepted")


@given(form=forms)
def test_any_accepted_reception_prints_on_every_form_and_exports(fuzz_db, form, tmp_path_factory):
    db = fuzz_db
    next(tried)
    clerk = login(db, username="canbo1", password="matkhau123")
    try:
        r = receive_dossier(db, form=form, clerk=clerk)
    except ValidationFailed as exc:
        assert exc.errors and all(isinstance(m, str) and m.strip() for m in exc.errors.values())
        return
    next(accepted)
    from app.services.dossiers import get_dossier

    d = get_dossier(db, r.code)
    out = tmp_path_factory.mktemp("pdf") / "r.pdf"
    out.write_bytes(receipt_pdf(db, r.code))
    assert _squash(d.applicant_name) in _squash(pdf_text(out, mode="raw"))  # nothing vanished from the name
    reason = d.note or "Thiếu giấy tờ"
    lc.transfer(db, r.code, actor=clerk, to_name=d.applicant_name, to_unit=d.address)
    lc.request_supplement(db, r.code, actor=clerk, reason=reason, items=[{"name": d.address or "Giấy khai sinh"}])
    lc.receive_supplement(db, r.code, actor=clerk, note=d.note)
    due = lc.suggested_extension(db, r.code)
    if due is not None:
        lc.extend(db, r.code, actor=clerk, new_due=due, reason=reason, signer_name=d.applicant_name,
                  signer_title="Phó Chủ tịch UBND xã")
    lc.stop(db, r.code, actor=clerk, reason=reason, requested_by=d.applicant_name, note=d.note)
    kinds = [FormKind.RECEIPT, FormKind.CONTROL, FormKind.SUPPLEMENT, FormKind.STOP]
    kinds += [FormKind.APOLOGY] if due is not None else []
    for kind in kinds:
        assert dossier_form_pdf(db, r.code, kind).startswith(b"%PDF")
    slip = lc.refuse_intake(db, actor=clerk, procedure_code=form.procedure_code, applicant_name=d.applicant_name,
                            address=d.address, phone=d.phone, reason=reason)
    assert intake_slip_pdf(db, slip.event_id).startswith(b"%PDF")
    lines = logbook_lines(db, DAY, DAY)
    load_workbook(io.BytesIO(logbook_xlsx(lines, title_info=logbook_title_info(db, DAY, DAY, lines=lines))))
    assert r.code in logbook_csv(lines).decode("utf-8-sig")
    report = compute_stats(db, DAY, DAY)
    load_workbook(io.BytesIO(stats_xlsx(report)))
    assert stats_csv(report) and stats_pdf(report).startswith(b"%PDF")


def test_the_longest_accepted_fields_print_in_the_logbook_pdf(tmp_path):
    db = make_office(tmp_path / "xa.sqlite", now=NOW)
    try:
        clerk = login(db, username="canbo1", password="matkhau123")
        receive_dossier(db, form=ReceptionForm(procedure_code="2.000815", applicant_name="A" * 100,
                                               phone="0912345678", address="B" * 300, note="C" * 500), clerk=clerk)
        assert logbook_pdf(db, DAY, DAY).startswith(b"%PDF")
    finally:
        db.close()
