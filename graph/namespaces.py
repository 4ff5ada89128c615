"""The project's namespaces and the prefixes every query and serialisation shares.

Imports rdflib only.
"""

from rdflib import Namespace
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

KG = Namespace("https://ttc-kg.example/ontology#")
TTC = Namespace("https://ttc-kg.example/id/")
EV = Namespace("https://ttc-kg.example/evidence/")
ICD10 = Namespace("https://ttc-kg.example/icd10/")
SCHEMA = Namespace("https://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
GENID = Namespace("https://ttc-kg.example/.well-known/genid/")

#: Prefix → namespace IRI, in the order shown to analysts (editor, Turtle output, docs).
PREFIXES: dict[str, str] = {
    "kg": str(KG),
    "ttc": str(TTC),
    "ev": str(EV),
    "icd10": str(ICD10),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "prov": str(PROV),
    "oa": str(OA),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
}


def bind_prefixes(graph) -> None:  # type: ignore[no-untyped-def]
    """Bind the project's prefixes on an rdflib graph (replacing rdflib's defaults)."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
