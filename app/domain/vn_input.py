"""Vietnamese letters typed one key at a time on the kiosk's on-screen keyboard: a tone key puts its mark on
the right vowel of the word being typed (as Vietnamese input methods do), so a citizen types "c h â m" and
"nặng" and gets "chậm". Pure functions on NFC text."""

from __future__ import annotations

import unicodedata

# combining marks of the five tones (the sixth, "ngang", has none)
TONES = {"sac": "\u0301", "huyen": "\u0300", "hoi": "\u0309", "nga": "\u0303", "nang": "\u0323"}
TONE_MARKS = frozenset(TONES.values())
_BASE_VOWELS = frozenset("aeiouy")
# marks that make another letter (â ă ê ô ơ ư), not a tone
_LETTER_MARKS = frozenset({"\u0302", "\u0306", "\u031b"})


def _parts(ch: str) -> tuple[str, str, str]:
    """(base ASCII letter lowercased, letter marks, tone mark) of one character."""
    nfd = unicodedata.normalize("NFD", ch)
    base = nfd[:1].lower()
    marks = "".join(c for c in nfd[1:] if c in _LETTER_MARKS)
    tone = "".join(c for c in nfd[1:] if c in TONE_MARKS)
    return base, marks, tone


def strip_tone(ch: str) -> str:
    nfd = unicodedata.normalize("NFD", ch)
    return unicodedata.normalize("NFC", "".join(c for c in nfd if c not in TONE_MARKS))


def _with_tone(ch: str, mark: str) -> str:
    return unicodedata.normalize("NFC", strip_tone(ch) + mark)


def tone_position(word: str) -> int | None:
    """Index in `word` of the vowel that carries the tone; None when the word has no vowel."""
    chars = [_parts(c) for c in word]
    vowels = [i for i, (b, _m, _t) in enumerate(chars) if b in _BASE_VOWELS]
    if not vowels:
        return None
    lower = "".join(b for b, _m, _t in chars)
    # "qu" and "gi" before another vowel: the u / i belong to the consonant ("quý", "già")
    if lower.startswith("qu") and len(vowels) > 1 and vowels[0] == 1:
        vowels = vowels[1:]
    elif lower.startswith("gi") and len(vowels) > 1 and vowels[0] == 1 and vowels[1] == 2:
        vowels = vowels[1:]
    # the first run of vowels is the syllable's nucleus
    run = [vowels[0]]
    for i in vowels[1:]:
        if i != run[-1] + 1:
            break
        run.append(i)
    marked = [i for i in run if chars[i][1]]
    if marked:
        horn = [i for i in marked if chars[i][0] == "o" and "\u031b" in chars[i][1]]  # "ươ": on ơ
        return horn[0] if horn else marked[-1]
    closed = run[-1] + 1 < len(word)
    if closed or len(run) == 1:
        return run[-1]
    if len(run) == 3:
        return run[1]
    return run[0]  # an open pair: "mùa", "tài", "hòa", "thủy"


def apply_tone(text: str, tone: str) -> str:
    """`text` with `tone` ("sac", "huyen", "hoi", "nga", "nang") on the last word's vowel; the same tone
    again takes it off, another tone replaces it. Text without a word at its end is returned unchanged."""
    mark = TONES[tone]
    end = len(text)
    start = end
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    word = text[start:end]
    pos = tone_position(word)
    if pos is None:
        return text
    had = _parts(word[pos])[2]
    plain = "".join(strip_tone(c) for c in word)
    if had == mark:
        new = plain
    else:
        new = plain[:pos] + _with_tone(plain[pos], mark) + plain[pos + 1:]
    return text[:start] + unicodedata.normalize("NFC", new)
