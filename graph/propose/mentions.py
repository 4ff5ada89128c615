"""What one sentence names: vocabulary entities by their labels, new conditions, new procedure-like phrases.

Labels are found in the sentence's own tokens and in a few re-orderings the sentence's grammar allows, each
quoting the words it was read from: a shared head ("lung and esophageal cancer" names lung cancer too), an
"of" or "for" phrase ("resection of benign lung tumors" is a benign lung tumor resection, "surgery for palmar
hyperhidrosis" a palmar hyperhidrosis surgery), and "tumors that cannot be resected" (unresectable tumors).
Within one family (conditions, services, equipment, approaches) two mentions never share a word, the longer
and the vocabulary's own first; mentions of different families may nest (a condition inside an operation's
name). Imports the proposer's modules; nothing of rdflib or `api`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from graph.propose import icd
from graph.propose.lexicon import FAMILIES, LABEL_CONFIDENCE, Label, Lexicon
from graph.propose.patterns import (
    STOP,
    chinese_procedure_phrases,
    chinese_tumour_phrases,
    procedure_phrases,
    tumour_phrases,
)
from graph.propose.text import Sentence, Token, tokens

_SHARED_HEADS = frozenset({"cancer", "carcinoma", "tumor", "neoplasm", "resection", "surgery", "biopsy", "lesion"})
_OF_HEADS = frozenset({"resection", "surgery", "biopsy", "dissection", "reconstruction"})
_UNRESECTABLE = re.compile(
    r"\b(?:advanced\s+)?(?:tumou?rs?|lesions?|disease)\s+(?:(?:that|which)\s+)?(?:cannot|can\s?not|can't)\s+be\s+"
    r"(?:surgically\s+)?(?:resected|removed|operated\s+on)(?:\s+surgically)?|无法手术切除|不能手术切除", re.IGNORECASE)
_BEHAVIOURS = frozenset({"benign", "malignant"})
_SITE_WORDS = frozenset(icd.SITES) | _BEHAVIOURS
#: A scope's words: "thoracoscopy" (done with the scope), "thoracoscopic" (by its approach).
_SCOPE_WORD = re.compile(r"([a-z]{3,})scop(y|ic)")
#: Words after "...scopy" that make it an operation ("thoracoscopy technology": thoracoscopic surgery).
_SCOPY_HEADS = frozenset({"technology", "technique", "technic", "surgery", "operation"})
_ZH_SITES = "|".join(sorted(icd.SITES_ZH, key=len, reverse=True))
#: A Chinese site alone before another site's phrase (肺、食管良性肿瘤切除术; 肺和食管癌).
_ZH_SITE_LIST = re.compile(rf"(?:^|(?<=[、，,：:的])|(?<=擅长)|(?<=开展)|(?<=治疗)|(?<=包括)|(?<=诊治))({_ZH_SITES})"
                           rf"(、|和|及|与)({_ZH_SITES})([\u4e00-\u9fff]{{1,12}})")
#: What may stand inside a name between its words: hyphens, slashes, middle dots ("PET-CT", "PET/CT").
_IN_NAME = "-/·‐–"
#: Words after which a condition's name is an organisation's ("Thoracic Tumor Center").
_ORGANISATIONS = frozenset({"center", "department", "unit", "ward", "hospital", "clinic", "institute", "科", "中心"})


@dataclass(frozen=True)
class NewEntity:
    """An entity the vocabulary lacks, proposed for a curator to name: its kind, key, names and codes."""

    kind: str  # "new-condition" or "new-procedure"
    key: str
    label_en: str | None
    label_zh: str | None
    codes: tuple[icd.CodeGuess, ...] = ()
    behaviour: str | None = None
    examination: bool = False  # a biopsy: an examination when a staging work-up names it


@dataclass(frozen=True)
class Mention:
    """One entity named at one place of the text."""

    entity: str  # the vocabulary IRI, or "new:" + the new entity's key
    kind: str  # condition, indication, procedure, therapy, examination, equipment or approach
    start: int
    end: int
    quote: str
    found_by: str
    confidence: float
    used: frozenset[int] = field(default=frozenset(), compare=False)
    new: NewEntity | None = None
    known: bool = True
    reading: tuple[str, str, str, str] | None = None  # a slip's careful reading: words, reading, notes (en, zh)

    @property
    def family(self) -> str:
        return FAMILIES[self.kind]

    def inside(self, other: Mention) -> bool:
        """Whether this mention's words are within another's (and are not the same words): within its offsets and
        among the words it takes ("ECT of the head" is not within "MRI [and ECT] of the head", which takes "MRI")."""
        return (other.start <= self.start and self.end <= other.end and (self.start, self.end) != (other.start, other.end)
                and (not other.used or not self.used or self.used <= other.used))


def find(sentence: Sentence, lexicon: Lexicon) -> list[Mention]:
    """Every mention of the sentence, in text order."""
    candidates = _known(sentence, lexicon) + _scoped(sentence, lexicon) + _new(sentence, lexicon)
    chosen: list[Mention] = []
    taken: dict[str, set[int]] = {}
    for mention in sorted(candidates, key=lambda m: (not m.known, -len(m.used), m.start, m.entity)):
        used = taken.setdefault(mention.family, set())
        if used & mention.used or any(m.entity == mention.entity and m.start == mention.start for m in chosen):
            continue
        used.update(mention.used)
        chosen.append(mention)
    return sorted(chosen, key=lambda m: (m.start, m.end, m.entity))


@dataclass(frozen=True)
class _Run:
    """Tokens a label is looked for in: the sentence's own, or a re-ordering its grammar allows."""

    tokens: tuple[Token, ...]
    index: tuple[int, ...]  # each token's index in the sentence
    whole: bool = False  # only a label of the whole run counts ("lung and esophageal cancer": lung cancer)
    used: frozenset[int] | None = None  # the sentence's tokens a mention of the run takes (default: those matched)
    head: int | None = None  # a label must take this token (a re-ordered "of" phrase names its head)

    @property
    def virtual(self) -> bool:
        return self.whole or self.head is not None or self.used is not None or self.index != tuple(
            range(self.index[0], self.index[0] + len(self.index)))


def _runs(sentence: Sentence) -> list[_Run]:
    """The sentence's tokens, and the re-orderings of them that name one thing."""
    toks = sentence.tokens
    runs = [_Run(toks, tuple(range(len(toks))))]
    for h, head in enumerate(toks):
        if head.norm in _SHARED_HEADS and h >= 3 and toks[h - 2].norm == "and" and _spaced(sentence, toks, h - 1, h):
            k = h - 3  # "lung and esophageal cancer": lung cancer too; "lung, esophageal and thymic tumors" likewise
            while k >= 0 and toks[k].norm not in STOP and sentence.between(toks[k].end, toks[k + 1].start).strip() in ("", ","):
                runs.append(_Run((toks[k], head), (k, h), whole=True, used=frozenset({k})))
                if k < 1 or sentence.between(toks[k - 1].end, toks[k].start).strip() != ",":
                    break
                k -= 1
        if head.norm == "and" and 0 < h < len(toks) - 3 and toks[h + 2].norm == "of":  # "MRI and ECT of the head"
            tail = h + 3 + (toks[h + 3].norm == "the")
            end = tail
            while end < len(toks) and end - tail < 3 and _spaced(sentence, toks, end - 1, end) and toks[end].norm not in STOP:
                end += 1
            order = (h - 1, *range(h + 2, end))
            runs.append(_Run(tuple(toks[k] for k in order), order, whole=True, used=frozenset({h - 1})))
        if head.norm in _OF_HEADS and h + 1 < len(toks) and toks[h + 1].norm in ("of", "for"):
            j = h + 2 + (h + 2 < len(toks) and toks[h + 2].norm == "the")
            end = j
            while end < len(toks) and end - j < 5 and toks[end].norm not in STOP and _spaced(sentence, toks, end - 1, end):
                end += 1
            before = h
            while before > 0 and h - before < 3 and toks[before - 1].norm not in STOP \
                    and _spaced(sentence, toks, before - 1, before):
                before -= 1
            if end > j:
                order = (*range(before, h), *range(j, end), h)
                runs.append(_Run(tuple(toks[k] for k in order), order, head=h))
    runs.extend(_site_runs(sentence))
    for match in re.finditer(r"\s*[(（][^()（）]{1,40}[)）]", sentence.text):  # "robotic (Da Vinci) surgery"
        start, end = sentence.start + match.start(), sentence.start + match.end()
        order = tuple(k for k, t in enumerate(toks) if not start <= t.start < end)
        runs.append(_Run(tuple(toks[k] for k in order), order, head=None, used=None))
    for match in _UNRESECTABLE.finditer(sentence.text):
        start, end = sentence.start + match.start(), sentence.start + match.end()
        runs.append(_Run(tuple(Token(w.norm, start, end) for w in tokens("unresectable tumour")),
                         tuple(sorted(_indices(toks, start, end))) or (0,), whole=True,
                         used=_indices(toks, start, end)))
    return runs


def _site_runs(sentence: Sentence) -> list[_Run]:
    """A tumour's site and behaviour in either order ("esophageal benign tumor" is a benign esophageal tumor), and
    a site standing alone before another site's phrase, which shares that phrase's words ("lung, esophageal benign
    tumor resection" and "lung and esophageal benign tumor resection" name a benign lung tumor resection too; in
    Chinese 肺、食管良性肿瘤切除术 names 肺良性肿瘤切除术)."""
    toks, runs = sentence.tokens, []
    for k in range(len(toks) - 1):
        if toks[k].norm in icd.SITES and toks[k + 1].norm in _BEHAVIOURS and _spaced(sentence, toks, k, k + 1):
            order = (*range(k), k + 1, k, *range(k + 2, len(toks)))
            runs.append(_Run(tuple(toks[i] for i in order), order))
        if toks[k].norm not in icd.SITES:
            continue
        if sentence.between(toks[k].end, toks[k + 1].start).strip() == "," and (k == 0 or toks[k - 1].norm not in (
                "the", "of", "a", "an")):
            second = k + 1
        elif toks[k + 1].norm in ("and", "or") and _spaced(sentence, toks, k, k + 1):
            second = k + 2
        else:
            continue
        if second >= len(toks) or toks[second].norm not in icd.SITES or not _spaced(sentence, toks, second - 1, second, "-,"):
            continue
        tail = second + 1
        while tail < len(toks) and tail - second <= 6 and toks[tail].norm not in STOP \
                and _spaced(sentence, toks, tail - 1, tail):
            tail += 1
        if tail == second + 1:
            continue
        orders = [(k, *range(second + 1, tail))]
        if toks[second + 1].norm in _BEHAVIOURS:
            orders.append((second + 1, k, *range(second + 2, tail)))
        runs.extend(_Run(tuple(toks[i] for i in order), order, used=frozenset({k}), head=k) for order in orders)
    for match in _ZH_SITE_LIST.finditer(sentence.text):  # 肺、食管良性肿瘤切除术: 肺良性肿瘤切除术 too
        first = sorted(_indices(toks, sentence.start + match.start(1), sentence.start + match.end(1)))
        rest = sorted(_indices(toks, sentence.start + match.start(4), sentence.start + match.end(4)))
        if first and rest:
            order = (*first, *rest)
            runs.append(_Run(tuple(toks[i] for i in order), order, used=frozenset(first), head=first[0]))
    return runs


def _known(sentence: Sentence, lexicon: Lexicon) -> list[Mention]:
    found = []
    for run in _runs(sentence):
        for i, j, label in lexicon.find(run.tokens):
            if run.whole and not (i == 0 and j == len(run.tokens)):
                continue  # a shared head names only the whole pair
            if run.head is not None and run.head not in run.index[i:j]:
                continue  # the re-ordered run adds nothing unless the label takes its head
            contiguous = run.index[i:j] == tuple(range(run.index[i], run.index[i] + j - i))
            if run.virtual and contiguous and not run.whole:
                continue  # the sentence's own run finds it
            if not run.virtual and not all(_spaced(sentence, run.tokens, k, k + 1, _IN_NAME) for k in range(i, j - 1)):
                continue  # a name does not run across a comma or a bracket
            after = run.index[j - 1] + 1
            entity = lexicon.entities[label.entity]
            if entity.kind == "condition" and after < len(sentence.tokens) and sentence.tokens[after].norm in _ORGANISATIONS:
                continue  # "Thoracic Tumor Center" is a department's name, not a condition
            matched = run.tokens[i:j]
            used = run.used if run.used is not None else frozenset(run.index[i:j])
            start, end = min(t.start for t in matched), max(t.end for t in matched)
            how = label.found_by() + (" (read across the sentence's grammar)" if run.virtual else "")
            found.append(Mention(entity.iri, entity.kind, start, end, sentence.quote(start, end), how,
                                 LABEL_CONFIDENCE[label.kind] * (0.95 if run.virtual else 1.0), used))
    return found


def _scoped(sentence: Sentence, lexicon: Lexicon) -> list[Mention]:
    """What a scope's words name when the vocabulary has the scope but not the word: "thoracoscopy" (done with a
    thoracoscope) names the Thoracoscope, "thoracoscopy technology" the vocabulary's "thoracoscopic surgery", and
    "thoracoscopic" the approach the vocabulary names after the Thoracoscope. Each is read from the vocabulary's own
    names (a device "...scope", an approach "...scopic"), never from a list of words."""
    toks, found = sentence.tokens, []
    approaches = lexicon.scope_approaches()
    for k, token in enumerate(toks):
        match = _SCOPE_WORD.fullmatch(token.norm)
        if match is None:
            continue
        stem, ending = match.group(1), match.group(2)
        scope = replace(token, norm=stem + "scope")
        devices = [(i, j, label) for i, j, label in lexicon.find((*toks[:k], scope, *toks[k + 1:]))
                   if i <= k < j and lexicon.entities[label.entity].kind == "equipment"]
        if ending == "y":
            for i, j, label in devices:
                found.append(_derived(sentence, lexicon, label, toks[i:j], f"read from '{token.norm}': done with it"))
            after = toks[k + 1] if k + 1 < len(toks) else None
            if after is not None and after.norm in _SCOPY_HEADS and _spaced(sentence, toks, k, k + 1):
                virtual = (*toks[:k], replace(token, norm=stem + "scopic"), replace(after, norm="surgery"), *toks[k + 2:])
                for i, j, label in lexicon.find(virtual):
                    if i <= k and k + 1 < j and lexicon.entities[label.entity].kind == "procedure":
                        found.append(_derived(sentence, lexicon, label, toks[i:j],
                                              f"read from '{token.norm} {after.norm}': {stem}scopic surgery"))
        else:
            for i, j, label in devices:
                if i == k and j == k + 1 and label.entity in approaches:
                    approach = lexicon.entities[approaches[label.entity]]
                    found.append(Mention(approach.iri, approach.kind, token.start, token.end,
                                         sentence.quote(token.start, token.end),
                                         f"pattern: '{token.norm}' is the approach the vocabulary names after the "
                                         f"{lexicon.entities[label.entity].en.lower()} ({label.found_by()})",
                                         LABEL_CONFIDENCE[label.kind] * 0.9, frozenset({k})))
    return found


def _derived(sentence: Sentence, lexicon: Lexicon, label: Label, matched: tuple[Token, ...], how: str) -> Mention:
    entity = lexicon.entities[label.entity]
    start, end = matched[0].start, matched[-1].end
    used = frozenset(k for k, t in enumerate(sentence.tokens) if start <= t.start and t.end <= end)
    return Mention(entity.iri, entity.kind, start, end, sentence.quote(start, end), f"{label.found_by()} ({how})",
                   LABEL_CONFIDENCE[label.kind] * 0.9, used)


def _new(sentence: Sentence, lexicon: Lexicon) -> list[Mention]:
    found: list[Mention] = []
    toks = sentence.tokens
    for i, j, code in icd.title_matches(toks):
        if not any(code in e.codes for e in lexicon.entities.values()):
            guess = icd.exact_title(code)
            new = NewEntity("new-condition", f"code:{code}", guess.title, None, (guess,))
            found.append(_mention(sentence, new, "condition", toks[i].start, toks[j - 1].end, frozenset(range(i, j)),
                                  f"icd10-title \"{guess.title}\" ({code})", 0.7))
    pairs: list[tuple[int, int, list[str], str, frozenset[int]]] = []
    for back, end, words, head in tumour_phrases(sentence):
        first = next((k for k, w in enumerate(words) if w in _SITE_WORDS), None)
        if first is not None:
            at = back + min(first, words.index(head))  # "cancer of the lung" starts at its head
            pairs.append((at, end, words[first:] if first < words.index(head) else words, head, frozenset(range(at, end))))
    for run in _runs(sentence):
        if run.whole and len(run.tokens) == 2 and run.tokens[-1].norm in icd.HEADS and run.tokens[0].norm in _SITE_WORDS:
            pairs.append((run.index[0], run.index[-1] + 1, [t.norm for t in run.tokens], run.tokens[-1].norm,
                          run.used or frozenset()))
    for at, end, words, head, used in pairs:
        condition = icd.condition_from([w for w in words if w not in ("of", "the")], head)
        if condition is None:
            continue
        new = NewEntity("new-condition", f"{condition.behaviour}:{condition.site}", condition.label_en,
                        condition.label_zh, condition.codes, condition.behaviour)
        found.append(_mention(sentence, new, "condition", toks[at].start, toks[end - 1].end, used, condition.found_by,
                              0.6))
    for start, end, text in chinese_tumour_phrases(sentence):
        chinese = icd.condition_from_chinese(text)
        if chinese is not None:
            new = NewEntity("new-condition", f"{chinese.behaviour}:{chinese.site}", chinese.label_en, text, chinese.codes,
                            chinese.behaviour)
            found.append(_mention(sentence, new, "condition", start, end, _indices(toks, start, end), chinese.found_by,
                                  0.6))
    phrases = chinese_procedure_phrases(sentence) if sentence.chinese else procedure_phrases(sentence)
    for phrase in phrases:
        english = not sentence.chinese
        key = " ".join(t.norm for t in tokens(phrase.text))
        new = NewEntity("new-procedure", key, phrase.text if english else None, None if english else phrase.text,
                        examination=phrase.text.endswith(("biopsy", "活检", "活检术")))
        found.append(_mention(sentence, new, "procedure", phrase.start, phrase.end,
                              _indices(toks, phrase.start, phrase.end), phrase.found_by, 0.5))
    return found


def _spaced(sentence: Sentence, toks: tuple[Token, ...], left: int, right: int, allowed: str = "-") -> bool:
    """Whether only white space (and `allowed` characters) stands between two tokens."""
    return all(char in allowed for char in sentence.between(toks[left].end, toks[right].start).strip())


def _indices(toks: tuple[Token, ...], start: int, end: int) -> frozenset[int]:
    return frozenset(k for k, t in enumerate(toks) if start <= t.start and t.end <= end)


def _mention(sentence: Sentence, new: NewEntity, kind: str, start: int, end: int, used: frozenset[int], found_by: str,
             confidence: float) -> Mention:
    if new.label_en is None and not sentence.chinese:
        words = sentence.quote(start, end)
        new = replace(new, label_en=words[:1].upper() + words[1:])
    return Mention(f"new:{new.kind}:{new.key}", kind, start, end, sentence.quote(start, end), found_by, confidence,
                   used, new, known=False)


__all__ = ["Mention", "NewEntity", "find"]
