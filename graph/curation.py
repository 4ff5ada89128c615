"""Curation rules the shapes cannot say: whose words a label is, no year the source does not give, and
every curators' note in both languages.

A plain `skos:altLabel` is reserved for the source's own words and `skos:hiddenLabel` for its verbatim
slips; both must occur in a source document (after folding case, spacing, hyphens and British spelling).
Anything else a curator adds is a `kg:addedSynonym`. A `kg:probableTranslation` repeats one of the
entity's labels. A figure's `xsd:gYear` value must be a year its own words give, never a decade. Each
English note or definition (`skos:editorialNote`, `skos:definition`, `skos:scopeNote`, `rdfs:comment`)
has its Simplified Chinese translation in the same property, and each Chinese one its English original.
Imports rdflib; nothing of `api`.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import RDFS, SKOS, XSD
from rdflib.term import Node

from graph.claims import describe
from graph.namespaces import KG, SCHEMA
from graph.problems import Problem
from graph.sources import SOURCE_DIR, ParsedFiles

#: British → American stems, so that "tumour" is the source's "tumor". Only what the labels here meet.
_SPELLINGS = (("oesophag", "esophag"), ("tumour", "tumor"), ("centre", "center"), ("fibre", "fiber"))


def fold(text: str) -> str:
    """Case, width, apostrophes, hyphens and spacing folded; British stems as American; plurals as singular.

    Example:
        >>> fold("Single-hole  Thoracoscopic TUMOURS")
        'single hole thoracoscopic tumor'
    """
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    for british, american in _SPELLINGS:
        text = text.replace(british, american)
    words = re.findall(r"[\w']+", text)
    return " ".join(word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word
                    for word in words)


def source_texts(source_dir: Path = SOURCE_DIR) -> str:
    """Every source document's folded text, one after the other."""
    return "\n".join(fold(path.read_bytes().decode("utf-8")) for path in sorted(source_dir.glob("*.txt")))


def in_source(label: str, folded_sources: str) -> bool:
    """Whether `label` is, word for word, in the (folded) source text.

    Example:
        >>> in_source("Mediastinal tumour", fold("and mediastinal tumor and"))
        True
        >>> in_source("VATS", fold("minimally invasive thoracoscopy"))
        False
    """
    return re.search(r"(?<![\w'])" + re.escape(fold(label)) + r"(?![\w'])", folded_sources) is not None


def source_words(graph: Graph, source_dir: Path = SOURCE_DIR) -> Graph:
    """`kg:sourceWords` for every English label (preferred, alternative or hidden) found in a source document,
    so that "which labels are the source's own words" is data a query, a search and a page can use."""
    folded = source_texts(source_dir)
    found = Graph()
    for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
        for entity, label in graph.subject_objects(prop):
            english = isinstance(label, Literal) and (label.language or "").startswith("en")
            if english and (entity, KG.addedSynonym, label) not in graph and in_source(str(label), folded):
                found.add((entity, KG.sourceWords, label))
    return found


def check_labels(graph: Graph, parsed: ParsedFiles, source_dir: Path = SOURCE_DIR) -> list[Problem]:
    """Alternative and hidden labels that are not the source's words; probable translations that are no label."""
    problems: list[Problem] = []
    folded = source_texts(source_dir)
    for prop, kind in ((SKOS.altLabel, "skos:altLabel"), (SKOS.hiddenLabel, "skos:hiddenLabel")):
        for entity, label in sorted(graph.subject_objects(prop)):
            if (entity, KG.addedSynonym, label) in graph or in_source(str(label), folded):
                continue
            file, line = parsed.locate_triple((entity, prop, label))
            fix = "state it as kg:addedSynonym" if prop == SKOS.altLabel else "a hidden label keeps the source's verbatim words"
            problems.append(Problem("labels", f"{kind} {str(label)!r} is not the source's words: {fix}",
                                    file=file, line=line, focus=str(entity)))
    for entity, label in sorted(graph.subject_objects(KG.probableTranslation)):
        if not any((entity, prop, label) in graph for prop in (SKOS.prefLabel, SKOS.altLabel, KG.addedSynonym)):
            file, line = parsed.locate_triple((entity, KG.probableTranslation, label))
            problems.append(Problem("labels", f"kg:probableTranslation {str(label)!r} is none of the entity's labels",
                                    file=file, line=line, focus=str(entity)))
    return problems


def check_years(graph: Graph, parsed: ParsedFiles) -> list[Problem]:
    """A figure's year must be in its own words as a year: '1970' in 'the 1970s' is a decade, not a year."""
    problems: list[Problem] = []
    for figure, value in sorted(graph.subject_objects(SCHEMA.value)):
        if not (isinstance(value, Literal) and value.datatype == XSD.gYear):
            continue
        verbatim = str(graph.value(figure, KG.verbatim) or "")
        if not re.search(r"(?<!\d)" + re.escape(str(value)) + r"(?![\d']|s\b)", verbatim):
            file, line = parsed.locate(figure)
            problems.append(Problem(
                "figures", f"year {value} is not a year its words {verbatim!r} give; a decade is kg:decade \"1970s\"",
                file=file, line=line, focus=str(figure)))
    return problems


#: The curators' notes and definitions a page or card shows as text: each is given in English and in
#: Simplified Chinese, one translation per note, so a Chinese reader never meets an English-only note.
NOTE_PROPERTIES = (SKOS.editorialNote, SKOS.definition, SKOS.scopeNote, RDFS.comment)
_LANGUAGE_NAMES = {"en": "English", "zh-Hans": "Chinese (zh-Hans)"}


def note_language(note: Literal) -> str | None:
    """A note's language: "en" for English (an untagged string counts as English), "zh-Hans" for Simplified
    Chinese, None for any other.

    Example:
        >>> note_language(Literal("No count.")), note_language(Literal("未给出数量。", lang="zh-hans"))
        ('en', 'zh-Hans')
    """
    tag = (note.language or "").lower()
    if not tag:
        return "en" if note.datatype in (None, XSD.string) else None
    if tag == "en" or tag.startswith("en-"):
        return "en"
    return "zh-Hans" if tag == "zh-hans" else None


def check_note_translations(graph: Graph, parsed: ParsedFiles) -> list[Problem]:
    """A subject's English notes of a property and its zh-Hans notes of the same property come in pairs:
    an English note without its Chinese translation, or a Chinese one without its English original, is refused."""
    problems: list[Problem] = []
    for prop in NOTE_PROPERTIES:
        kind = graph.qname(str(prop))
        notes: dict[Node, dict[str, list[Literal]]] = {}
        for subject, note in graph.subject_objects(prop):
            if isinstance(note, Literal) and (language := note_language(note)) is not None:
                notes.setdefault(subject, {"en": [], "zh-Hans": []})[language].append(note)
        for subject, by_language in sorted(notes.items()):
            english, chinese = len(by_language["en"]), len(by_language["zh-Hans"])
            if english == chinese:
                continue
            more = "en" if english > chinese else "zh-Hans"
            missing = "Chinese (zh-Hans) translation" if more == "en" else "English original"
            tally = f" ({english} English, {chinese} zh-Hans)" if english and chinese else ""
            note = sorted(by_language[more])[0]
            file, line = parsed.locate_triple((subject, prop, note))
            problems.append(Problem(
                "notes", f"{describe(subject, graph)}: {_LANGUAGE_NAMES[more]} {kind} {str(note)[:60]!r} has no "
                f"{missing} in {kind}{tally}: every note and definition is given in both languages",
                file=file, line=line, focus=str(subject)))
    return problems
