"""Satisfaction ratings (DOMAIN §7): the levels of the 3- and 5-level scales, which of them count as
satisfied, the satisfaction percentage (one decimal) and the national targets. Pure functions."""

from __future__ import annotations

# The stored keys of the levels, best first. A 3-level kiosk asks the first two and "dissatisfied".
VERY_SATISFIED, SATISFIED, NEUTRAL, DISSATISFIED, VERY_DISSATISFIED = (
    "very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied")
ALL_LEVELS: tuple[str, ...] = (VERY_SATISFIED, SATISFIED, NEUTRAL, DISSATISFIED, VERY_DISSATISFIED)
SCALES: dict[int, tuple[str, ...]] = {
    3: (VERY_SATISFIED, SATISFIED, DISSATISFIED),
    5: (VERY_SATISFIED, SATISFIED, NEUTRAL, DISSATISFIED, VERY_DISSATISFIED),
}
LEVEL_TEXT = {
    VERY_SATISFIED: "Rất hài lòng",
    SATISFIED: "Hài lòng",
    NEUTRAL: "Bình thường",
    DISSATISFIED: "Không hài lòng",
    VERY_DISSATISFIED: "Rất không hài lòng",
}
# "Satisfied" in the percentage: the two top levels of either scale (a neutral answer is not satisfied).
SATISFIED_LEVELS = frozenset({VERY_SATISFIED, SATISFIED})

# National targets (DOMAIN §7, wording unverified): share of satisfied ratings by year.
TARGETS: tuple[tuple[int, float], ...] = ((2025, 90.0), (2030, 95.0))

# Reason tags offered after a low score, until the office sets its own (settings: rating_reasons).
DEFAULT_REASONS: tuple[str, ...] = ("Chậm trễ", "Hướng dẫn không rõ", "Thái độ chưa tốt",
                                    "Phải đi lại nhiều lần", "Chờ đợi lâu", "Thủ tục phức tạp")
MAX_REASONS = 8  # the kiosk shows every tag on one screen, without scrolling
MAX_REASON_LENGTH = 40
MAX_COMMENT = 300


def levels_of(scale: int) -> tuple[str, ...]:
    """The levels a kiosk offers for a scale (3 or 5), best first."""
    return SCALES.get(scale, SCALES[3])


def is_satisfied(level: str) -> bool:
    return level in SATISFIED_LEVELS


def is_low(level: str) -> bool:
    """A score after which the kiosk asks for reasons (every level that is not satisfied)."""
    return level in ALL_LEVELS and not is_satisfied(level)


def satisfaction_percent(satisfied: int, total: int) -> float | None:
    """satisfied / total × 100 rounded half up to one decimal (DOMAIN §7); None when nothing was rated."""
    if total <= 0:
        return None
    tenths = (2000 * satisfied + total) // (2 * total)  # exact integer half-up rounding of 1000·s/t
    return tenths / 10


def percent_text(value: float | None) -> str:
    """93.8 -> "93,8%" (Vietnamese decimal comma, always one decimal); None -> "—"."""
    if value is None:
        return "—"
    return f"{value:.1f}".replace(".", ",") + "%"


def target_for(year: int) -> float:
    """The target a year's figures are held against: 90 % up to 2025… then 95 % from 2030 (the nearest
    target not yet past; after 2030, 95 %)."""
    for until, share in TARGETS:
        if year <= until:
            return share
    return TARGETS[-1][1]
