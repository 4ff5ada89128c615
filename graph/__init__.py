"""The center's facts and the code that builds, validates, reasons over and stores them.

Knows rdflib, pyoxigraph, pyshacl, owlrl and networkx; never imports FastAPI or the `api` package.
"""
