"""The graph as a network (networkx): one concept in one package.

- `projection`: the typed projection of the RDF graph into networkx (entities as nodes, claims as edges);
- `source`: reads the triples it needs from a store or N-Triples;
- `views`: the views a page draws (whole center, neighbourhood, paths, a query's result), capped;
- `render`: the data the network page draws (vis-network nodes and edges, legends, search terms);
- `analytics`: centrality, single points of failure, explanations between two entities;
- `export`: GraphML, GEXF and node-link JSON;
- `synthetic`: generated graphs for the benchmark and the page tests.

Imports nothing of `api`.
"""
