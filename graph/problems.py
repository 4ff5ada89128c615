"""What a failed check reports: the file, line, focus node and rule broken.

Imports nothing of the project.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One reason the build refuses the graph.

    Example:
        >>> str(Problem("evidence", "quote does not match", file="evidence.ttl", line=12))
        'evidence.ttl:12: [evidence] quote does not match'
    """

    rule: str
    message: str
    file: str | None = None
    line: int | None = None
    focus: str | None = None

    def __str__(self) -> str:
        where = self.file or "<graph>"
        if self.line is not None:
            where += f":{self.line}"
        focus = f" (focus: {self.focus})" if self.focus else ""
        return f"{where}: [{self.rule}] {self.message}{focus}"


class BuildRefused(Exception):
    """The input is not a valid graph; `problems` says why, one line each."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file or "", p.line or 0, p.rule, p.message))
        super().__init__(f"{len(self.problems)} problem(s):\n" + "\n".join(map(str, self.problems)))
