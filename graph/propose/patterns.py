"""Phrases the vocabulary does not name: procedure-like phrases, tumour phrases, and the source's probable slips.

Procedure-like phrases end in a head word (resection, -ectomy, biopsy, ablation, reconstruction, dissection,
implantation, anastomosis, -plasty, chemotherapy, or "surgery" after "radical"; in Chinese 切除术, 根治术,
活检, 消融, 重建, 清扫术, 植入术, 吻合术, 成形术, 化疗) and take the modifiers before it up to a list
comma, a verb or a preposition, and an "of ..." after it. Tumour phrases are a head (cancer, carcinoma,
tumour, neoplasm; 癌, 肿瘤) with its site words. Slips are the kinds this project met in the center's text:
"laparoscopic"/"laparoscopy" in a thoracic text (only a thoracoscope fits the chest) and "breast" before a
tumour word in a thoracic text (Chinese 胸 is both chest and breast). Imports the proposer's text module;
nothing of rdflib or `api`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph.propose.text import Sentence, Token

_HEADS = frozenset({"resection", "biopsy", "ablation", "reconstruction", "dissection", "implantation", "anastomosis",
                    "chemotherapy"})
#: Words that end a phrase without being part of it ("mediastinoscopy biopsy technology").
_TERMINATORS = frozenset({"technology", "technique", "technic", "method", "procedure"})
STOP = frozenset("""the a an or with such as including include includes included is are was were has have had been
be being can could will would to for in on by at from under through via which that this these those its their our
it we they also more most other various difficult carried out performed perform performs performing offer offers
offered conduct conducts conducted routinely routine good used use uses center department team patients patient
after before during while than then there here all each every some many both undergo undergoes receive receives
treat treats treated treating treatment known main fields done given available well new into combined
successfully of""".split())
#: Words a phrase does not reach back over: the stop words, "technology" and the like, and a bare "surgery"
#: ("routine surgery and endoscopic ... resection" is two things).
_NOT_IN_PHRASE = STOP | _TERMINATORS | {"surgery", "operation", "advanced"}
_ZH_HEADS = "切除术|切除|根治术|活检术|活检|消融术|消融|重建术|重建|清扫术|植入术|吻合术|成形术|化疗"
_ZH_PROCEDURE = re.compile(rf"[\u4e00-\u9fff]{{0,14}}?(?:{_ZH_HEADS})")
_ZH_BREAKS = re.compile(r"[，、；：。！？,;:（）()“”\"\s]|开展|包括|进行|实施|擅长|常规|以及|"
                        r"和|及|与|或|等|可|已|为|是|的|了|在|对|行|有")
_ZH_TUMOUR = re.compile(r"(支气管|肺|食管|食道|气管|纵隔|胸腺|胸膜|乳腺|胃|喉|甲状腺|肝)(良性|恶性)?(肿瘤|癌|瘤)")
_TUMOUR_HEADS = frozenset({"cancer", "carcinoma", "malignancy", "tumor", "neoplasm"})
_THORACIC = re.compile(r"thorac|chest|lung|esophag|oesophag|mediastin|pulmonar|bronch|胸|肺|食管|纵隔", re.IGNORECASE)


@dataclass(frozen=True)
class Phrase:
    """Words the vocabulary does not name: their offsets, the words as written, and the rule that found them."""

    start: int
    end: int
    text: str
    found_by: str
    words: tuple[str, ...] = ()  # folded
    head: str = ""


def _joined(sentence: Sentence, left: Token, right: Token, allow: str = " -") -> bool:
    """Whether two neighbouring tokens stand in one phrase: only spaces and hyphens between them."""
    gap = sentence.between(left.end, right.start)
    return all(char in allow for char in gap)


def _is_head(token: Token, words: list[str]) -> bool:
    norm = token.norm
    return (norm in _HEADS or norm.endswith("ectomy") or norm.endswith("plasty")
            or (norm == "surgery" and "radical" in words))


def procedure_phrases(sentence: Sentence) -> list[Phrase]:
    """Procedure-like phrases of an English sentence, longest first where they overlap.

    Example:
        >>> from graph.propose.text import sentences
        >>> s = sentences("It performs tracheal tumor resection and reconstruction, and radical resection of the "
        ...               "superior sulcus tumor.")[0]
        >>> [p.text for p in procedure_phrases(s)]
        ['tracheal tumor resection and reconstruction', 'radical resection of the superior sulcus tumor']
    """
    toks = sentence.tokens
    found: list[tuple[int, int]] = []
    for h, token in enumerate(toks):
        back = _back(sentence, h)
        words = [t.norm for t in toks[back:h + 1]]
        if not _is_head(token, words):
            continue
        end = h + 1
        if end < len(toks) and _joined(sentence, token, toks[end]) and toks[end].norm not in STOP | _TERMINATORS | {"and"}:
            if toks[end].norm != "of":
                continue  # "resection rate": the head word is not the phrase's last
        if end < len(toks) and toks[end].norm == "of" and _joined(sentence, token, toks[end]):
            end = _forward(sentence, end)
        if end - back < 2 and not token.norm.endswith("ectomy"):
            continue
        found.append((back, end))
    merged = _combine(sentence, sorted(found))
    chosen: list[tuple[int, int]] = []
    for back, end in sorted(merged, key=lambda span: (span[0] - span[1], span[0])):
        if all(end <= b or back >= e for b, e in chosen):
            chosen.append((back, end))
    return [_phrase(sentence, back, end, "pattern: procedure-like phrase ending in "
                    f"'{_last_head(sentence, back, end)}'") for back, end in sorted(chosen)]


def _back(sentence: Sentence, h: int) -> int:
    toks, i = sentence.tokens, h
    while i > 0 and h - i < 8:
        prev = toks[i - 1]
        if not _joined(sentence, prev, toks[i]):
            break
        if prev.norm == "and":
            if i - 2 < 0 or not _joined(sentence, toks[i - 2], prev) or toks[i - 2].norm in _NOT_IN_PHRASE:
                break
            if i < h and _is_head(toks[i - 2], []):
                break  # "carinal resection and tracheal sleeve pneumonectomy" is two operations; "resection and
                # reconstruction" (a bare head after "and") stays one
        elif prev.norm in _NOT_IN_PHRASE:
            break
        i -= 1
    return i


def _forward(sentence: Sentence, of: int) -> int:
    toks, j = sentence.tokens, of + 1
    if j < len(toks) and toks[j].norm == "the" and _joined(sentence, toks[j - 1], toks[j]):
        j += 1
    while j < len(toks) and j - of < 7 and _joined(sentence, toks[j - 1], toks[j]) and toks[j].norm not in STOP - {"and"}:
        j += 1
    while j > of + 1 and toks[j - 1].norm in ("and", "the"):
        j -= 1
    return j if j > of + 1 else of


def _combine(sentence: Sentence, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Two phrases joined by "combined with" are one operation."""
    toks, out = sentence.tokens, list(spans)
    for a, b in spans:
        for c, d in spans:
            if c == b + 2 and [t.norm for t in toks[b:c]] == ["combined", "with"]:
                out.append((a, d))
    return out


def _last_head(sentence: Sentence, back: int, end: int) -> str:
    toks = sentence.tokens[back:end]
    words = [t.norm for t in toks]
    return next(t.norm for t in reversed(toks) if _is_head(t, words))


def _phrase(sentence: Sentence, back: int, end: int, found_by: str) -> Phrase:
    toks = sentence.tokens[back:end]
    return Phrase(toks[0].start, toks[-1].end, sentence.quote(toks[0].start, toks[-1].end), found_by,
                  tuple(t.norm for t in toks), _last_head(sentence, back, end) if found_by.startswith("pattern: proc")
                  else "")


def chinese_procedure_phrases(sentence: Sentence) -> list[Phrase]:
    """Procedure-like phrases of a Chinese sentence: the words of one list item that end in a head.

    Example:
        >>> from graph.propose.text import sentences
        >>> [p.text for p in chinese_procedure_phrases(sentences("常规开展胸腔镜食管癌根治术、肺段切除术。")[0])]
        ['胸腔镜食管癌根治术', '肺段切除术']
    """
    found = []
    position = 0
    for piece in [*_ZH_BREAKS.split(sentence.text)]:
        at = sentence.text.find(piece, position)
        position = at + len(piece)
        for match in _ZH_PROCEDURE.finditer(piece):
            text = match.group(0)
            if len(text) >= 3:
                start = sentence.start + at + match.start()
                head = re.search(rf"(?:{_ZH_HEADS})$", text)
                found.append(Phrase(start, start + len(text), text,
                                    f"pattern: procedure-like phrase ending in '{head.group(0) if head else ''}'"))
    return found


def tumour_phrases(sentence: Sentence) -> list[tuple[int, int, list[str], str]]:
    """(first token, end token, folded words, head) of every English tumour phrase: contiguous words before a
    tumour head, or "cancer of the lung"."""
    toks = sentence.tokens
    found = []
    for h, token in enumerate(toks):
        if token.norm not in _TUMOUR_HEADS:
            continue
        back = h
        while back > 0 and h - back < 4 and _joined(sentence, toks[back - 1], toks[back]) \
                and toks[back - 1].norm not in STOP | {"and"}:
            back -= 1
        end = h + 1
        if end + 1 < len(toks) and toks[end].norm == "of" and _joined(sentence, token, toks[end]):
            tail = end + 2 if toks[end + 1].norm == "the" and end + 2 < len(toks) else end + 1
            found.append((back, tail + 1, [t.norm for t in toks[back:tail + 1]], token.norm))
            continue
        found.append((back, end, [t.norm for t in toks[back:end]], token.norm))
    return found


def chinese_tumour_phrases(sentence: Sentence) -> list[tuple[int, int, str]]:
    """(start, end, phrase) of every Chinese tumour phrase with a site (肺癌, 食管良性肿瘤, 纵隔肿瘤)."""
    return [(sentence.start + m.start(), sentence.start + m.end(), m.group(0)) for m in _ZH_TUMOUR.finditer(sentence.text)]


@dataclass(frozen=True)
class Slip:
    """A probable slip: its words, the careful reading, and why."""

    start: int
    end: int
    text: str
    corrected: str
    note_en: str
    note_zh: str


def thoracic(text: str) -> bool:
    """Whether a description is about the chest (a slip is read only in such a text)."""
    return len(_THORACIC.findall(text)) >= 2


_SLIPS = (
    (re.compile(r"\blaparoscop(ic|y)\b", re.IGNORECASE), "thoracoscop",
     "In a thoracic department's text '{w}' most likely means thoracoscopic (Chinese 腔镜 is any body-cavity scope; "
     "only a thoracoscope fits the chest): read as '{c}'. The verbatim words stay findable as a hidden label.",
     "在胸部科室的文本中，'{w}'（腹腔镜）很可能指胸腔镜（中文“腔镜”泛指各种体腔镜，而胸部只能用胸腔镜）：读作'{c}'。"
     "原文措辞作为隐藏标签保留，仍可检索。"),
    (re.compile(r"\bbreast(?=(?:\s+(?:benign|malignant|and|or|various))*\s+(?:tumou?rs?|neoplasms?|lesions?)\b)",
                re.IGNORECASE), "chest",
     "In a thoracic department's text '{w}' most likely means chest (Chinese 胸 means both chest and breast): read "
     "as '{c}'. The verbatim words stay findable as a hidden label; nothing says the department treats breast cancer.",
     "在胸部科室的文本中，'{w}'（乳腺）很可能指胸部（中文“胸”兼指胸部和乳房）：读作'{c}'。原文措辞作为隐藏标签保留，"
     "仍可检索；没有任何内容表明该科室治疗乳腺癌。"),
)


def slips(sentence: Sentence) -> list[tuple[re.Match[str], str, str, str]]:
    """(the slip word's match in the sentence, its careful replacement, note in English, note in Chinese)."""
    found = []
    for pattern, stem, note_en, note_zh in _SLIPS:
        for match in pattern.finditer(sentence.text):
            replacement = stem + match.group(1) if match.groups() else stem
            found.append((match, replacement, note_en, note_zh))
    return found


__all__ = ["STOP", "Phrase", "Slip", "chinese_procedure_phrases", "chinese_tumour_phrases", "procedure_phrases",
           "slips", "thoracic", "tumour_phrases"]
