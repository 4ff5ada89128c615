"""The relations one sentence supports between the things it names, with the status a curator would give.

What the department does: a service it names is offered (performed routinely where the sentence says
routine, "included in the work-up" where the sentence is about staging; offered, and routine only ambiguously,
when it is appended after a list an "and" already closed); a condition it names is treated
(stated, or implied when only an operation's name holds it); equipment in a sentence about equipment is its
own. Between two things: an operation treats the condition its name holds or the sentence links to it ("for",
"patients with", "treated with"; otherwise ambiguous); it has the approach its name holds or the sentence
gives ("through", "by", "under"; ambiguous for the later items of a list whose first item's name starts with
it), or the approach of a treatment it is given as an example of ("laparoscopic
treatment of various diseases such as ...": implied); it uses the device its name holds (implied: the name says
so; stated when the name gives the device in brackets, "robotic (Da Vinci) surgery"; an examination's device is
schema:usesDevice, the curated files' form); a staging
sentence's examinations stage its conditions; a therapy is indicated for the population the sentence names.
Across sentences: a sentence that announces aspects of its conditions ("in the following aspects:") makes the
treatments of the next sentences of its paragraph treat them (implied), until a sentence names conditions of
its own.
Stated only when one sentence links the two; every other status says why, in English and Chinese. Imports
the proposer's modules; nothing of rdflib or `api`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from graph.propose.mentions import Mention
from graph.propose.text import Sentence, clause_breaks

_WORKUP = re.compile(r"\bstag(?:e|ing)\b|work-?up|pre-?operative examination|examination items|分期|术前检查|检查项目",
                     re.IGNORECASE)
_ROUTINE = re.compile(r"\broutine(?:ly)?\b|常规", re.IGNORECASE)
_EQUIPMENT = re.compile(r"\bequip(?:ped|ment)\b|\binstruments?\b|\bdevices?\b|设备|配备|拥有", re.IGNORECASE)
_TREAT_LINK = re.compile(r"\bfor\b|\btreat(?:s|ed|ing|ment)?\b|\bpatients?\s+with\b|\breceive[sd]?\b|\bundergo(?:es)?\b|"
                         r"治疗|用于|针对|患者", re.IGNORECASE)
_APPROACH_LINK = re.compile(r"\bthrough\b|\bby\b|\bvia\b|\bunder\b|\bduring\b|\bapproach(?:es)?\b|经|采用|入路|下",
                            re.IGNORECASE)
_INDICATION_LINK = re.compile(r"\bfor\b|\bpatients?\s+(?:with|whose)\b|\bcannot\b|对于|针对|患者", re.IGNORECASE)
#: A bare treatment word after an approach ("laparoscopic treatment of ...") and what gives its examples.
_GENERIC_TREATMENT = re.compile(r"\s*(?:treatments?|surger(?:y|ies)|operations?|procedures?)\b|\s*(?:治疗|手术)",
                                re.IGNORECASE)
_EXAMPLES = re.compile(r"\bsuch\s+as\b|\bincluding\b|\be\.g\.|例如|比如|包括", re.IGNORECASE)
#: A name ending in a bare treatment word ("... thoracoscopic surgery"), whose approach is its own.
_GENERIC_END = re.compile(r"\b(?:treatments?|surger(?:y|ies)|operations?|procedures?)$|(?:治疗|手术)$", re.IGNORECASE)
#: What joins two items of a list: a comma (or 、), "and", "or", or a comma and one of them.
_LIST_MARK = re.compile(r"\s*(?:[,，、]\s*(?:(?:and|or)\s+)?|(?:and|or)\s+|和|及|与|或)", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:not|never|no longer|without)\b|n't|尚未|未|没有|不再", re.IGNORECASE)
_SINGULAR = re.compile(r"\b(?:has\s+become|is)\s+(?:a\s+)?$", re.IGNORECASE)
_CLAUSE = re.compile(r"\bas\s+(?:a\s+)?$", re.IGNORECASE)
#: A sentence that announces what follows about its subject ("... of lung cancer in the following aspects:").
_ASPECTS = re.compile(r"\b(?:in|from)\s+the\s+following\s+(?:aspects|ways|areas|respects)\b|\bas\s+follows\b|"
                      r"以下(?:几个)?方面|如下", re.IGNORECASE)
_RULE_CONFIDENCE = {"Stated": 0.9, "Implied": 0.7, "Ambiguous": 0.4}


@dataclass(frozen=True)
class Relation:
    """A proposed claim: subject, predicate, object (IRIs or "department" or "new:…"), status and why."""

    subject: str
    predicate: str  # a kg: (or schema:) local name: "kg:offers"
    object: str
    status: str  # Stated, Implied or Ambiguous
    start: int
    end: int
    found_by: str
    confidence: float
    note_en: str = ""
    note_zh: str = ""


DEPARTMENT = "department"


def relations(sentence: Sentence, mentions: list[Mention]) -> list[Relation]:
    """The relations of one sentence, in the order found."""
    out = _Out(sentence)
    services = [m for m in mentions if m.family == "service"]
    top = [m for m in services if not any(m.inside(other) for other in services)]
    workup = bool(_WORKUP.search(sentence.text))
    exams = [m for m in top if m.kind == "examination" or (workup and m.new is not None and m.new.examination)]
    operations = [m for m in top if m not in exams]
    conditions = [m for m in mentions if m.kind == "condition"]
    indications = [m for m in mentions if m.kind == "indication"]
    routine = _routine(sentence, top)
    for service in top:
        if workup and service in exams:
            predicate = "kg:includesRoutinelyInWorkup" if service in routine else "kg:includesInWorkup"
            out.add(DEPARTMENT, predicate, service, "Stated", "rule: an examination of a staging sentence" +
                    (", called routine" if service in routine else ""))
        elif service in routine and _appended(sentence, service, top):
            out.add(DEPARTMENT, "kg:offers", service, "Stated", "rule: a service the department's text names")
            out.add(DEPARTMENT, "kg:performsRoutinely", service, "Ambiguous", "rule: a service appended after the "
                    "list the routine words govern", (f"'{service.quote}' is added after a list that 'and' already "
                                                      "closed; whether the routine words cover it too is not clear.",
                                                      f"'{service.quote}'接在一个已用'and'结束的列表之后；"
                                                      "“常规”是否也涵盖它，并不清楚。"))
        else:
            predicate = "kg:performsRoutinely" if service in routine else "kg:offers"
            out.add(DEPARTMENT, predicate, service, "Stated", "rule: a service the department's text names" +
                    (", called routine" if service in routine else ""))
    free = {c.entity for c in conditions if not any(c.inside(s) for s in services)}
    for condition in conditions:
        holders = [s for s in services if condition.inside(s)]
        if not holders:
            out.add(DEPARTMENT, "kg:treatsCondition", condition, "Stated", "rule: a condition the department's text names")
        else:
            out.add(DEPARTMENT, "kg:treatsCondition", condition, "Implied", "rule: a condition named in an operation's name",
                    (f"Named in the operation '{holders[0].quote}'.", f"在手术名称'{holders[0].quote}'中提到。"))
        for holder in holders:
            out.add(holder, "kg:treats", condition, "Stated", "rule: the operation's name holds the condition")
        if holders:
            continue
        if workup:
            for exam in exams:
                apart = any(min(exam.start, condition.start) < b < max(exam.start, condition.start)
                            for b in clause_breaks(sentence))
                if apart:
                    out.add(condition, "kg:hasStagingExamination", exam, "Implied", "rule: a staging sentence",
                            ("The sentence names the examinations in another clause than the condition; assigning each "
                             "examination to each condition is a reading.",
                             "该句在与疾病不同的分句中列出各项检查；把每项检查分别归于每种疾病，是一种解读。"))
                else:
                    out.add(condition, "kg:hasStagingExamination", exam, "Stated", "rule: a staging sentence")
            continue
        linked = bool(_TREAT_LINK.search(sentence.text))
        for operation in operations:
            own = {c.entity for c in conditions if c.inside(operation)}
            if linked and ((len(free) >= 2 and len(operations) >= 2) or (own and condition.entity not in own)):
                out.add(operation, "kg:treats", condition, "Ambiguous", "rule: one sentence links lists of operations "
                        "and conditions", ("The sentence links several operations to several conditions (or an "
                                           "operation named after another condition); which treats which is not said.",
                                           "该句把几种手术与几种疾病联系在一起（或该手术以另一种疾病命名）；"
                                           "未说明哪种手术治疗哪种疾病。"))
            elif linked:
                out.add(operation, "kg:treats", condition, "Stated", "rule: one sentence links the operation and the "
                        "condition ('for', 'patients with', 'treated with')")
            else:
                out.add(operation, "kg:treats", condition, "Ambiguous", "rule: one sentence names both, unlinked",
                        ("The sentence names the operation and the condition without saying that one is for the other.",
                         "该句同时提到该手术和该疾病，但没有说前者用于后者。"))
    for indication in indications:
        linked = bool(_INDICATION_LINK.search(sentence.text))
        for operation in operations:
            if linked and _appended(sentence, operation, top) and indication.start < operation.start:
                out.add(operation, "kg:hasIndication", indication, "Ambiguous", "rule: a treatment appended after the "
                        "list the patients are given for", (f"'{operation.quote}' is added after a list that 'and' "
                                                            "already closed; whether the patients the sentence names "
                                                            "are its patients too is not clear.",
                                                            f"'{operation.quote}'接在一个已用'and'结束的列表之后；"
                                                            "句中所说的患者是否也是它的患者，并不清楚。"))
            elif linked:
                out.add(operation, "kg:hasIndication", indication, "Stated", "rule: one sentence gives the patients it is for")
            else:
                out.add(operation, "kg:hasIndication", indication, "Implied", "rule: one sentence names both",
                        ("The sentence names the treatment and the patients without saying it is for them.",
                         "该句同时提到该治疗和这些患者，但没有说该治疗针对他们。"))
    devices = [m for m in mentions if m.kind == "equipment"]
    for approach in (m for m in mentions if m.kind == "approach" and not any(m.inside(d) for d in devices)):
        # an approach within a device's name (腔镜 in 胸腔镜) is the device's, not the operation's own words
        holders = [s for s in top if approach.inside(s) or _adjacent(sentence, approach, s)]
        for holder in holders:
            out.add(holder, "kg:hasApproach", approach, "Stated", "rule: the operation's name holds the approach")
            for item in _listed_after(sentence, holder, top, approach, mentions):
                out.add(item, "kg:hasApproach", approach, "Ambiguous", "rule: a later item of a list whose first item "
                        "names the approach", (f"'{approach.quote}' is written before the list's first item "
                                               f"('{holder.quote}') only; whether it applies to '{item.quote}' too is "
                                               "not said.", f"'{approach.quote}'只写在列表第一项（'{holder.quote}'）之前；"
                                               f"是否也适用于'{item.quote}'，未说明。"))
        if not holders and _APPROACH_LINK.search(sentence.text):
            for operation in operations:
                out.add(operation, "kg:hasApproach", approach, "Stated", "rule: one sentence gives the operation's approach")
        for example in ([] if holders else _examples(sentence, approach, operations)):
            out.add(example, "kg:hasApproach", approach, "Implied", "rule: an operation given as an example of a "
                    "treatment by the approach", (f"Given as an example ('{example.quote}') of '{approach.quote}' "
                                                  "treatment; the operation's own name does not say the approach.",
                                                  f"作为'{approach.quote}'治疗的例子（'{example.quote}'）列出；"
                                                  "该手术本身的名称没有说明入路。"))
    for device in (m for m in mentions if m.kind == "equipment"):
        bracketed = [s for s in top if _in_brackets(sentence, device, s)]
        for holder in bracketed:
            out.add(holder, uses_device(holder.kind), device, "Stated",
                    "rule: the operation's name gives the device in brackets")
        holders = [s for s in top if device.inside(s) or _adjacent(sentence, device, s)] + bracketed
        for holder in holders:
            if holder in bracketed:
                continue
            out.add(holder, uses_device(holder.kind), device, "Implied", "rule: the operation's name holds the device",
                    (f"The name '{holder.quote}' says it is done with this device.", f"名称'{holder.quote}'表明它使用该设备。"))
        if not holders and _EQUIPMENT.search(sentence.text):
            out.add(DEPARTMENT, "kg:hasEquipment", device, "Stated", "rule: equipment a sentence about equipment names")
    return out.relations


#: The predicates of "done with this device": schema:usesDevice for an examination (schema.org's, for tests), and
#: kg:usesEquipment, which generalises it, for any other service.
DEVICE_PREDICATES = frozenset({"kg:usesEquipment", "schema:usesDevice"})


def uses_device(kind: str) -> str:
    """The predicate of a service of `kind` done with a device, as the curated files write it."""
    return "schema:usesDevice" if kind == "examination" else "kg:usesEquipment"


@dataclass(frozen=True)
class Topic:
    """The conditions a sentence announces aspects for, and the words that announce them."""

    sentence: Sentence
    conditions: tuple[Mention, ...]
    cue: str


def announced(sentence: Sentence, mentions: list[Mention]) -> Topic | None:
    """The topic a sentence opens when it announces aspects ("... of lung and esophageal cancer in the following
    aspects:"): the conditions it names before the announcing words, outside any operation's name."""
    cue = _ASPECTS.search(sentence.text)
    if cue is None:
        return None
    services = [m for m in mentions if m.family == "service"]
    at = sentence.start + cue.start()
    conditions = tuple(m for m in mentions if m.kind == "condition" and m.end <= at
                       and not any(m.inside(s) for s in services))
    return Topic(sentence, conditions, cue.group(0)) if conditions else None


def aspects(sentence: Sentence, mentions: list[Mention], topic: Topic) -> list[Relation]:
    """What a sentence among announced aspects implies: each treatment it names treats the topic's conditions
    (implied, never stated: this sentence does not name them), with both sentences as evidence."""
    services = [m for m in mentions if m.family == "service"]
    treatments = [m for m in services if m.kind != "examination" and not any(m.inside(o) for o in services)]
    out = []
    for condition in topic.conditions:
        note = (f"One of the aspects an earlier sentence announces ('{topic.cue}') for '{condition.quote}'; this "
                "sentence does not name the condition itself.",
                f"这是前文（'{topic.cue}'）为'{condition.quote}'列出的方面之一；本句本身没有提到该疾病。")
        for treatment in treatments:
            for where in (topic.sentence, sentence):
                relation = _Out(where)
                relation.add(treatment, "kg:treats", condition, "Implied",
                             "rule: a sentence among the aspects an earlier sentence announces for a condition", note)
                out.extend(relation.relations)
    return out


class _Out:
    """The relations of one sentence, each once, with the reading of a slip and a negation marked."""

    def __init__(self, sentence: Sentence) -> None:
        self.sentence = sentence
        self.relations: list[Relation] = []
        negation = _NEGATION.search(re.sub(r"can\s?not\s+be|cannot|无法|不能", " ", sentence.text))
        self.negation = negation.group(0) if negation else None

    def add(self, subject: Mention | str, predicate: str, obj: Mention, status: str, found_by: str,
            note: tuple[str, str] = ("", "")) -> None:
        note_en, note_zh = note
        reading = next((m.reading for m in (subject, obj) if isinstance(m, Mention) and m.reading), None)
        if reading is not None and status == "Stated":
            status = "Implied"
            note_en, note_zh = reading[2], reading[3]
        if self.negation:
            status = "Ambiguous"
            note_en = (f"The sentence has a negation ('{self.negation}'): check that it does not deny this. " + note_en).strip()
            note_zh = (f"该句含有否定词（'{self.negation}'）：请核实它没有否认这一点。" + note_zh).strip()
        subject_id = subject if isinstance(subject, str) else subject.entity
        if subject_id == obj.entity:
            return
        confidence = _RULE_CONFIDENCE[status] * min(obj.confidence, 1.0 if isinstance(subject, str) else subject.confidence)
        self.relations.append(Relation(subject_id, predicate, obj.entity, status, self.sentence.start, self.sentence.end,
                                       found_by, round(confidence, 2), note_en, note_zh))


def _routine(sentence: Sentence, services: list[Mention]) -> set[Mention]:
    """The services the sentence calls routine: all after "routinely"; before it, all of them ("have become
    routine"), the last one ("has become routine"), or those of its clause ("as routine examination items")."""
    found: set[Mention] = set()
    for cue in _ROUTINE.finditer(sentence.text):
        at = sentence.start + cue.start()
        before = sentence.text[:cue.start()]
        singular, clause = _SINGULAR.search(before), _CLAUSE.search(before)
        earlier = [s for s in services if s.end <= at]
        if singular:
            found.update(earlier[-1:])
        elif clause:
            found.update(s for s in earlier if not re.search(r"[,，;；]", sentence.between(s.end, at)))
        else:
            found.update(services)
    return found


def _examples(sentence: Sentence, approach: Mention, operations: list[Mention]) -> list[Mention]:
    """The operations a sentence gives as examples of a treatment by an approach: "laparoscopic treatment of various
    diseases such as A and B" (the approach right before a bare treatment word, "such as" / "including" after it in
    the same clause, the operations after that)."""
    after = sentence.text[approach.end - sentence.start:]
    head = _GENERIC_TREATMENT.match(after)
    cue = _EXAMPLES.search(after, head.end()) if head else None
    if cue is None or re.search(r"[,，;；:：]", after[:cue.start()]):
        return []
    at = approach.end + cue.end()
    stop = re.search(r"[;；]", after[cue.end():])
    end = at + stop.start() if stop else sentence.end
    return [o for o in operations if at <= o.start and o.end <= end]


def _in_brackets(sentence: Sentence, device: Mention, service: Mention) -> bool:
    """A device written in brackets within a service's name: "robotic (Da Vinci) surgery"."""
    before = sentence.between(service.start, device.start).rstrip()
    after = sentence.between(device.end, service.end).lstrip()
    return (service.start < device.start and device.end < service.end and before.endswith(("(", "（"))
            and after.startswith((")", "）")))


def _listed_after(sentence: Sentence, first: Mention, services: list[Mention], approach: Mention,
                  mentions: list[Mention]) -> list[Mention]:
    """The services listed right after one whose name starts with an approach ("thoracoscopic lobectomy,
    segmentectomy, ..."; not "minimally invasive thoracoscopic surgery, ...", a bare surgery's own), up to the first
    that names an approach or a device of its own or that is not joined to the previous item by a list mark."""
    if approach.start != first.start or _GENERIC_END.search(first.quote):
        return []  # "video-assisted thoracoscopic surgery, segmentectomy": the approach is that surgery's own
    modifiers = [m for m in mentions if m.kind in ("approach", "equipment")]
    later, previous = [], first
    for service in sorted((s for s in services if s.start >= first.end), key=lambda s: s.start):
        gap = sentence.between(previous.end, service.start)
        if not _LIST_MARK.fullmatch(gap) or any(m.inside(service) or _adjacent(sentence, m, service) for m in modifiers):
            break
        later.append(service)
        previous = service
    return later


def _appended(sentence: Sentence, service: Mention, services: list[Mention]) -> bool:
    """Whether a service follows, after ", and", a list of services that an "and" already closed ("... such as A,
    B, and C, and D"): D is added to the list, not one of its items."""
    earlier = [s for s in services if s.end <= service.start]
    if len(earlier) < 2 or not re.fullmatch(r",\s*and\s+", sentence.between(earlier[-1].end, service.start)):
        return False
    return any(re.search(r"\band\b", sentence.between(a.end, b.start)) for a, b in pairwise(earlier))


def _adjacent(sentence: Sentence, modifier: Mention, service: Mention) -> bool:
    """A Chinese modifier written right before a service, with nothing between (胸腔镜肺癌根治术)."""
    return sentence.chinese and modifier.end == service.start


__all__ = ["DEPARTMENT", "DEVICE_PREDICATES", "Relation", "Topic", "announced", "aspects", "relations", "uses_device"]
