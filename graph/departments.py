"""Departments beside the shipped center: folders laid out as docs/departments.md says, built and served with it.

A department is a folder `{id}/` holding `department.ttl` (its node, hospital, city, figures and claims),
`evidence.ttl` (its source document and spans) and `source/*.txt` (its own description). `thoracic-kg synth`
writes synthetic ones. `staged(shipped, folders)` lays the shipped data and the departments out as one set of
build inputs (the departments' files linked under unique names, every source text in one folder), so the build's
own checks apply to each department unchanged, and names every problem after its department's file.
`served_build(settings)` is what the service serves: the prebuilt file, the build of graph/data, or the build of
graph/data with the departments of `TKG_DEPARTMENTS_DIR`.

The department of a claim is `kg:claimedBy` (graph.claims.attribution: the department whose description its
evidence quotes); whether a department offers a service or has a piece of equipment is its own claim about
itself, as for the center. Imports the build and rdflib; nothing of `api`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from graph.build import Built, Inputs, build, cached_build, prebuilt
from graph.problems import BuildRefused, Problem
from graph.settings import Settings
from graph.sources import parse_files

T = TypeVar("T")

#: The curated files of a department folder.
DEPARTMENT_FILES = ("department.ttl", "evidence.ttl")


def department_folders(root: Path) -> list[Path]:
    """The department folders of `root` (each holding department.ttl), in id order."""
    return sorted(path.parent for path in root.glob("*/department.ttl"))


def department_data(folders: Iterable[Path]) -> list[Path]:
    """The curated files of these departments."""
    return [folder / name for folder in folders for name in DEPARTMENT_FILES]


def department_sources(folders: Iterable[Path]) -> list[Path]:
    """The source texts of these departments."""
    return [text for folder in folders for text in sorted((folder / "source").glob("*.txt"))]


@dataclass
class Staged:
    """The build inputs of the shipped data with some departments, and how to name a problem after its department."""

    inputs: Inputs
    folders: tuple[Path, ...]
    names: dict[str, str] = field(default_factory=dict)  # linked file name -> "{id}/department.ttl"
    problems: list[Problem] = field(default_factory=list)  # found while laying them out (a source name twice)

    def attributed(self, problem: Problem) -> Problem:
        """The problem with its department's file name, or (for a file of the shipped data) the department in front."""
        if problem.file in self.names:
            return Problem(problem.rule, problem.message, file=self.names[problem.file], line=problem.line,
                           focus=problem.focus)
        owner = next((f.name for f in self.folders if problem.focus and f"/{f.name}/" in problem.focus), None)
        if owner is None and len(self.folders) == 1:
            owner = self.folders[0].name
        where = f"with department {owner}" if owner else "with the departments"
        return Problem(problem.rule, f"{where}: {problem.message}", file=problem.file, line=problem.line,
                       focus=problem.focus)


@contextmanager
def staged(shipped: Inputs, folders: Sequence[Path]) -> Iterator[Staged]:
    """The shipped inputs and these departments as one set of inputs, valid inside the `with` block.

    The departments' files are linked under unique names (`syn-0001--department.ttl`) and their sources beside the
    shipped ones, so the build's own checks (which name files, and read sources from one folder) apply unchanged.
    The links' names, not the scratch folder's, enter the inputs' fingerprint: the same departments give the same
    fingerprint, and a cached build is reused."""
    with tempfile.TemporaryDirectory(prefix="tkg-departments-") as scratch:
        root, source_dir = Path(scratch), Path(scratch) / "source"
        source_dir.mkdir()
        for text in shipped.source_dir.glob("*.txt"):
            (source_dir / text.name).symlink_to(text.resolve())
        result = Staged(shipped, tuple(folders))
        for folder in folders:
            for name in DEPARTMENT_FILES:
                link = root / f"{folder.name}--{name}"
                link.symlink_to((folder / name).resolve())
                result.names[link.name] = f"{folder.name}/{name}"
            for text in (folder / "source").glob("*.txt"):
                target = source_dir / text.name
                if target.exists() or target.is_symlink():
                    result.problems.append(Problem("department", f"source {text.name!r} is also another department's "
                                                   "or the real center's", file=f"{folder.name}/source/{text.name}"))
                    continue
                target.symlink_to(text.resolve())
        data = tuple(shipped.data) + tuple(sorted(root / n for n in result.names))
        result.inputs = Inputs(data=data, model=shipped.model, shapes=shipped.shapes, source_dir=source_dir)
        yield result


def own_problems(folders: Sequence[Path], shipped: Inputs) -> list[Problem]:
    """What a department folder must satisfy before it is built: its files there, and, for a synthetic department,
    graph.synth's own rules (marked synthetic, only its own nodes and the shared vocabulary)."""
    from graph.synth import own_checks, vocabulary

    terms, named = vocabulary(shipped.data)
    problems: list[Problem] = []
    for folder in folders:
        missing = [name for name in DEPARTMENT_FILES if not (folder / name).exists()]
        if missing:
            problems.append(Problem("department", f"missing {', '.join(missing)}", file=f"{folder.name}/"))
            continue
        parsed = parse_files(department_data([folder]))
        if not parsed.problems:  # a syntax problem is reported by the build's own check
            problems += own_checks(folder, parsed.merged(), terms, named)
    return problems


def build_with(root: Path, shipped: Inputs | None = None) -> Built:
    """The build of the shipped data with every department of `root`, or BuildRefused naming each department."""
    return _with_departments(root, shipped or Inputs.default(), build)


def served_build(settings: Settings) -> tuple[bytes, dict]:
    """The N-Triples and manifest the service serves: TKG_GRAPH_FILE as it is, else the build of graph/data (with
    the departments of TKG_DEPARTMENTS_DIR), reused from TKG_BUILD_DIR when its inputs are unchanged."""
    if settings.graph_file:
        return prebuilt(settings.graph_file)
    if settings.departments_dir is None:
        return cached_build(settings.build_dir)
    return _with_departments(settings.departments_dir, Inputs.default(),
                             lambda inputs: cached_build(settings.build_dir, inputs))


def _with_departments(root: Path, shipped: Inputs, run: Callable[[Inputs], T]) -> T:
    """`run` (a build, or a cached one) on the shipped inputs with the departments of `root` laid out beside them;
    the departments' own problems first, then the build's, each named after its department."""
    folders = _folders(root)
    problems = own_problems(folders, shipped)
    with staged(shipped, folders) as layout:
        problems += layout.problems
        if problems:
            raise BuildRefused(problems)
        try:
            return run(layout.inputs)
        except BuildRefused as refused:
            raise BuildRefused([layout.attributed(p) for p in refused.problems]) from None


def served_folders(settings: Settings) -> tuple[Path, ...]:
    """The department folders the service builds with (none without TKG_DEPARTMENTS_DIR or with a prebuilt file)."""
    if settings.graph_file or settings.departments_dir is None:
        return ()
    return tuple(_folders(settings.departments_dir))


def _folders(root: Path) -> list[Path]:
    folders = department_folders(root)
    if not folders:
        raise BuildRefused([Problem("department", f"no department folder (*/department.ttl) in {root}")])
    return folders


__all__ = ["DEPARTMENT_FILES", "Staged", "build_with", "department_data", "department_folders", "department_sources",
           "own_problems", "served_build", "served_folders", "staged"]
