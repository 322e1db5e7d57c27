"""Sample applicants (demo data, benchmarks) and the seed procedure catalogue."""

from __future__ import annotations

import json
import random
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from app.services.sample_people import PeopleGenerator, Person, weighted_choice_table

CATALOGUE = Path(__file__).resolve().parents[2] / "resources" / "catalogue" / "catalogue.json"

# DOMAIN.md §9: code -> (name, field, duration kind, value)
DOMAIN_9 = {
    "1.001193": ("Đăng ký khai sinh", "Hộ tịch", "same_day", 0),
    "1.000894": ("Đăng ký kết hôn", "Hộ tịch", "same_day", 0),
    "1.000656": ("Đăng ký khai tử", "Hộ tịch", "same_day", 0),
    "1.004873": ("Cấp Giấy xác nhận tình trạng hôn nhân", "Hộ tịch", "working_days", 3),
    "2.000635": ("Cấp bản sao Trích lục hộ tịch", "Hộ tịch", "same_day", 0),
    "1.004859": ("Thay đổi, cải chính, bổ sung thông tin hộ tịch", "Hộ tịch", "working_days", 3),
    "1.004884": ("Đăng ký lại khai sinh", "Hộ tịch", "working_days", 5),
    "1.001022": ("Đăng ký nhận cha, mẹ, con", "Hộ tịch", "working_days", 3),
    "1.004837": ("Đăng ký giám hộ", "Hộ tịch", "working_days", 3),
    "2.000815": ("Chứng thực bản sao từ bản chính giấy tờ, văn bản", "Chứng thực", "same_day", 0),
    "2.000884": ("Chứng thực chữ ký trong giấy tờ, văn bản", "Chứng thực", "same_day", 0),
    "2.000908": ("Cấp bản sao từ sổ gốc", "Chứng thực", "same_day", 0),
    "CT-HDGD": ("Chứng thực hợp đồng, giao dịch", "Chứng thực", "working_days", 2),
    "1.001612": ("Đăng ký thành lập hộ kinh doanh", "Kinh doanh", "working_days", 3),
    "1.001699": ("Xác định, xác định lại mức độ khuyết tật", "Bảo trợ xã hội", "calendar_days", 30),
    "1.011607": ("Công nhận hộ nghèo, hộ cận nghèo", "Giảm nghèo", "working_days", 10),
    "1.013978": ("Đăng ký đất đai, cấp Giấy chứng nhận lần đầu", "Đất đai", "working_days", 20),
    "1.002211": ("Công nhận hòa giải viên", "Hòa giải cơ sở", "working_days", 5),
    "1.010010": ("Đề nghị dừng thực hiện thủ tục hành chính", "Một cửa", "working_days", 1),
}
KINDS = {"working_days", "working_hours", "calendar_days", "same_day", "none"}
VIETNAMESE_MARKS = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


def _is_nfc(s: str) -> bool:
    return unicodedata.normalize("NFC", s) == s


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)


# -- people ---------------------------------------------------------------------------------------


def test_same_seed_same_people_other_seed_other_people():
    a = list(PeopleGenerator(42).people(500))
    b = list(PeopleGenerator(42).people(500))
    c = list(PeopleGenerator(43).people(500))
    assert a == b
    assert a != c
    assert all(isinstance(p, Person) for p in a)


def test_generator_does_not_touch_global_random():
    random.seed(7)
    expected = random.random()
    random.seed(7)
    list(PeopleGenerator(1).people(100))
    assert random.random() == expected


@pytest.fixture(scope="module")
def sample() -> list[Person]:
    return list(PeopleGenerator(2026).people(5000))


def test_names_are_nfc_vietnamese_and_gendered(sample):
    marked = 0
    for p in sample:
        assert _is_nfc(p.name) and _is_nfc(p.address)
        parts = p.name.split()
        assert 3 <= len(parts) <= 4, p.name
        assert all(part[0].isupper() for part in parts), p.name
        assert p.gender in ("Nam", "Nữ")
        if p.gender == "Nam":
            assert "Thị" not in parts, p.name
        else:
            assert "Văn" not in parts, p.name
        marked += any(ch in VIETNAMESE_MARKS for ch in p.name.lower())
    assert marked > 0.8 * len(sample)
    surnames = Counter(p.name.split()[0] for p in sample)
    assert surnames.most_common(1)[0][0] == "Nguyễn"
    assert 0.30 < surnames["Nguyễn"] / len(sample) < 0.46
    assert {"Trần", "Lê", "Phạm"} <= set(surnames)


def test_cccd_matches_gender_and_birth_year(sample):
    for p in sample:
        assert re.fullmatch(r"\d{12}", p.id_number), p.id_number
        province, gc, yy = p.id_number[:3], int(p.id_number[3]), p.id_number[4:6]
        assert 1 <= int(province) <= 96
        century = 0 if p.birth_date.year < 2000 else 2
        assert gc == century + (1 if p.gender == "Nữ" else 0), p
        assert yy == f"{p.birth_date.year % 100:02d}"
    assert len({p.id_number for p in sample}) == len(sample)


def test_phone_email_address_and_ages(sample):
    for p in sample:
        assert re.fullmatch(r"0[35789]\d{8}", p.phone), p.phone
        assert p.email == "" or re.fullmatch(r"[a-z0-9.]+@[a-z]+\.[a-z]+", p.email), p.email
        assert p.address.endswith("tỉnh Đồng Nai")
        assert "xã" in p.address or "phường" in p.address
        assert 1940 <= p.birth_date.year <= 2008
    with_email = sum(1 for p in sample if p.email)
    assert 0.05 * len(sample) < with_email < 0.3 * len(sample)


def test_weighted_choice_follows_frequency():
    procs = [{"code": "a", "frequency": 0.7}, {"code": "b", "frequency": 0.3}, {"code": "c", "frequency": 0}]
    pick = weighted_choice_table(procs)
    rng = random.Random(0)
    counts = Counter(pick(rng)["code"] for _ in range(10_000))
    assert counts["c"] == 0
    assert 0.66 < counts["a"] / 10_000 < 0.74
    with pytest.raises(ValueError):
        weighted_choice_table([])


# -- catalogue ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue() -> dict:
    return json.loads(CATALOGUE.read_text(encoding="utf-8"))


def test_catalogue_has_every_domain_procedure(catalogue):
    by_code = {p["code"]: p for p in catalogue["procedures"]}
    assert len(by_code) == len(catalogue["procedures"]), "duplicate codes"
    for code, (name, field, kind, value) in DOMAIN_9.items():
        p = by_code[code]
        assert (p["name"], p["field"], p["duration"]["kind"], p["duration"]["value"]) == (name, field, kind, value)


def test_catalogue_shape(catalogue):
    assert catalogue["version"] and catalogue["source"]
    field_names = {f["name"] for f in catalogue["fields"]}
    for p in catalogue["procedures"]:
        assert p["field"] in field_names, p["code"]
        assert p["duration"]["kind"] in KINDS
        assert isinstance(p["duration"]["value"], int | float)
        assert p["competent_unit"] and p["level"] == "xã"
        assert isinstance(p["fee"]["text"], str) and p["fee"]["text"]
        assert p["fee"]["amount"] is None or p["fee"]["amount"] >= 0
        if not re.fullmatch(r"\d\.\d{6}", p["code"]):
            assert p.get("code_note"), p["code"]
        assert 2 <= len(p["papers"]) <= 7, p["code"]
        for paper in p["papers"]:
            assert paper["name"]
            assert isinstance(paper["original"], bool) and isinstance(paper["copy"], bool)
            assert isinstance(paper["count"], int) and paper["count"] >= 1
            assert "hộ khẩu" not in paper["name"].lower()  # abolished since 2023


def test_catalogue_frequencies_and_text(catalogue):
    total = sum(p["frequency"] for p in catalogue["procedures"])
    assert abs(total - 1) <= 0.02
    assert all(p["frequency"] > 0 for p in catalogue["procedures"])
    assert all(_is_nfc(s) for s in _strings(catalogue))
    assert CATALOGUE.read_bytes().decode("utf-8") == unicodedata.normalize("NFC", CATALOGUE.read_text("utf-8"))
