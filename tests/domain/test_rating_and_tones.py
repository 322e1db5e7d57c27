"""The satisfaction percentage as DOMAIN §7 defines it, and the tone keys of the kiosk's keyboard putting their
mark where Vietnamese writes it."""

from __future__ import annotations

import unicodedata

import pytest

from app.domain.rating import is_low, is_satisfied, percent_text, satisfaction_percent, target_for
from app.domain.vn_input import apply_tone


def test_satisfaction_is_satisfied_over_all_with_one_decimal_rounded_half_up():
    assert satisfaction_percent(2, 3) == 66.7
    assert satisfaction_percent(1, 16) == 6.3  # 6.25 rounds up, not to even
    assert satisfaction_percent(177, 198) == 89.4
    assert satisfaction_percent(0, 0) is None
    assert percent_text(89.4) == "89,4%" and percent_text(100.0) == "100,0%" and percent_text(None) == "—"


def test_the_two_top_levels_are_satisfied_and_neutral_is_not():
    assert is_satisfied("very_satisfied") and is_satisfied("satisfied")
    assert is_low("neutral") and is_low("dissatisfied") and is_low("very_dissatisfied")
    assert (target_for(2025), target_for(2027), target_for(2031)) == (90.0, 95.0, 95.0)


@pytest.mark.parametrize("typed, tone, word", [
    ("châm", "nang", "chậm"), ("ngươi", "huyen", "người"), ("hoang", "huyen", "hoàng"), ("mua", "huyen", "mùa"),
    ("hoa", "huyen", "hòa"), ("thuy", "hoi", "thủy"), ("ngoai", "huyen", "ngoài"), ("quy", "sac", "quý"),
    ("gia", "huyen", "già"), ("gi", "huyen", "gì"), ("Nguyên", "nga", "Nguyễn"), ("Viêt", "nang", "Việt"),
    ("thuơ", "hoi", "thuở"), ("khuyu", "hoi", "khuỷu"), ("lâu qua", "sac", "lâu quá"),
])
def test_a_tone_key_marks_the_right_vowel_of_the_last_word(typed, tone, word):
    out = apply_tone(typed, tone)
    assert out == word and unicodedata.is_normalized("NFC", out)


def test_the_same_tone_again_takes_it_off_and_another_replaces_it():
    assert apply_tone("chậm", "nang") == "châm"
    assert apply_tone("chậm", "sac") == "chấm"
    assert apply_tone("Chờ ", "sac") == "Chờ "  # no word at the end: nothing to mark
