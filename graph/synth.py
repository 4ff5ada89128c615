"""Synthetic departments for scale, clearly marked: a generator and a validator, never served.

`generate(n, seed, out)` writes `n` department folders in about n/3 hospitals, each the way a department is
laid out in docs/departments.md:

    out/{id}/source/{id}.txt    a generated English description in the style of the real source
    out/{id}/department.ttl     the department (kg:ClinicalCenter, kg:synthetic true), its hospital and city,
                                its figures and its claims, in the curated files' own form
    out/{id}/evidence.ttl       its source document and the evidence spans (exact quotes, offsets) into its text

Every department lives under `BASE + "synthetic/{id}/"` (hospitals under `synthetic/hospital/`, cities under
`synthetic/city/`), carries `kg:synthetic true` (its hospital and source document too) and a curators' note in
both languages saying it is generated. Its capabilities are the shared vocabulary of graph/data (`ttc:` IRIs of
conditions.ttl and services.ttl), drawn with realistic frequencies shaped by the department's kind and its
hospital's tier; the real center's named innovations (kg:NamedTechnique) and its own nodes (ttc:Center, its
hospital, city, sources and spans) are never used. The files are written with the placeholder base, as every
curated file is, and read through `graph.namespaces.published`. Same seed, same bytes.

`check_departments(root)` runs the build's own checks (graph.build.check: syntax, evidence at its offsets,
ICD-10, claims only for claimable properties, labels, years, notes in both languages, SHACL) over the ontology,
the shipped data (the shared vocabulary, whose labels and evidence are still the real center's) and one
department at a time, or all together, plus what only a synthetic department must satisfy; every problem names
its department.

Imports rdflib and the build's checks; nothing of `api`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

from graph.build import Inputs, check
from graph.departments import DEPARTMENT_FILES, department_folders, own_problems, staged
from graph.namespaces import BASE, EV, KG, PLACEHOLDER_BASE, SCHEMA, TTC, parse_published
from graph.problems import Problem
from graph.sources import DATA_DIR, SOURCE_DIR

#: Where every synthetic node lives (graph/network/synthetic.py's SYN); a department under SYNTHETIC + "{id}/".
SYNTHETIC = BASE + "synthetic/"
#: The files of graph/data that hold the shared vocabulary: a department may use the ttc: IRIs they describe.
VOCABULARY_FILES = ("conditions.ttl", "services.ttl")
_ID = re.compile(r"syn-[0-9]{4,}")

Progress = Callable[[int, int], None]

# ---------------------------------------------------------------- what departments draw from

#: Department kinds: English and Chinese names, how much more (or less) often each group of capabilities appears,
#: and the operation its name promises. Never "Thoracic Tumor Center": that is the real center's name.
_KINDS: tuple[tuple[str, str, dict[str, float], str], ...] = (
    ("Department of Thoracic Surgery", "胸外科", {}, "RadicalLungCancerSurgery"),
    ("Department of General Thoracic Surgery", "普通胸外科", {"complex": 0.8}, "RadicalLungCancerSurgery"),
    ("Department of Cardiothoracic Surgery", "心胸外科", {"esophagus": 0.8, "therapy": 0.6}, "RadicalLungCancerSurgery"),
    ("Lung Cancer Center", "肺癌诊疗中心", {"lung": 1.3, "esophagus": 0.2, "therapy": 1.3}, "RadicalLungCancerSurgery"),
    ("Department of Esophageal Surgery", "食管外科", {"esophagus": 1.6, "lung": 0.35, "mediastinum": 0.5},
     "MinimallyInvasiveRadicalEsophagectomy"),
    ("Department of Thoracic Oncology", "胸部肿瘤科", {"therapy": 1.7, "complex": 0.6}, "RadicalLungCancerSurgery"),
    ("Minimally Invasive Thoracic Surgery Unit", "微创胸外科", {"mis": 1.3, "complex": 0.5}, "ThoracoscopicSurgery"),
    ("Department of Chest Surgery", "胸部外科", {}, "RadicalLungCancerSurgery"),
    ("Thoracic and Mediastinal Surgery Ward", "胸部纵隔外科病区", {"mediastinum": 1.6, "esophagus": 0.7},
     "EndoscopicMediastinalTumourResection"),
    ("Department of Pulmonary Surgery", "肺外科", {"lung": 1.3, "esophagus": 0.15}, "RadicalLungCancerSurgery"),
)

#: Hospital kinds: English, Chinese, tier (1 county or district, 2 city, 3 regional referral).
_HOSPITAL_KINDS = (
    ("General Hospital", "综合医院", 2), ("Central Hospital", "中心医院", 2), ("Cancer Hospital", "肿瘤医院", 3),
    ("Chest Hospital", "胸科医院", 3), ("District Hospital", "区医院", 1), ("Medical Center", "医学中心", 3),
    ("County Hospital", "县医院", 1), ("Municipal Hospital", "市医院", 2),
)

#: Invented hospital names (English, Chinese).
_HOSPITAL_NAMES = (
    ("Xinhe", "新和"), ("Jinglan", "景澜"), ("Qiaoyuan", "桥源"), ("Songhe", "松禾"), ("Lanxi", "岚溪"),
    ("Yunqiao", "云桥"), ("Mingshan", "明杉"), ("Huaiyuan", "槐原"), ("Baiyan", "柏岩"), ("Ruilin", "瑞霖"),
    ("Tongze", "桐泽"), ("Heyuan", "禾源"), ("Qingmu", "青木"), ("Anlan", "安澜"), ("Jiangtai", "江台"),
    ("Shuguang Road", "曙光路"), ("Nanhu", "南湖"), ("Beiyuan", "北苑"), ("Dongping", "东平"), ("Xishan", "西杉"),
)

#: Cities (slug, English, Chinese): real places; nothing is said of them but that a synthetic hospital is there.
_CITIES = (
    ("chengdu", "Chengdu", "成都"), ("wuhan", "Wuhan", "武汉"), ("xian", "Xi'an", "西安"), ("changsha", "Changsha", "长沙"),
    ("kunming", "Kunming", "昆明"), ("guiyang", "Guiyang", "贵阳"), ("nanning", "Nanning", "南宁"),
    ("hefei", "Hefei", "合肥"), ("nanchang", "Nanchang", "南昌"), ("zhengzhou", "Zhengzhou", "郑州"),
    ("jinan", "Jinan", "济南"), ("taiyuan", "Taiyuan", "太原"), ("lanzhou", "Lanzhou", "兰州"),
    ("shijiazhuang", "Shijiazhuang", "石家庄"), ("fuzhou", "Fuzhou", "福州"), ("nanjing", "Nanjing", "南京"),
    ("hangzhou", "Hangzhou", "杭州"), ("suzhou", "Suzhou", "苏州"), ("xiamen", "Xiamen", "厦门"),
    ("qingdao", "Qingdao", "青岛"), ("dalian", "Dalian", "大连"), ("shenyang", "Shenyang", "沈阳"),
    ("harbin", "Harbin", "哈尔滨"), ("changchun", "Changchun", "长春"), ("urumqi", "Urumqi", "乌鲁木齐"),
    ("yinchuan", "Yinchuan", "银川"), ("xining", "Xining", "西宁"), ("haikou", "Haikou", "海口"),
    ("mianyang", "Mianyang", "绵阳"), ("yichang", "Yichang", "宜昌"), ("luoyang", "Luoyang", "洛阳"),
    ("zunyi", "Zunyi", "遵义"),
)


@dataclass(frozen=True)
class _Capability:
    """One vocabulary entity a department may have: its ttc: local name, how often, the words for it."""

    local: str
    weight: float
    names: tuple[str, ...]
    tags: tuple[str, ...] = ()
    treats: str | None = None  # the condition (ttc: local name) it is said to be for
    approach: str | None = None  # an approach a sentence may name for it
    needs: str | None = None  # equipment that comes with it


_PROCEDURES = (
    _Capability("ThoracoscopicSurgery", 0.88, ("thoracoscopic surgery", "video-assisted thoracoscopic surgery",
                                               "minimally invasive thoracoscopic surgery"), ("mis",),
                approach="ThoracoscopicApproach", needs="Thoracoscope"),
    _Capability("RadicalLungCancerSurgery", 0.85, ("radical lung cancer surgery", "radical resection of lung cancer"),
                ("lung",), treats="LungCancer", approach="ThoracoscopicApproach"),
    _Capability("SystematicLymphNodeDissection", 0.6, ("systematic lymph node dissection",
                                                       "systematic mediastinal lymph node dissection"), ("lung",)),
    _Capability("Segmentectomy", 0.5, ("segmentectomy", "anatomical segmentectomy", "lung segmentectomy"),
                ("lung", "mis"), treats="LungCancer", approach="ThoracoscopicApproach"),
    _Capability("UniportalThoracoscopicLobectomy", 0.35, ("uniportal thoracoscopic lobectomy",
                                                          "single-port thoracoscopic lobectomy"),
                ("lung", "mis"), treats="LungCancer", approach="UniportalThoracoscopicApproach", needs="Thoracoscope"),
    _Capability("MinimallyInvasiveRadicalEsophagectomy", 0.5, ("minimally invasive radical esophagectomy",
                                                                "minimally invasive esophagectomy"),
                ("esophagus", "mis"), treats="EsophagealCancer", approach="EndoscopicApproach"),
    _Capability("EndoscopicMediastinalTumourResection", 0.45, ("endoscopic mediastinal tumor resection",
                                                               "thoracoscopic resection of mediastinal tumors"),
                ("mediastinum", "mis"), treats="MediastinalTumour", approach="EndoscopicApproach"),
    _Capability("ThoracoscopicPleuralBiopsy", 0.45, ("thoracoscopic pleural biopsy", "pleural biopsy under thoracoscopy"),
                ("mis",), needs="Thoracoscope"),
    _Capability("BenignLungTumourResection", 0.4, ("resection of benign lung tumors", "benign lung tumor resection"),
                ("lung",), treats="BenignLungTumour"),
    _Capability("BenignEsophagealTumourResection", 0.22, ("resection of benign esophageal tumors",
                                                          "benign esophageal tumor resection"),
                ("esophagus",), treats="BenignEsophagealTumour"),
    _Capability("UniportalSurgeryForPalmarHyperhidrosis", 0.2, ("uniportal thoracoscopic surgery for sweaty hands",
                                                                "single-port surgery for palmar hyperhidrosis"),
                ("mis",), treats="PalmarHyperhidrosis", approach="UniportalThoracoscopicApproach"),
    _Capability("ThoracoscopicBronchialSleeveResection", 0.22, ("thoracoscopic bronchial sleeve resection",
                                                                "bronchial sleeve resection under thoracoscopy"),
                ("lung", "complex"), treats="LungCancer", approach="ThoracoscopicApproach"),
    _Capability("ThoracoscopicDoubleSleeveResection", 0.07, ("thoracoscopic double-sleeve resection of the bronchus "
                                                             "and pulmonary artery",), ("lung", "complex"),
                treats="LungCancer"),
    _Capability("LobectomyWithPartialAtrialResection", 0.06, ("lobectomy combined with partial atrial resection",),
                ("lung", "complex"), treats="LungCancer"),
    _Capability("TrachealTumourResectionAndReconstruction", 0.12, ("tracheal tumor resection and reconstruction",),
                ("complex",), treats="TrachealTumour"),
    _Capability("SuperiorSulcusTumourRadicalResection", 0.09, ("radical resection of superior sulcus tumors",
                                                               "Pancoast tumor resection"),
                ("lung", "complex"), treats="SuperiorSulcusTumour"),
    _Capability("SuperiorVenaCavaResection", 0.09, ("superior vena cava resection",), ("complex",)),
    _Capability("VascularReconstruction", 0.1, ("vascular reconstruction",), ("complex",)),
    _Capability("LargeIntrathoracicTumourResection", 0.05, ("resection of large intrathoracic tumors",),
                ("complex",), treats="LargeIntrathoracicTumour"),
    _Capability("RoboticSurgery", 0.07, ("robot-assisted (Da Vinci) thoracic surgery", "Da Vinci robotic surgery"),
                ("robotic",), approach="RoboticApproach", needs="DaVinciSurgicalSystem"),
)

_THERAPIES = (
    _Capability("NeoadjuvantChemotherapy", 0.55, ("neoadjuvant chemotherapy", "preoperative neoadjuvant chemotherapy"),
                ("therapy",)),
    _Capability("RadiofrequencyAblation", 0.28, ("radiofrequency ablation",), ("therapy", "intervention")),
    _Capability("ThermalPerfusionChemotherapy", 0.18, ("thermal perfusion chemotherapy",
                                                       "hyperthermic perfusion chemotherapy"), ("therapy", "intervention")),
    _Capability("RadioactiveSeedImplantation", 0.14, ("radioactive seed implantation", "radioactive particle implantation"),
                ("therapy", "intervention")),
)

_EXAMINATIONS = (
    _Capability("PETCT", 0.68, ("PET-CT", "PET/CT")),
    _Capability("HeadMRI", 0.62, ("MRI of the head", "head MRI", "brain MRI")),
    _Capability("ECT", 0.55, ("ECT", "ECT bone scanning")),
    _Capability("MediastinoscopyBiopsy", 0.3, ("mediastinoscopic biopsy", "mediastinoscopy biopsy")),
)

_EQUIPMENT = {
    "Thoracoscope": ("high-definition thoracoscopes", "video thoracoscopes", "thoracoscopes"),
    "FiberopticBronchoscope": ("fiberoptic bronchoscopes", "flexible fiberoptic bronchoscopes"),
    "Mediastinoscope": ("a video mediastinoscope", "mediastinoscopes"),
    "DaVinciSurgicalSystem": ("a Da Vinci surgical robot", "the Da Vinci surgical system"),
}

_CONDITIONS = {  # ttc: local name → (English words, Chinese words for notes)
    "LungCancer": ("lung cancer", "肺癌"),
    "EsophagealCancer": ("esophageal cancer", "食管癌"),
    "MediastinalTumour": ("mediastinal tumors", "纵隔肿瘤"),
    "BenignLungTumour": ("benign lung tumors", "肺良性肿瘤"),
    "BenignEsophagealTumour": ("benign esophageal tumors", "食管良性肿瘤"),
    "PalmarHyperhidrosis": ("palmar hyperhidrosis", "手汗症"),
    "TrachealTumour": ("tracheal tumors", "气管肿瘤"),
    "SuperiorSulcusTumour": ("superior sulcus tumors", "肺上沟瘤"),
    "LargeIntrathoracicTumour": ("large intrathoracic tumors", "胸腔巨大肿瘤"),
}

_APPROACHES = {
    "ThoracoscopicApproach": "the thoracoscopic approach",
    "UniportalThoracoscopicApproach": "a single-port (uniportal) thoracoscopic approach",
    "EndoscopicApproach": "an endoscopic approach",
    "RoboticApproach": "the robot-assisted approach",
}

#: Every vocabulary entity the generator can name: tests check each is in VOCABULARY_FILES and no named technique.
VOCABULARY_USED = tuple(sorted({c.local for c in (*_PROCEDURES, *_THERAPIES, *_EXAMINATIONS)} | set(_EQUIPMENT)
                               | set(_CONDITIONS) | set(_APPROACHES) | {"UnresectableAdvancedTumour"}))

_SYNTHETIC_NOTE = (
    "Synthetic: generated by thoracic-kg synth for tests and benchmarks. Not a real {what}; none of its facts "
    "describe a real one, and it is never the Thoracic Tumor Center.",
    "合成数据：由 thoracic-kg synth 为测试和基准生成。不是真实的{what}；其中任何事实都不描述真实机构，也绝不是胸部肿瘤中心。",
)

# ---------------------------------------------------------------- the text and its spans


class _Text:
    """The source text as it is written, with the exact offsets of every quoted span."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.spans: dict[str, tuple[str, int, int]] = {}

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def quote(self, span_id: str, text: str) -> str:
        """Write `text` and record it as span `span_id` (a number is appended if the id is taken)."""
        base, number = span_id, 1
        while span_id in self.spans:
            number += 1
            span_id = f"{base}-{number}"
        self.spans[span_id] = (text, self.length, self.length + len(text))
        self.add(text)
        return span_id

    def sentence(self, span_id: str, text: str) -> str:
        """A whole sentence quoted (its final full stop and a space are not part of the quote)."""
        found = self.quote(span_id, text[0].upper() + text[1:])
        self.add(". ")
        return found

    def end_paragraph(self) -> None:
        if not self.parts or self.parts[-1] == "\n\n":  # nothing written since the last paragraph
            return
        if self.parts[-1] == ". ":
            self.parts[-1] = "."
            self.length -= 1
        self.add("\n\n")

    def value(self) -> str:
        return "".join(self.parts).rstrip() + "\n"


def _join(items: Sequence[str], rng: random.Random) -> str:
    if len(items) == 1:
        return items[0]
    comma = "," if len(items) > 2 and rng.random() < 0.5 else ""
    return ", ".join(items[:-1]) + f"{comma} and {items[-1]}"


@dataclass
class _Claim:
    subject: str
    predicate: str
    obj: str
    span: str
    status: str = "Stated"
    note: tuple[str, str] | None = None


@dataclass
class _Figure:
    local: str
    kind: str
    labels: tuple[str, str]
    measured: str
    value: str  # Turtle for schema:value, or "" for a decade
    unit: str | None
    verbatim: str
    span: str
    period: str | None = None
    decade: str | None = None


@dataclass
class Hospital:
    """A synthetic hospital: its id, names and city, and its tier (1 to 3)."""

    id: str
    name: str
    name_zh: str
    city: tuple[str, str, str]
    tier: int


@dataclass
class _Department:
    id: str
    hospital: Hospital
    name: str
    name_zh: str
    text: _Text = field(default_factory=_Text)
    claims: list[_Claim] = field(default_factory=list)
    figures: list[_Figure] = field(default_factory=list)
    spans: dict[str, str] = field(default_factory=dict)  # role → span id

    def claim(self, subject: str, predicate: str, obj: str, span: str, status: str = "Stated",
              note: tuple[str, str] | None = None) -> None:
        self.claims.append(_Claim(subject, predicate, obj, span, status, note))


def hospitals_for(n: int, seed: int) -> list[Hospital]:
    """About n/3 hospitals (at least one), each a distinct name in a city; deterministic for (n, seed)."""
    rng = random.Random(f"thoracic-kg synth hospitals {seed}")  # noqa: S311 - reproducible test data, not secrets
    count = max(1, round(n / 3))
    seen: set[str] = set()
    hospitals = []
    for number in range(1, count + 1):
        for _ in range(50):
            city = rng.choice(_CITIES)
            name, name_zh = rng.choice(_HOSPITAL_NAMES)
            kind, kind_zh, tier = rng.choice(_HOSPITAL_KINDS)
            full = f"{city[1]} {name} {kind}"
            if full not in seen:
                break
        else:  # (almost) every name taken: tell them apart by number
            full, name_zh = f"{full} No. {number}", f"{name_zh}{number}号"
        seen.add(full)
        hospitals.append(Hospital(f"h{number:04d}", full, f"{city[2]}{name_zh}{kind_zh}", city, tier))
    return hospitals


def department_id(number: int) -> str:
    """The id (and folder name) of the `number`-th synthetic department.

    Example:
        >>> department_id(7)
        'syn-0007'
    """
    return f"syn-{number:04d}"


def generate(n: int, seed: int, out: Path, progress: Progress | None = None) -> list[Path]:
    """Write `n` synthetic departments into `out` (one folder each); return their folders. Same seed, same bytes."""
    if n < 1:
        raise ValueError("--departments must be at least 1")
    hospitals = hospitals_for(n, seed)
    order = list(range(len(hospitals)))
    random.Random(f"thoracic-kg synth assignment {seed}").shuffle(order)  # noqa: S311 - reproducible, not secrets
    used_names: dict[str, set[str]] = {}
    folders = []
    for number in range(1, n + 1):
        hospital = hospitals[order[(number - 1) % len(hospitals)]]
        rng = random.Random(f"thoracic-kg synth department {seed} {number}")  # noqa: S311 - reproducible, not secrets
        taken = used_names.setdefault(hospital.id, set())
        kinds = [kind for kind in _KINDS if kind[0] not in taken] or list(_KINDS)
        kind = rng.choice(kinds)
        taken.add(kind[0])
        department = _describe(department_id(number), hospital, kind, rng)
        folders.append(_write(department, out))
        if progress is not None:
            progress(number, n)
    return folders


def _weight(capability: _Capability, boosts: dict[str, float], tier: int) -> float:
    weight = capability.weight
    for tag in capability.tags:
        weight *= boosts.get(tag, 1.0)
    if "complex" in capability.tags or "robotic" in capability.tags:
        weight *= {1: 0.3, 2: 1.0, 3: 1.9}[tier]
    return min(weight, 0.97)


def _describe(identifier: str, hospital: Hospital, kind: tuple[str, str, dict[str, float], str],
              rng: random.Random) -> _Department:
    """Draw one department's capabilities and write its text, figures and claims together."""
    name, name_zh, boosts, core = kind
    label = f"{name}, {hospital.name}"
    department = _Department(identifier, hospital, name, f"{hospital.name_zh}{name_zh}")
    text, me = department.text, "d:department"
    procedures = [c for c in _PROCEDURES if rng.random() < _weight(c, boosts, hospital.tier) or c.local == core]
    if not any(c.treats for c in procedures):  # every department treats something
        procedures = sorted({*procedures, _PROCEDURES[1]}, key=_PROCEDURES.index)
    therapies = [c for c in _THERAPIES if rng.random() < _weight(c, boosts, hospital.tier)]
    examinations = [c for c in _EXAMINATIONS if rng.random() < c.weight * (1.2 if hospital.tier == 3 else 1.0)]

    # ---- title and organisation
    department.spans["title"] = text.quote("title", label)
    text.add("\n\n")
    city = hospital.city[1]
    span = text.sentence("hospital", rng.choice((
        f"the {name} is one of the key departments of {hospital.name}",
        f"as a key department of {hospital.name}, the {name} serves patients from across the region",
        f"the {name} of {hospital.name} is one of the hospital's key clinical departments",
    )))
    department.spans["hospital"] = span
    department.claim(me, "kg:keyDepartmentOf", f"shosp:{hospital.id}", span)
    span = text.sentence("location", rng.choice((
        f"the department is located in {city}", f"it is based in {city}", f"the department is based in the city of {city}",
    )))
    department.spans["location"] = span
    department.claim(me, "kg:locatedIn", f"scity:{hospital.city[0]}", span)
    _history(department, rng)
    conditions = [c.treats for c in sorted(procedures, key=lambda c: c.local != core) if c.treats]
    headline = list(dict.fromkeys(conditions))[: rng.randint(1, 3)]
    words = [_CONDITIONS[c][0] for c in headline]
    span = text.sentence("known-for", rng.choice((
        f"it is known for the treatment of {_join(words, rng)}",
        f"the department has built its reputation on treating {_join(words, rng)}",
        f"its main fields are {_join(words, rng)}",
    )))
    for condition in headline:
        department.claim(me, "kg:treatsCondition", f"ttc:{condition}", span)
    text.end_paragraph()

    # ---- staff and equipment
    _staff(department, rng)
    equipment = {c.needs for c in procedures if c.needs and rng.random() < 0.9}
    if rng.random() < 0.8:
        equipment.add("FiberopticBronchoscope")
    if any(c.local == "MediastinoscopyBiopsy" for c in examinations) and rng.random() < 0.7:
        equipment.add("Mediastinoscope")
    ordered = [e for e in _EQUIPMENT if e in equipment]
    if ordered:
        span = text.sentence("equipment", rng.choice((
            "the department is equipped with {}", "its equipment includes {}", "the ward has {} among its equipment",
        )).format(_join([rng.choice(_EQUIPMENT[e]) for e in ordered], rng)))
        for item in ordered:
            department.claim(me, "kg:hasEquipment", f"ttc:{item}", span)
    text.end_paragraph()

    # ---- work-up
    staged = [c for c in ("LungCancer", "EsophagealCancer") if c in conditions]
    if examinations and staged:
        routine = rng.random() < 0.5
        exams = _join([rng.choice(c.names) for c in examinations], rng)
        cancers = _join([_CONDITIONS[c][0] for c in staged], rng)
        span = text.sentence("workup", rng.choice((
            "before treatment, patients with {c} {r}undergo {e} for clinical staging",
            "clinical staging of {c} {r}includes {e} before any treatment",
            "the preoperative work-up for {c} {r}combines {e} to stage the disease" if len(examinations) > 1
            else "the preoperative work-up for {c} {r}includes {e} to stage the disease",
        )).format(c=cancers, e=exams, r="routinely " if routine else ""))
        for exam in examinations:
            workup = "kg:includesRoutinelyInWorkup" if routine else "kg:includesInWorkup"
            department.claim(me, workup, f"ttc:{exam.local}", span)
            for cancer in staged:
                department.claim(f"ttc:{cancer}", "kg:hasStagingExamination", f"ttc:{exam.local}", span)
        text.end_paragraph()

    # ---- operations
    _operations(department, procedures, headline, rng)
    _therapies(department, therapies, conditions, rng)
    _research(department, rng)
    text.add(rng.choice((
        "Patients are at the center of everything the department does.",
        "The department aims to offer every patient safe, standardized and individual care.",
        "Its doctors and nurses work to make each operation safer and each recovery faster.",
        "The team continues to bring new techniques to the patients of the region.",
        "The department is committed to quality, safety and respect for every patient.",
        "Its goal is accurate diagnosis and effective treatment close to the patient's home.",
        "Teaching, research and clinical care go hand in hand in the department.",
        "",
    )))
    return department


def _history(department: _Department, rng: random.Random) -> None:
    text = department.text
    if rng.random() < 0.55:
        year = rng.randint(1958, 2012)
        words = rng.choice((f"founded in {year}", f"established in {year}"))
        span = text.sentence("history", rng.choice((f"the department was {words}", f"it was {words}")))
        department.figures.append(_Figure("fig-founded", "history", ("Year founded", "成立年份"),
                                          "year the department was founded", f'"{year}"^^xsd:gYear', None, words, span))
    else:
        decade = f"{rng.randint(195, 200)}0s"
        words = f"since the {decade}"
        span = text.sentence("history", rng.choice((
            f"thoracic operations have been performed here {words}", f"{words}, the department has treated chest tumors",
        )))
        department.figures.append(_Figure("fig-since", "history", ("Thoracic surgery performed since", "开展胸外科手术始于"),
                                          "decade from which thoracic operations were performed", "", None, words, span,
                                          decade=decade))


def _staff(department: _Department, rng: random.Random) -> None:
    text, tier = department.text, department.hospital.tier
    surgeons = rng.randint(4, 9) * tier + rng.randint(0, 4)
    doctors = rng.randint(0, max(1, surgeons // 3))
    nurses = surgeons * rng.randint(2, 4) + rng.randint(0, 6)
    surgeon_words = f"{surgeons} {rng.choice(('thoracic surgeons', 'surgeons', 'specialist doctors'))}"
    if doctors and rng.random() < 0.7:
        doctor_words = f"{doctors} of them with a doctoral degree"
        span = text.sentence("staff", f"the team has {surgeon_words}, {doctor_words}")
        department.figures.append(_Figure("fig-doctorates", "staff", ("Surgeons with a doctoral degree", "具有博士学位的医师"),
                                          "surgeons with a doctoral degree", str(doctors), "surgeons", doctor_words, span))
    else:
        span = text.sentence("staff", rng.choice((f"the team has {surgeon_words}", f"there are {surgeon_words}")))
    department.figures.append(_Figure("fig-surgeons", "staff", ("Surgeons", "外科医师"), "surgeons", str(surgeons),
                                      "surgeons", surgeon_words, span))
    if rng.random() < 0.5:
        bound = nurses - nurses % 5
        words = f"more than {bound} nurses"
        span = text.sentence("nurses", rng.choice((f"{words} work on its wards", f"the ward is staffed by {words}")))
        value = f"[ a kg:Bound ; schema:minValue {bound} ; kg:minExclusive true ]"
    else:
        words = f"{nurses} specialty nurses"
        span = text.sentence("nurses", rng.choice((f"it also has {words}", f"{words} care for its patients")))
        value = str(nurses)
    department.figures.append(_Figure("fig-nurses", "staff", ("Nurses", "护士"), "nurses", value, "nurses", words, span))


def _operations(department: _Department, procedures: list[_Capability], headline: list[str],
                rng: random.Random) -> None:
    text, me = department.text, "d:department"
    by_condition: dict[str, list[_Capability]] = {}
    general: list[_Capability] = []
    complex_ops = [c for c in procedures if "complex" in c.tags]
    for capability in procedures:
        if capability in complex_ops:
            continue
        if capability.treats:
            by_condition.setdefault(capability.treats, []).append(capability)
        else:
            general.append(capability)
    groups = list(by_condition.items())
    rng.shuffle(groups)
    for condition, items in groups:
        words = _join([rng.choice(c.names) for c in items], rng)
        condition_words = _CONDITIONS[condition][0]
        span = text.sentence(f"surgery-{_slug(condition)}", rng.choice((
            f"for {condition_words}, the department performs {words}",
            f"patients with {condition_words} are treated with {words}",
            f"the surgical treatment of {condition_words} here includes {words}",
        )))
        if condition not in headline:
            department.claim(me, "kg:treatsCondition", f"ttc:{condition}", span)
        for capability in items:
            department.claim(me, "kg:offers", f"ttc:{capability.local}", span)
            department.claim(f"ttc:{capability.local}", "kg:treats", f"ttc:{condition}", span)
    if general:
        words = _join([rng.choice(c.names) for c in general], rng)
        span = text.sentence("surgery-general", rng.choice((
            f"the department also carries out {words}", f"{words} {'are' if len(general) > 1 else 'is'} available as well",
            f"in addition, it offers {words}", f"other operations include {words}",
        )))
        for capability in general:
            department.claim(me, "kg:offers", f"ttc:{capability.local}", span)
    routine = [c for c in procedures if c not in complex_ops and rng.random() < 0.3]
    if routine:
        words = _join([rng.choice(c.names) for c in routine], rng)
        span = text.sentence("routine", rng.choice((
            f"{words} have become routine operations here" if len(routine) > 1
            else f"{words} has become a routine operation here",
            f"the team performs {words} routinely",
        )))
        for capability in routine:
            department.claim(me, "kg:performsRoutinely", f"ttc:{capability.local}", span)
    with_approach = [c for c in procedures if c.approach and rng.random() < 0.35]
    for capability in with_approach[:2]:
        assert capability.approach is not None
        span = text.sentence(f"approach-{_slug(capability.local)}", rng.choice((
            f"{rng.choice(capability.names)} is performed through {_APPROACHES[capability.approach]}",
            f"{rng.choice(capability.names)} is done by {_APPROACHES[capability.approach]}",
        )))
        department.claim(f"ttc:{capability.local}", "kg:hasApproach", f"ttc:{capability.approach}", span)
    if any("mis" in c.tags for c in procedures) and rng.random() < 0.6:
        share = rng.choice((60, 70, 75, 80, 85, 90))
        words = f"more than {share}% of its operations are minimally invasive"
        span = text.sentence("mis-share", words)
        department.figures.append(_Figure(
            "fig-mis-share", "outcome", ("Share of operations that are minimally invasive", "微创手术占比"),
            "share of operations that are minimally invasive",
            f"[ a kg:Bound ; schema:minValue {share} ; kg:minExclusive true ]", "percent", words, span))
    if complex_ops:
        words = _join([rng.choice(c.names) for c in complex_ops], rng)
        routinely = rng.random() < 0.4
        span = text.sentence("difficult", rng.choice((
            "difficult operations such as {w} are {r}carried out",
            "the team {r}performs difficult thoracic operations, including {w}",
        )).format(w=words, r="routinely " if routinely else ""))
        for capability in complex_ops:
            department.claim(me, "kg:performsRoutinely" if routinely else "kg:offers", f"ttc:{capability.local}", span)
            if capability.treats in ("LungCancer", *headline):
                continue  # the sentence names the operation, not the condition it is for; or it is stated already
            if capability.treats:
                condition, zh = capability.treats, _CONDITIONS[capability.treats][1]
                quoted = next(n for n in capability.names if n in text.spans[span][0])
                department.claim(me, "kg:treatsCondition", f"ttc:{condition}", span, "Implied", (
                    f"Named in the operation '{quoted}'.", f"在手术名称'{quoted}'（{zh}）中提到。"))
    text.end_paragraph()


def _therapies(department: _Department, therapies: list[_Capability], conditions: list[str], rng: random.Random) -> None:
    text, me = department.text, "d:department"
    cancers = [c for c in ("LungCancer", "EsophagealCancer") if c in conditions]
    neoadjuvant = [c for c in therapies if c.local == "NeoadjuvantChemotherapy"] if cancers else []
    interventional = [c for c in therapies if "intervention" in c.tags]
    if not neoadjuvant and not interventional:
        return
    if neoadjuvant:
        words = _join([_CONDITIONS[c][0] for c in cancers], rng)
        span = text.sentence("neoadjuvant", rng.choice((
            f"patients with locally advanced {words} can receive {rng.choice(neoadjuvant[0].names)} before surgery",
            f"{rng.choice(neoadjuvant[0].names)} is given to selected patients with {words} before the operation",
        )))
        department.claim(me, "kg:offers", "ttc:NeoadjuvantChemotherapy", span)
        for cancer in cancers:
            department.claim("ttc:NeoadjuvantChemotherapy", "kg:treats", f"ttc:{cancer}", span)
    if interventional:
        words = _join([rng.choice(c.names) for c in interventional], rng)
        routinely = rng.random() < 0.5
        span = text.sentence("interventional", rng.choice((
            "for tumors that cannot be removed surgically, the department {r}offers {w}",
            "patients whose advanced tumors cannot be resected are {r}treated with {w}",
        )).format(w=words, r="routinely " if routinely else ""))
        for capability in interventional:
            department.claim(me, "kg:performsRoutinely" if routinely else "kg:offers", f"ttc:{capability.local}", span)
            department.claim(f"ttc:{capability.local}", "kg:hasIndication", "ttc:UnresectableAdvancedTumour", span)
    text.end_paragraph()


def _research(department: _Department, rng: random.Random) -> None:
    text, tier = department.text, department.hospital.tier
    if rng.random() < 0.75:
        years = rng.choice((3, 5, 5, 10))
        papers = rng.randint(2, 12) * 5 * tier
        words = f"in the past {years} years, the department has published more than {papers} papers"
        sci = rng.randint(1, max(2, papers // 4))
        if rng.random() < 0.5:
            sci_words = f"{sci} of them in SCI journals"
            span = text.sentence("papers", f"{words}, {sci_words}")
            department.figures.append(_Figure(
                "fig-sci-papers", "publications",
                (f"SCI papers published in the past {years} years", f"近{years}年发表SCI论文"), "SCI papers published",
                str(sci), "papers", sci_words, span, period=f"P{years}Y"))
        else:
            span = text.sentence("papers", words)
        department.figures.append(_Figure(
            "fig-papers", "publications", (f"Papers published in the past {years} years", f"近{years}年发表论文"),
            "papers published", f"[ a kg:Bound ; schema:minValue {papers} ; kg:minExclusive true ]", "papers",
            words, span, period=f"P{years}Y"))
    if rng.random() < 0.6:
        trainees = rng.randint(2, 8) * tier
        words = f"every year, {trainees} resident doctors train in the department"
        span = text.sentence("training", words)
        department.figures.append(_Figure(
            "fig-trainees", "training", ("Resident doctors trained each year", "每年培训住院医师"),
            "resident doctors trained each year", str(trainees), "doctors", words, span,
            period="P1Y"))
    text.end_paragraph()


def _slug(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


# ---------------------------------------------------------------- writing the files

_PREFIXES = """@prefix kg:     <{base}ontology#> .
@prefix ttc:    <{base}id/> .
@prefix d:      <{base}synthetic/{id}/> .
@prefix dev:    <{base}synthetic/{id}/evidence/> .
@prefix shosp:  <{base}synthetic/hospital/> .
@prefix scity:  <{base}synthetic/city/> .
@prefix schema: <https://schema.org/> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix prov:   <http://www.w3.org/ns/prov#> .
@prefix rdf:    <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
@prefix oa:     <http://www.w3.org/ns/oa#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""


def _lit(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"' + (f"@{lang}" if lang else "")


def _note(what_en: str, what_zh: str) -> str:
    return (f"skos:editorialNote {_lit(_SYNTHETIC_NOTE[0].format(what=what_en), 'en')}, "
            f"{_lit(_SYNTHETIC_NOTE[1].format(what=what_zh), 'zh-Hans')}")


def _department_turtle(department: _Department) -> str:
    hospital, spans = department.hospital, department.spans
    slug, city, city_zh = hospital.city
    lines = [f"# Synthetic department {department.id}: generated by `thoracic-kg synth`, not a real department.",
             _PREFIXES.format(base=PLACEHOLDER_BASE, id=department.id).rstrip(), "",
             "d:department a kg:ClinicalCenter ;",
             f"    skos:prefLabel {_lit(f'{department.name}, {hospital.name}', 'en')}, {_lit(department.name_zh, 'zh-Hans')} ;",
             f"    schema:name {_lit(department.name)} ;",
             "    kg:synthetic true ;",
             f"    {_note('department', '科室')} ;",
             f"    prov:wasDerivedFrom dev:{spans['title']} .", "",
             f"shosp:{hospital.id} a schema:Hospital ;",
             f"    skos:prefLabel {_lit(hospital.name, 'en')}, {_lit(hospital.name_zh, 'zh-Hans')} ;",
             f"    schema:name {_lit(hospital.name)} ;",
             "    kg:synthetic true ;",
             f"    {_note('hospital', '医院')} ;",
             f"    prov:wasDerivedFrom dev:{spans['hospital']} .", "",
             f"scity:{slug} a schema:City ;",
             f"    skos:prefLabel {_lit(city, 'en')}, {_lit(city_zh, 'zh-Hans')} ;",
             f"    prov:wasDerivedFrom dev:{spans['location']} .", "", "# figures"]
    for figure in department.figures:
        quote = department.text.spans[figure.span][0]
        verbatim = figure.verbatim if figure.verbatim in quote else figure.verbatim[0].upper() + figure.verbatim[1:]
        value = f"kg:decade {_lit(figure.decade)}" if figure.decade else f"schema:value {figure.value}"
        unit = f" ; schema:unitText {_lit(figure.unit)}" if figure.unit else ""
        period = f" ; schema:observationPeriod {_lit(figure.period)}" if figure.period else ""
        lines += [f"d:{figure.local} a kg:Figure ; kg:figureKind {_lit(figure.kind)} ;",
                  f"    rdfs:label {_lit(figure.labels[0], 'en')}, {_lit(figure.labels[1], 'zh-Hans')} ;",
                  f"    schema:observationAbout d:department ; schema:variableMeasured {_lit(figure.measured)} ;",
                  f"    {value}{unit}{period} ;",
                  f"    kg:verbatim {_lit(verbatim)} ;",
                  f"    kg:status kg:Stated ; prov:wasDerivedFrom dev:{figure.span} .", ""]
    lines.append("# claims")
    for claim in department.claims:
        line = (f"[] a kg:Claim ; rdf:subject {claim.subject} ; rdf:predicate {claim.predicate} ; rdf:object {claim.obj} ;\n"
                f"    kg:status kg:{claim.status} ; prov:wasDerivedFrom dev:{claim.span}")
        if claim.note:
            line += f" ;\n    skos:editorialNote {_lit(claim.note[0], 'en')}, {_lit(claim.note[1], 'zh-Hans')}"
        lines.append(line + " .")
    return "\n".join(lines) + "\n"


def _evidence_turtle(department: _Department) -> str:
    name = f"{department.id}.txt"
    title = f"{department.name}, {department.hospital.name}"
    lines = [f"# Evidence spans of synthetic department {department.id}: exact quotes of source/{name} with their offsets.",
             _PREFIXES.format(base=PLACEHOLDER_BASE, id=department.id).rstrip(), "",
             "d:source a kg:SourceDocument ;",
             f"    rdfs:label {_lit(f'{title}: a generated description (synthetic)', 'en')}, "
             f"{_lit(f'{department.name_zh}：生成的描述（合成数据）', 'zh-Hans')} ;",
             f"    dcterms:title {_lit(title)} ;",
             '    dcterms:format "text/plain; charset=utf-8" ;',
             f"    dcterms:identifier {_lit(name)} ;",
             '    dcterms:language "en" ;',
             "    kg:synthetic true .", ""]
    for span_id, (quote, start, end) in department.text.spans.items():
        lines += [f"dev:{span_id} a kg:EvidenceSpan ; prov:value {_lit(quote)} ;",
                  f"    oa:start {start} ; oa:end {end} ; prov:wasQuotedFrom d:source .", ""]
    return "\n".join(lines)


def _write(department: _Department, out: Path) -> Path:
    folder = out / department.id
    (folder / "source").mkdir(parents=True, exist_ok=True)
    (folder / "source" / f"{department.id}.txt").write_bytes(department.text.value().encode("utf-8"))
    (folder / "department.ttl").write_bytes(_department_turtle(department).encode("utf-8"))
    (folder / "evidence.ttl").write_bytes(_evidence_turtle(department).encode("utf-8"))
    return folder


# ---------------------------------------------------------------- validating them


def vocabulary(data: Iterable[Path] | None = None) -> tuple[set[URIRef], set[URIRef]]:
    """The shared vocabulary's IRIs (what the VOCABULARY_FILES among `data`, by default the shipped data files,
    describe) and the real center's named innovations (kg:NamedTechnique), which no other department may claim."""
    graph = Graph()
    for path in data if data is not None else (DATA_DIR / name for name in VOCABULARY_FILES):
        if path.name in VOCABULARY_FILES:
            parse_published(path, graph)
    terms = {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(str(TTC))}
    named = {s for s in graph.subjects(RDF.type, KG.NamedTechnique) if isinstance(s, URIRef)}
    return terms - named, named


def own_checks(folder: Path, graph: Graph, terms: set[URIRef], named: set[URIRef]) -> list[Problem]:
    """What only a synthetic department must satisfy: marked synthetic, only its own nodes, only shared vocabulary,
    every span quoted from its own source document, kept in its own source/ folder."""
    identifier = folder.name
    own = f"{SYNTHETIC}{identifier}/"
    problems = []

    def problem(message: str, file: str = "department.ttl", focus: object = None) -> None:
        problems.append(Problem("synthetic", message, file=f"{identifier}/{file}", focus=None if focus is None else str(focus)))

    if not _ID.fullmatch(identifier):
        problem(f"folder name {identifier!r} is not a synthetic department id (syn-0001, ...)")
    centers = set(graph.subjects(RDF.type, KG.ClinicalCenter))
    if centers != {URIRef(own + "department")}:
        problem(f"the department node must be exactly <{own}department>, a kg:ClinicalCenter "
                f"(found {sorted(map(str, centers)) or 'none'})")
    for node in (URIRef(own + "department"), URIRef(own + "source"),
                 *graph.subjects(RDF.type, SCHEMA.Hospital)):
        if (node, KG.synthetic, Literal(True)) not in graph:
            problem("is not marked kg:synthetic true: a synthetic node must never pass for a real one", focus=node)
    for subject in sorted({s for s in graph.subjects() if isinstance(s, URIRef)}, key=str):
        if not str(subject).startswith(SYNTHETIC):
            problem(f"describes <{subject}>, which is not its own: a department file describes only synthetic nodes",
                    focus=subject)
    for node in sorted({o for o in graph.objects() if isinstance(o, URIRef)}, key=str):
        text = str(node)
        if node in named:
            problem(f"claims <{text}>, a named innovation of the real center: never copy it", focus=node)
        elif text.startswith(str(EV)):
            problem(f"uses the real center's evidence span <{text}>", focus=node)
        elif text.startswith(str(TTC)) and node not in terms:
            problem(f"uses <{text}>, which is not shared vocabulary ({', '.join(VOCABULARY_FILES)}): the real center's own "
                    "nodes are never reused", focus=node)
        elif text.startswith(SYNTHETIC) and not text.startswith((own, SYNTHETIC + "hospital/", SYNTHETIC + "city/")):
            problem(f"uses <{text}>, a node of another synthetic department", focus=node)
    sources = {path.name for path in (folder / "source").glob("*.txt")}
    for span in sorted(graph.subjects(RDF.type, KG.EvidenceSpan), key=str):
        document = graph.value(span, PROV.wasQuotedFrom)
        if document != URIRef(own + "source"):
            problem(f"span is quoted from {document}, not from its own source document <{own}source>", "evidence.ttl", span)
    name = graph.value(URIRef(own + "source"), DCTERMS.identifier)
    if name is None or str(name) not in sources:
        problem(f"its source document names {str(name)!r}, which is not in {identifier}/source/", "evidence.ttl")
    elif (SOURCE_DIR / str(name)).exists():
        problem(f"its source {str(name)!r} has the name of the real center's source", "evidence.ttl")
    return problems


def check_departments(root: Path, *, together: bool = False, shipped: Inputs | None = None,
                      progress: Progress | None = None) -> list[Problem]:
    """Every problem of every department of `root`, each naming its department (its files as `{id}/department.ttl`).

    One department at a time (the default), each is checked against the ontology, the shipped data (the shared
    vocabulary) and its own source alone; `together` checks all departments in one run (faster for many; the
    label check then sees every department's text). Problems of the shipped data itself are not repeated.
    """
    folders = department_folders(root)
    if not folders:
        return [Problem("synthetic", f"no department folder (*/department.ttl) in {root}")]
    shipped = shipped or Inputs.default()
    baseline = {(p.rule, p.message, p.file, p.line) for p in check(shipped)[2]}
    problems = own_problems(folders, shipped)
    checkable = [folder for folder in folders if all((folder / name).exists() for name in DEPARTMENT_FILES)]
    batches = [checkable] if together else [[folder] for folder in checkable]
    done = 0
    for batch in batches:
        with staged(shipped, batch) as layout:
            problems += layout.problems
            problems += [layout.attributed(found) for found in check(layout.inputs)[2]
                         if (found.rule, found.message, found.file, found.line) not in baseline]
        done += len(batch)
        if progress is not None:
            progress(done, len(checkable))
    return problems
