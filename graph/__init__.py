"""The store: one interface (``graph.store.Store``), an embedded NetworkX store and a Neo4j store."""
