"""Benchmarks of the query service against `oxigraph serve` and rdflib-endpoint (`python -m benchmarks.run`)."""
