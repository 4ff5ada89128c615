"""What the update tests share: a Content on a private state directory, and the changes they make.

The changes rest on the source's own words: the Da Vinci equipment claim is `kg:Ambiguous` in graph/data
("Robotic (Da Vinci) surgery" is carried out; whether the center has its own robot is not said), and a curator
may honestly weigh it as `kg:Inferred` or back; the tests toggle it.
"""

from __future__ import annotations

from pathlib import Path

from graph.build import Built
from graph.changes import Content, sparql_update
from graph.settings import Settings
from graph.workers import prepare_base

TOKEN = "s3cret-token-for-tests"

#: The Da Vinci claim weighed as inferred (and back).
TO_INFERRED = """DELETE { ?c kg:status kg:Ambiguous } INSERT { ?c kg:status kg:Inferred }
WHERE { ?c rdf:subject ttc:Center ; rdf:predicate kg:hasEquipment ; rdf:object ttc:DaVinciSurgicalSystem ;
        kg:status kg:Ambiguous }"""
TO_AMBIGUOUS = TO_INFERRED.replace("kg:Ambiguous", "kg:TMP").replace("kg:Inferred", "kg:Ambiguous").replace(
    "kg:TMP", "kg:Inferred")
#: A plain claimable triple: a fact without evidence.
WITHOUT_EVIDENCE = "INSERT DATA { ttc:Center kg:offers ttc:RoboticSurgery }"
STATUS_QUERY = """PREFIX kg: <https://ttc-kg.example/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX ttc: <https://ttc-kg.example/id/>
SELECT ?status WHERE { ?c rdf:subject ttc:Center ; rdf:predicate kg:hasEquipment ;
                          rdf:object ttc:DaVinciSurgicalSystem ; kg:status ?status }"""


def settings_for(tmp: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"build_dir": tmp / "build", "state_dir": tmp / "state",
                                 "update_tokens": f"alice:{TOKEN}", **overrides}
    if values.get("store") == "disk" and "store_path" not in values:
        values["store_path"] = tmp / "store"
    return Settings(**values)  # type: ignore[arg-type]


def started(settings: Settings, built: Built, *, data_dir: Path | None = None) -> Content:
    """A Content on the build, its store holding the build, its run opened in the ledger."""
    settings.build_dir.mkdir(parents=True, exist_ok=True)
    built.write(settings.build_dir)
    extra = {"data_dir": data_dir} if data_dir is not None else {}
    content = Content(settings, ntriples=built.ntriples, manifest=built.manifest, **extra)
    prepare_base(settings, ntriples=built.ntriples, content_sha256=built.manifest["content_sha256"])
    content.start()
    return content


def to_inferred(content: Content, by: str = "alice") -> object:
    return content.change(sparql_update(TO_INFERRED), by=by, message="weighed as inferred", kind="update")
