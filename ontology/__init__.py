"""Where the ontology's files are: the OWL model, the standard-vocabulary extracts, the SHACL shapes.

Data only: this package imports nothing of the project and no RDF library.
"""

from importlib.resources import files
from pathlib import Path

ONTOLOGY_DIR = Path(str(files(__name__)))
MODEL = ONTOLOGY_DIR / "thoracic.ttl"
SHAPES = ONTOLOGY_DIR / "shapes.ttl"
#: Files that make up the model the graph is reasoned with (the shapes are not among them).
MODEL_FILES = (
    MODEL,
    ONTOLOGY_DIR / "schema-extract.ttl",
    ONTOLOGY_DIR / "standards-extract.ttl",
)
