"""Makes changes back to back until it is killed: the process the crash test kills with SIGKILL.

`python -m tests.updates.crash_writer TMP` on a state, build and disk store under TMP (made by the test)."""

from __future__ import annotations

import sys
from pathlib import Path

from graph.changes import open_content, sparql_update
from tests.updates.helpers import TO_AMBIGUOUS, TO_INFERRED, settings_for


def main() -> None:
    settings = settings_for(Path(sys.argv[1]), store="disk")
    content = open_content(settings)
    while True:
        head = content.head()
        update = TO_AMBIGUOUS if head is not None and head.id % 2 == 0 else TO_INFERRED
        version = content.change(sparql_update(update), by="crash", message="", kind="update")
        print(version.id, flush=True)


if __name__ == "__main__":
    main()
