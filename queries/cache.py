"""An exact cache of answers: the same question about the same content gets the same bytes, without the engine.

An entry's key is everything the answer depends on: the query text (or the catalog query's name), the bound
parameter values, the negotiated result formats, the dataset (`default-graph-uri` / `named-graph-uri`), the
guard's limits, and the content hash of the graph version it was computed from. The content hash is read
before the query runs and again after it; the answer is kept only if both agree, so an answer computed while
a staff change committed is never filed under either version. A change gives the graph a new hash, and with
it a new set of keys: an answer of an older version cannot be found again (unless the graph comes back to
that very content, whose answers it then are). Errors are never kept: only a returned answer is.

Bounded by the total size of the bodies kept (and a small overhead per entry), least recently used first out.
One cache per store object (per HTTP process): nothing is shared between processes.

Imports the standard library and `graph.store` only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from graph.store import Answer

#: What an entry costs besides its body and query text: the key tuple, the Answer, the dict slot.
ENTRY_OVERHEAD = 256


class AnswerCache:
    """A byte-bounded LRU map of keys to Answers, safe across threads.

    Example:
        >>> cache = AnswerCache(max_bytes=1000)
        >>> cache.put(("q", "h1"), Answer("boolean", "application/sparql-results+json", b'{"boolean":true}'), 1)
        True
        >>> cache.get(("q", "h1")).body, cache.get(("q", "h2"))
        (b'{"boolean":true}', None)
        >>> cache.put(("big", "h1"), Answer("boolean", "text/plain", b"x" * 2000), 3)  # larger than the bound
        False
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[Answer, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.size = 0
        self.hits = self.misses = self.evictions = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Answer | None:
        """The answer kept under `key` (now the most recently used), or None."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key: Hashable, answer: Answer, key_chars: int) -> bool:
        """Keep `answer` under `key` (`key_chars`: the length of the key's text), evicting the least recently
        used entries past the bound; False if the answer alone is larger than the bound, and nothing is kept."""
        cost = len(answer.body) + key_chars + ENTRY_OVERHEAD
        if cost > self.max_bytes:
            return False
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self.size -= previous[1]
            self._entries[key] = (answer, cost)
            self.size += cost
            while self.size > self.max_bytes:
                _, (_, freed) = self._entries.popitem(last=False)
                self.size -= freed
                self.evictions += 1
        return True

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0

    def stats(self) -> dict[str, int]:
        return {"entries": len(self._entries), "bytes": self.size, "max_bytes": self.max_bytes, "hits": self.hits,
                "misses": self.misses, "evictions": self.evictions}


__all__ = ["ENTRY_OVERHEAD", "AnswerCache"]
