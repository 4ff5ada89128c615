"""HTTP and command-line surface: validates input, calls one function of `graph`/`queries`, shapes the answer.

Never imports rdflib and never writes SPARQL.
"""
