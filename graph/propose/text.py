"""A department's description as the proposer reads it: sentences, clauses and normalised tokens with offsets.

Every token keeps the character offsets (Unicode code points, start inclusive, end exclusive: the evidence
spans' own convention) of the words it was read from, so that any run of tokens gives back an exact quote of
the source. Tokens are folded by `graph.words.normalise`, the lookups' own normalisation, and English plurals
are folded to the singular on top of it (as the build's `graph.curation.fold` does), so "tumors" meets a
label "tumour". Chinese has no spaces: every CJK character is a token of its own, so a Chinese label is found
inside a longer run of characters. Imports `graph.words`; nothing of rdflib or `api`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from graph.words import normalise

_APOSTROPHES = frozenset("'’ʼ‘`´′")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: Where an English sentence ends: . ! ? before white space and a capital, digit or opening quote; Chinese
#: full-width stops, exclamation and question marks end one wherever they stand; a blank line (a paragraph,
#: a title) ends one too.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“‘(A-Z0-9\u3400-\u9fff])|(?<=[。！？])|\n\s*\n")
#: Abbreviations after which a full stop ends no sentence.
_ABBREVIATIONS = ("No.", "Dr.", "Prof.", "e.g.", "i.e.", "etc.", "vs.", "St.", "Mr.", "Ms.")


@dataclass(frozen=True)
class Token:
    """One word (or CJK character) of the text: its folded form and its offsets."""

    norm: str
    start: int
    end: int

    @property
    def cjk(self) -> bool:
        return bool(_CJK.match(self.norm))


@dataclass(frozen=True)
class Sentence:
    """One sentence: its offsets in the text, its words as written, and its tokens."""

    start: int
    end: int
    text: str
    tokens: tuple[Token, ...]

    @property
    def chinese(self) -> bool:
        return bool(_CJK.search(self.text))

    def quote(self, start: int, end: int) -> str:
        """The exact words of the text from `start` to `end` (offsets into the whole text)."""
        return self.text[start - self.start:end - self.start]

    def between(self, end: int, start: int) -> str:
        """The words between two offsets (a gap between mentions), as written."""
        return self.text[max(end, self.start) - self.start:max(start, end) - self.start]


def singular(word: str) -> str:
    """An English plural as its singular, by rule (both sides of every match are folded alike).

    Example:
        >>> [singular(w) for w in ("tumors", "biopsies", "approaches", "bronchus", "class", "ECT")]
        ['tumor', 'biopsy', 'approach', 'bronchus', 'class', 'ECT']
    """
    if len(word) <= 3 or not word.endswith("s") or not word.isascii() or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    return word[:-1]


@cache
def fold(word: str) -> tuple[str, ...]:
    """One written word folded as the lookups fold it, plurals as singular (several tokens if it splits)."""
    return tuple(singular(part) for part in normalise(word).split())


def tokens(text: str, offset: int = 0) -> tuple[Token, ...]:
    """The tokens of `text`, offsets counted from `offset`: words split at white space and punctuation
    (apostrophes inside a word are dropped, as the lookups drop them), each CJK character alone.

    Example:
        >>> [(t.norm, t.start, t.end) for t in tokens("PET-CT, Jiang's 肺癌")]
        [('pet', 0, 3), ('ct', 4, 6), ('jiang', 8, 15), ('肺', 16, 17), ('癌', 17, 18)]
    """
    found: list[Token] = []
    start: int | None = None

    def close(end: int) -> None:
        nonlocal start
        if start is not None:
            found.extend(Token(part, offset + start, offset + end) for part in fold(text[start:end]))
            start = None

    for index, char in enumerate(text):
        if _CJK.match(char):
            close(index)
            found.extend(Token(part, offset + index, offset + index + 1) for part in fold(char))
        elif char in _APOSTROPHES and start is not None:
            continue
        elif char.isspace() or unicodedata.category(char).startswith("P"):
            close(index)
        elif start is None:
            start = index
    close(len(text))
    return tuple(found)


def sentences(text: str) -> list[Sentence]:
    """The sentences of `text`, English (. ! ?) and Chinese (full-width stops, ! and ?), with their offsets; blank ones dropped.

    Example:
        >>> [s.text for s in sentences("It treats lung cancer. No. 2 ward。本科开展肺癌根治术。")]
        ['It treats lung cancer.', 'No. 2 ward。', '本科开展肺癌根治术。']
    """
    found: list[Sentence] = []
    start = 0
    for boundary in [*_SENTENCE_END.finditer(text), None]:
        end = len(text) if boundary is None else boundary.start()
        if boundary is not None and text[:end].endswith(_ABBREVIATIONS):
            continue
        first = start + (len(text[start:end]) - len(text[start:end].lstrip()))
        last = start + len(text[start:end].rstrip())
        if last > first:
            found.append(Sentence(first, last, text[first:last], tokens(text[first:last], first)))
        if boundary is not None:
            start = boundary.end()
    return found


def clause_breaks(sentence: Sentence) -> list[int]:
    """The offsets of the sentence's clause breaks (colons and semicolons, in both languages)."""
    return [sentence.start + m.start() for m in re.finditer(r"[:;：；]", sentence.text)]


__all__ = ["Sentence", "Token", "clause_breaks", "fold", "sentences", "singular", "tokens"]
