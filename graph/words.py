"""The one normalisation of names that the lookups, the search, the network page and the proposer share.

Moved here from `queries.matching` (which re-exports it) so that `graph` code, the proposer of claims among
it, folds words exactly as a coordinator's question is folded. Imports opencc; nothing of the project.
"""

from __future__ import annotations

import re
import unicodedata

import opencc

#: British → American spelling stems, applied to both the labels and the question, so either spelling
#: finds both. Written by hand: the medical stems a thoracic service meets; general word lists (breame)
#: are unmaintained, whole-word only and miss derived forms such as "oesophagectomy" or "haemoptysis".
SPELLINGS: tuple[tuple[str, str], ...] = (
    ("oesophag", "esophag"), ("tumour", "tumor"), ("leukaem", "leukem"), ("anaem", "anem"), ("ischaem", "ischem"),
    ("haem", "hem"), ("oedem", "edem"), ("anaesth", "anesth"), ("paediatr", "pediatr"), ("gynaecolog", "gynecolog"),
    ("orthopaed", "orthoped"), ("oestrogen", "estrogen"), ("diarrhoea", "diarrhea"), ("dyspnoea", "dyspnea"),
    ("apnoea", "apnea"), ("foet", "fet"), ("centre", "center"), ("fibre", "fiber"), ("litre", "liter"),
    ("colour", "color"), ("behaviour", "behavior"), ("programme", "program"),
)
_ISE = re.compile(r"(\w{3,}i)s(e|ed|es|ing|ation|ations)\b")  # localised → localized, -isation → -ization
_APOSTROPHES = dict.fromkeys(map(ord, "'’ʼ‘`´′"), None)
_T2S = opencc.OpenCC("t2s.json")  # built once: loading the dictionaries is the slow part


def normalise(text: str) -> str:
    """The form two spellings of one name share: Traditional Chinese as Simplified (OpenCC), NFKC,
    case-folded, apostrophes dropped, punctuation and hyphens as spaces, American spelling, single spaces.

    Example:
        >>> normalise("Oesophageal  Tumour") == normalise("esophageal tumor")
        True
        >>> normalise("\\uff2a\\uff49\\uff41\\uff4e\\uff47\\u2019s anastomosis")  # full-width, curly apostrophe
        'jiangs anastomosis'
    """
    text = unicodedata.normalize("NFKC", _T2S.convert(text)).casefold().translate(_APOSTROPHES)
    text = "".join(" " if unicodedata.category(char).startswith("P") else char for char in text)
    for british, american in SPELLINGS:
        text = text.replace(british, american)
    return " ".join(_ISE.sub(r"\1z\2", text).split())


__all__ = ["SPELLINGS", "normalise"]
