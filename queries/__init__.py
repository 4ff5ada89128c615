"""The named SPARQL queries (`*.rq`) and the catalog that reads their `#+` headers."""
