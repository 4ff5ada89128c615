"""The real SPARQL servers the store tests share: one private Virtuoso for the whole session."""

from tests.servers import virtuoso

__all__ = ["virtuoso"]
