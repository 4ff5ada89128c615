"""Figures as the text gives them: a number with its bound, its unit and its period, never a total it does not give.

"more than 40 papers in the past 5 years" is a kg:Bound (minimum 40, exclusive) of unit "papers" over "P5Y";
"at least 20" a bound whose minimum is not exclusive; "established in 1959" a year; "since the 1970s" a
decade, never the year 1970. Approximate or upper-bounded numbers ("about 40", "up to 20", "nearly 50") are not
proposed: the model has no such value, and a guess would be invented. Chinese: 超过/逾 N, N余, N 以上, 近N年,
每年. Imports nothing of rdflib or `api`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph.propose.text import Sentence

#: Unit words (singular, folded) → (unitText, figure kind, English label, Chinese label).
UNITS: dict[str, tuple[str, str, str, str]] = {
    "surgeon": ("surgeons", "staff", "Surgeons", "外科医师"),
    "doctor": ("doctors", "staff", "Doctors", "医师"),
    "physician": ("physicians", "staff", "Physicians", "医师"),
    "specialist": ("specialists", "staff", "Specialists", "专科医师"),
    "nurse": ("nurses", "staff", "Nurses", "护士"),
    "staff": ("staff", "staff", "Staff", "工作人员"),
    "bed": ("beds", "staff", "Beds", "床位"),
    "paper": ("papers", "publications", "Papers", "论文"),
    "article": ("articles", "publications", "Articles", "论文"),
    "publication": ("publications", "publications", "Publications", "论文"),
    "year": ("years", "history", "Years", "年数"),
    "operation": ("operations", "outcome", "Operations", "手术例数"),
    "case": ("cases", "outcome", "Cases", "例数"),
}
_UNITS_ZH = {"医师": "doctor", "医生": "doctor", "专家": "specialist", "护士": "nurse", "论文": "paper", "床": "bed",
             "床位": "bed", "手术": "operation", "博士": "doctor"}
_EXCLUSIVE = r"more than|over|above|in excess of|exceeding"
_INCLUSIVE = r"at least|no fewer than|no less than|not less than"
_NUMBER = re.compile(
    rf"(?:(?P<bound>{_EXCLUSIVE}|{_INCLUSIVE})\s+)?(?<![\w.\-])(?P<n>\d+(?:\.\d+)?)(?P<pct>\s?%|\s+percent\b)?(?![\w\-]|\.\d)",
    re.IGNORECASE)
_APPROXIMATE = re.compile(r"(?:about|around|approximately|nearly|almost|up to|fewer than|less than|under|some)\s+$",
                          re.IGNORECASE)
_PERIOD = re.compile(r"\b(?:in|over|during|within)\s+the\s+(?:past|last)\s+(\d+)\s+(year|month)s?\b", re.IGNORECASE)
_EVERY_YEAR = re.compile(r"\b(?:every|each|per)\s+year\b|\bannually\b|近(\d+)年|每年", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:founded|established|set up|opened|built|since|in)\s+(?:in\s+)?((?:19|20)\d\d)\b(?!s)")
_DECADE = re.compile(r"\b(?:the\s+)?((?:19|20)\d0)s\b")
_ZH_NUMBER = re.compile(r"(?P<bound>超过|逾|多于|大于)?(?P<n>\d+)(?P<more>余|多)?(?P<pct>%)?"
                        r"(?P<cls>名|位|人|篇|张|例|台)?(?P<above>以上)?")
_WORD = re.compile(r"[A-Za-z]+")
_ZH_YEAR = re.compile(r"(?:成立于|始建于|创建于|建于|创立于)((?:19|20)\d\d)年")
_ZH_DECADE = re.compile(r"(19|20|21)世纪(\d0)年代")


@dataclass(frozen=True)
class FigureGuess:
    """A figure the text gives: where, its words, its value as written, and what it counts."""

    start: int
    end: int
    verbatim: str
    kind: str  # staff, publications, training, history or outcome
    value: str  # "40" (a number), or "" for a decade
    minimum: bool  # a bound: "more than" or "at least"
    exclusive: bool
    unit: str | None
    label_en: str
    label_zh: str
    measured: str
    period: str | None = None
    year: bool = False
    decade: str | None = None
    found_by: str = ""


def figures(sentence: Sentence) -> list[FigureGuess]:
    """The figures of one sentence, in text order.

    Example:
        >>> from graph.propose.text import sentences
        >>> [(f.value, f.minimum, f.exclusive, f.unit, f.period) for f in figures(sentences(
        ...     "In the past 5 years, the center has published more than 40 papers and 3 of them in SCI journals.")[0])]
        [('40', True, True, 'papers', 'P5Y'), ('3', False, False, 'papers', 'P5Y')]
    """
    if sentence.chinese:
        return _chinese(sentence)
    text = sentence.text
    period, taken = _period(text)
    found: list[FigureGuess] = _dates(sentence, taken, [(m, m.group(1)) for m in _YEAR.finditer(text)],
                                      [(m, m.group(1) + "s") for m in _DECADE.finditer(text)],
                                      "'founded', 'established', 'since' or 'in'", "'the 1970s'")
    previous_unit: str | None = None
    for match in _NUMBER.finditer(text):
        start = match.start("n")
        if any(a <= start < b for a, b in taken) or _APPROXIMATE.search(text[:match.start()]):
            continue
        after = text[match.end():]
        if match.group("pct"):
            words = _WORD.findall(after)[:6]
            measured = "share of " + " ".join(words[1:5]) if words[:1] == ["of"] else "share"
            found.append(_number(sentence, match, "outcome", "percent", ("Share", "占比"), measured, period,
                                 "pattern: a percentage with its bound"))
            continue
        words = _WORD.findall(after)[:5]
        unit_at = next((k for k, w in enumerate(words) if _singular(w) in UNITS), None)
        if words[:2] == ["of", "them"] and previous_unit:
            unit_word, end = previous_unit, match.end() + len(after) - len(after.lstrip()) + len("of them")
        elif unit_at is not None:
            unit_word = _singular(words[unit_at])
            end = match.end() + _end_of_word(after, words, unit_at)
        else:
            continue
        unit_text, kind, label_en, label_zh = UNITS[unit_word]
        if kind == "staff" and period == "P1Y":
            kind = "training"
        measured = text[match.end():end].strip() or unit_text
        if words[:2] == ["of", "them"]:
            measured = f"{unit_text} (of those counted before)"
        previous_unit = unit_word
        found.append(_number(sentence, match, kind, unit_text, (label_en, label_zh), measured, period,
                             "pattern: a number, its bound and its unit word", end=end))
    return sorted(found, key=lambda f: (f.start, f.end))


def _singular(word: str) -> str:
    word = word.lower()
    return word[:-1] if word.endswith("s") and word[:-1] in UNITS else word


def _end_of_word(after: str, words: list[str], index: int) -> int:
    position = 0
    for k, word in enumerate(words):
        position = after.index(word, position) + len(word)
        if k == index:
            return position
    return position


def _period(text: str) -> tuple[str | None, list[tuple[int, int]]]:
    match = _PERIOD.search(text)
    if match:
        return f"P{match.group(1)}{match.group(2)[0].upper()}", [(match.start(1), match.end(1))]
    every = _EVERY_YEAR.search(text)
    if every:
        return (f"P{every.group(1)}Y" if every.group(1) else "P1Y"), [every.span()]
    return None, []


def _number(sentence: Sentence, match: re.Match[str], kind: str, unit: str, labels: tuple[str, str], measured: str,
            period: str | None, found_by: str, end: int | None = None) -> FigureGuess:
    bound = (match.group("bound") or "").lower()
    exclusive = bool(bound) and re.fullmatch(_EXCLUSIVE, bound) is not None
    label_en, label_zh = labels
    if period:
        years = period[1:-1]
        label_en += f" ({'each year' if period == 'P1Y' else f'in the past {years} years'})"
        label_zh = ("每年" if period == "P1Y" else f"近{years}年") + label_zh
    return FigureGuess(sentence.start + match.start(), sentence.start + (end or match.end()),
                       sentence.text[match.start():end or match.end()], kind, match.group("n"), bool(bound), exclusive,
                       unit, label_en, label_zh, measured, period, found_by=found_by)


def _figure(sentence: Sentence, start: int, end: int, kind: str, value: str, *, unit: str | None,
            labels: tuple[str, str], measured: str, year: bool = False, decade: str | None = None,
            found_by: str) -> FigureGuess:
    return FigureGuess(sentence.start + start, sentence.start + end, sentence.text[start:end], kind, value, False, False,
                       unit, labels[0], labels[1], measured, None, year, decade, found_by)


def _dates(sentence: Sentence, taken: list[tuple[int, int]], years: list[tuple[re.Match[str], str]],
           decades: list[tuple[re.Match[str], str]], after: str, example: str) -> list[FigureGuess]:
    """The founding years and the decades of a sentence (their words then count for no other figure)."""
    found = []
    for match, year in years:
        taken.append(match.span())
        found.append(_figure(sentence, match.start(), match.end(), "history", year, unit=None,
                             labels=("Year founded", "成立年份"), measured="year the department was founded",
                             year=True, found_by=f"pattern: a year after {after}"))
    for match, decade in decades:
        taken.append(match.span())
        found.append(_figure(sentence, match.start(), match.end(), "history", "", unit=None,
                             labels=("Since the decade", "始于年代"), measured="decade the text dates the department from",
                             decade=decade, found_by=f"pattern: a decade ({example}), never a year"))
    return found


def _chinese(sentence: Sentence) -> list[FigureGuess]:
    """The figures of a Chinese sentence: a founding year (成立于1985年), a decade (20世纪70年代, 70年代 is not
    read: its century is not said), and numbers with their bound and measure word.

    Example:
        >>> from graph.propose.text import sentences
        >>> [(f.value, f.year, f.decade) for f in _chinese(sentences("本科成立于1985年、始于20世纪70年代。")[0])]
        [('1985', True, None), ('', False, '1970s')]
    """
    text = sentence.text
    period, taken = _period(text)
    found = _dates(sentence, taken, [(m, m.group(1)) for m in _ZH_YEAR.finditer(text)],
                   [(m, f"{int(m.group(1)) - 1}{m.group(2)}s") for m in _ZH_DECADE.finditer(text)],
                   "成立于, 建于 or 始建于", "20世纪70年代")
    for match in _ZH_NUMBER.finditer(text):
        if not match.group("n") or any(a <= match.start("n") < b for a, b in taken):
            continue
        noun = _nearest_noun(text, match.start(), match.end())
        if match.group("pct"):
            noun = "percent"
        elif noun is None or not match.group("cls"):
            continue
        unit, kind, label_en, label_zh = ("percent", "outcome", "Share", "占比") if noun == "percent" else UNITS[noun]
        if kind == "staff" and period == "P1Y":
            kind = "training"
        exclusive = bool(match.group("bound") or match.group("more"))
        minimum = exclusive or bool(match.group("above"))
        if period:
            label_zh = ("每年" if period == "P1Y" else f"近{period[1:-1]}年") + label_zh
        found.append(FigureGuess(sentence.start + match.start(), sentence.start + match.end(), match.group(0), kind,
                                 match.group("n"), minimum, exclusive, unit, label_en, label_zh, label_zh, period,
                                 found_by="pattern: a number, its bound (超过, 余, 以上) and its measure word"))
    return found


def _nearest_noun(text: str, start: int, end: int) -> str | None:
    """The measure noun nearest a Chinese number, within six characters either side ("护士40余名", "论文超过40篇")."""
    best: tuple[int, str] | None = None
    for word, noun in _UNITS_ZH.items():
        for match in re.finditer(word, text):
            distance = start - match.end() if match.end() <= start else match.start() - end
            if 0 <= distance <= 6 and (best is None or distance < best[0]):
                best = (distance, noun)
    return best[1] if best else None


__all__ = ["UNITS", "FigureGuess", "figures"]
