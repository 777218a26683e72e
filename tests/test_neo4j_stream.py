"""Neo4jStore.stream: a read's records one by one as the server sends them (joined-up-risk streams its candidates)."""

from __future__ import annotations

import pytest

from dhrgraph.graph.errors import StoreError

pytestmark = [pytest.mark.neo4j, pytest.mark.parametrize("settings", ["neo4j"], indirect=True)]


def test_stream_gives_the_records_read_gives(store):
    cypher = "UNWIND range(1, 2500) AS n RETURN n, {square: n * n, even: n % 2 = 0} AS about, [n, toString(n)] AS pair"
    streamed = store.stream(cypher)
    assert next(streamed) == {"n": 1, "about": {"square": 1, "even": False}, "pair": [1, "1"]}
    assert [{"n": 1, "about": {"square": 1, "even": False}, "pair": [1, "1"]}, *streamed] == store.read(cypher, plain=True)


def test_stream_says_what_went_wrong_as_read_does(store):
    with pytest.raises(StoreError, match="Neo4j refused the query: Neo.ClientError.Statement.SyntaxError"):
        list(store.stream("RETURN nonsense("))
    with pytest.raises(StoreError, match="read-only cypher refuses"):
        list(store.stream("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line"))
    with pytest.raises(StoreError, match="Neo4j refused the query"):
        list(store.stream("CREATE (n:Scratch) RETURN n.id AS id"))  # a write in a read transaction
    assert store.read("MATCH (n:Scratch) RETURN count(n) AS n") == [{"n": 0}]
