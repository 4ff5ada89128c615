"""A writer killed with SIGKILL at any moment of a change leaves the graph at the version before it or after it,
never between: the ledger, the served graph and the on-disk store agree, and the next change goes through."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graph.build import Built
from graph.changes import open_content
from graph.replicas import Follower
from graph.store import Limits
from tests.servers import ROOT
from tests.updates.helpers import STATUS_QUERY, settings_for, started, to_inferred


@pytest.mark.parametrize("after", [2.5, 4.4])  # a change takes about 4 s: building, the store, the commit
def test_a_kill_during_a_change_leaves_the_version_before_or_after(tmp_path: Path, built: Built, after: float) -> None:
    settings = settings_for(tmp_path, store="disk")
    started(settings, built)
    writer = subprocess.Popen([sys.executable, "-m", "tests.updates.crash_writer", str(tmp_path)], cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    time.sleep(after)
    writer.send_signal(signal.SIGKILL)
    _, errors = writer.communicate(timeout=30)
    assert writer.returncode == -signal.SIGKILL, errors.decode()[-2000:]

    content = open_content(settings)
    ids = content.ledger.ids()
    assert list(ids) == list(range(1, len(ids) + 1))  # whole version files only, none half-written
    head = content.head()
    assert head is not None
    now = content.snapshot()
    assert now.content_sha256 == head.content_sha256 == hashlib.sha256(now.ntriples).hexdigest()
    follower = Follower(settings, None, build_sha=content.build_sha, ledger_dir=content.ledger.directory,
                        limits=Limits())
    store = follower.current()
    assert store.content_sha256() == head.content_sha256  # the store of the committed version, never the next one
    expected = "Ambiguous" if head.id % 2 == 1 else "Inferred"
    assert {str(r["status"]).rsplit("#", 1)[1] for r in store.select(STATUS_QUERY)} == {expected}
    store.close()
    # and the service goes on: the next change commits
    nxt = to_inferred(content) if expected == "Ambiguous" else content.rollback(1, by="after-crash")
    assert nxt.id == head.id + 1  # type: ignore[attr-defined]
