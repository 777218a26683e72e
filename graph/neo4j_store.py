"""The Neo4j store, through the official ``neo4j`` driver (py2neo is end-of-life and never supported Neo4j 5).

Writes are batched (``UNWIND $rows``) in managed transactions (``execute_write`` retries transient
errors); a review is deleted and rewritten inside one transaction, so a failed load leaves the
previous state; the next transaction's statements are prepared while the server writes the current
one. Reads run with READ routing. Values only ever reach Cypher as parameters; the only things
formatted into Cypher text are the model's own constants (labels, relationship types, contact
property names) and list positions.

Values derived from the whole graph (``remembered``: the catalogue's rows over every review, their finding
ids, the identity map) are kept in the database beside the graph, as ``DhrgraphAnswer`` nodes linked to
nothing (the value's JSON, zlib-compressed, in parts), under the key of what they were computed from: the
graph's stamp (``DhrgraphState.generation``, set anew by every transaction of dhrgraph's that changes the
graph, and the number of nodes of each label and of relationships, which a change made elsewhere moves),
the inputs and dhrgraph's code. Every analyst reading the server reads the same kept answers.
"""

from __future__ import annotations

import logging
import zlib
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Collection, Iterable, Iterator

from dhrgraph.graph.lazy import without_modules

# The driver imports pandas and pyarrow when they are installed (splink brings them), only to send their values as
# parameters, which dhrgraph never does: 0.25-0.4 s of every command's start on this machine (`python -X importtime`).
# They are hidden while it is imported (not when a caller imported them first) and importable again after.
with without_modules("pandas", "pyarrow"):
    import neo4j
    from neo4j import GraphDatabase, RoutingControl
    from neo4j.exceptions import AuthError, ClientError, DriverError, Neo4jError, ServiceUnavailable

from dhrgraph.graph.cypher_guard import check_read_only
from dhrgraph.graph.errors import ConnectionFailed, StoreError
from dhrgraph.graph.model import CONTACT_COLUMNS, LABELS, PREFIX_LABEL, REL_TYPES, SHARED_LABELS, Batch, review_id
from dhrgraph.graph.store import (DERIVED_NAME, Progress, Store, derived_document, derived_key, derived_value, local,
                                  rows_valid)
from dhrgraph.queries.base import CYPHER, Query
from dhrgraph.queries.lookups import Lookups

__all__ = ["Neo4jStore", "Neo4jSettings"]

WRITE_CHUNK = 5_000  # rows per UNWIND statement
# Small reviews are written together, up to this many contacts a transaction. Not more: index seeks
# inside a transaction slow down with the changes it holds (measured: 1,000 reloads 5x faster than 20,000).
TX_CONTACTS = 1_000

BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
# The driver logs its retries and routing trouble as warnings; Python would print them on stderr
# around our one clear line. Errors still reach the user, through StoreError.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

def label_of(node_id: str) -> str:
    return PREFIX_LABEL[node_id.split(":", 1)[0]]


@dataclass(frozen=True)
class Neo4jSettings:
    uri: str
    user: str
    password: str
    database: str = "neo4j"

    def __repr__(self) -> str:  # never show the password, not even in a debugger or a log
        return f"Neo4jSettings(uri={self.uri!r}, user={self.user!r}, database={self.database!r})"


# --- Cypher: every statement the store writes with ------------------------------------------

CONSTRAINT = "CREATE CONSTRAINT dhrgraph_{label}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
REVIEW_MEMBERS = """
UNWIND $rids AS rid
MATCH (r:Review {id: rid}) USING INDEX r:Review(id)
MATCH (r)<-[:IN_REVIEW]-(m)
OPTIONAL MATCH (m:Contact)--(n) WHERE n:Agency OR n:RiskFactor OR n:Person
RETURN collect(DISTINCT CASE WHEN m:Person OR m:Agency THEN m.id END) + collect(DISTINCT n.id) AS touched
"""
DELETE_RELATED = "UNWIND $ids AS id MATCH (p:Person {id: id}) USING INDEX p:Person(id) MATCH (p)-[x:RELATED]->() WHERE x.review IN $names DELETE x"
DELETE_CONTACTS = "UNWIND $rids AS rid MATCH (r:Review {id: rid}) USING INDEX r:Review(id) MATCH (r)<-[:IN_REVIEW]-(c:Contact) DETACH DELETE c"
DELETE_RECOMMENDATIONS = ("UNWIND $rids AS rid MATCH (r:Review {id: rid}) USING INDEX r:Review(id) "
                          "MATCH (r)<-[:IN_REVIEW]-(n:Recommendation) DETACH DELETE n")
DELETE_REVIEWS = "UNWIND $rids AS rid MATCH (r:Review {id: rid}) USING INDEX r:Review(id) DETACH DELETE r"
DELETE_ORPHANS = "UNWIND $ids AS id MATCH (n:{label} {{id: id}}) USING INDEX n:{label}(id) WHERE NOT (n)--() DELETE n"
CREATE_NODES = "UNWIND $rows AS row CREATE (n:{label}) SET n = row"
MERGE_NODES = "UNWIND $rows AS row MERGE (n:{label} {{id: row.id}}) SET n += row"
# The index hints keep the planner on index seeks even when it planned the statement while the
# database was nearly empty (label scans then make every row scan all nodes: quadratic loads).
CREATE_EDGES = """
UNWIND $rows AS row
MATCH (s:{start} {{id: row[0]}}) USING INDEX s:{start}(id)
MATCH (e:{end} {{id: row[1]}}) USING INDEX e:{end}(id)
CREATE (s)-[x:{type}]->(e) SET x = row[2]
"""
# Contacts, a chunk at a time, each with all its relationships: its id is sent once and sought by no
# one. The nodes contacts point to (agencies, reviews, people, risk factors) are few: each is sought
# once per chunk, and a row names them by their place in those lists. Properties are a map literal
# in a fixed order (an absent one is null, which CREATE leaves out); integers travel as text and
# are converted on the server (measured: cheaper for the server to read than small Bolt integers).
CONTACT_INTS = ("line", "record", "sequence", "dash_score")
CONTACT_ENDS = ("agency", "review", "about", "referred", "shared", "flagged", "text_referred", "text_shared",
                "text_referred_by")
CREATE_CONTACTS = """
CALL () { UNWIND $agencies AS id MATCH (a:Agency {id: id}) USING INDEX a:Agency(id) RETURN collect(a) AS A }
CALL () { UNWIND $reviews AS id MATCH (r:Review {id: id}) USING INDEX r:Review(id) RETURN collect(r) AS R }
CALL () { UNWIND $people AS id MATCH (p:Person {id: id}) USING INDEX p:Person(id) RETURN collect(p) AS P }
CALL () { UNWIND $factors AS id MATCH (f:RiskFactor {id: id}) USING INDEX f:RiskFactor(id) RETURN collect(f) AS F }
UNWIND $rows AS row
WITH A, P, F, row, A[row[0]] AS a, R[row[1]] AS r
CREATE (a)-[:RECORDED]->(c:Contact {%s})-[:IN_REVIEW]->(r)
FOREACH (p IN [i IN row[2] | P[i]] | CREATE (c)-[:ABOUT]->(p))
FOREACH (x IN [i IN row[3] | A[i]] | CREATE (c)-[:REFERRED_TO]->(x))
FOREACH (x IN [i IN row[4] | A[i]] | CREATE (c)-[:SHARED_WITH]->(x))
FOREACH (f IN [i IN row[5] | F[i]] | CREATE (c)-[:FLAGGED]->(f))
FOREACH (x IN row[6] | FOREACH (t IN [A[x[0]]] | CREATE (c)-[:REFERRED_TO {signal: x[1], source: 'text'}]->(t)))
FOREACH (x IN row[7] | FOREACH (t IN [A[x[0]]] | CREATE (c)-[:SHARED_WITH {signal: x[1], source: 'text'}]->(t)))
FOREACH (x IN row[8] | FOREACH (t IN [A[x[0]]] | CREATE (c)-[:REFERRED_BY {signal: x[1], source: 'text'}]->(t)))
""" % ", ".join(f"{k}: toInteger(row[{i}])" if k in CONTACT_INTS else f"{k}: row[{i}]"
                for i, k in enumerate(CONTACT_COLUMNS, start=len(CONTACT_ENDS)))
EXPORT_REVIEWS = "MATCH (r:Review) RETURN r.name AS name ORDER BY r.name"
# Kept derived values (see the module's docstring). The stamp: the generation and counts the server keeps
# (a count of one label, or of every relationship, is read from its count store, not by scanning).
ANSWER_LABEL, STATE_LABEL = "DhrgraphAnswer", "DhrgraphState"
ANSWER_PART = 8 << 20  # bytes of compressed JSON per node
STATE_CONSTRAINT = f"CREATE CONSTRAINT dhrgraph_{STATE_LABEL}_id IF NOT EXISTS FOR (n:{STATE_LABEL}) REQUIRE n.id IS UNIQUE"
GRAPH_CHANGED = f"""
OPTIONAL MATCH (a:{ANSWER_LABEL}) DELETE a
WITH count(*) AS dropped
MERGE (s:{STATE_LABEL} {{id: 'state'}}) SET s.generation = randomUUID()
"""
STAMP = "\nUNION ALL\n".join([f"OPTIONAL MATCH (s:{STATE_LABEL} {{id: 'state'}}) RETURN 'generation' AS of, s.generation AS value",
                               *(f"MATCH (n:{label}) RETURN '{label}' AS of, count(n) AS value" for label in LABELS),
                               "MATCH ()-[x]->() RETURN 'relationships' AS of, count(x) AS value"])
READ_ANSWER = f"""
MATCH (a:{ANSWER_LABEL} {{name: $name}}) WHERE a.key = $key
RETURN a.part AS part, a.parts AS parts, a.data AS data ORDER BY part
"""
KEEP_ANSWER = f"""
OPTIONAL MATCH (old:{ANSWER_LABEL} {{name: $name}}) DELETE old
WITH count(*) AS dropped
UNWIND range(0, size($parts) - 1) AS i
CREATE (:{ANSWER_LABEL} {{name: $name, key: $key, part: i, parts: size($parts), data: $parts[i]}})
"""
CONTACTS_HELD = "MATCH (c:Contact) RETURN count(c) AS contacts"
# What the database holds, label by label and type by type (each read from the count store): checked against the
# manifest of an import by neo4j-admin (``finish_admin_import``)
HELD = "\nUNION ALL\n".join([*(f"MATCH (n:{label}) RETURN '{label}' AS of, count(n) AS n" for label in LABELS),
                              *(f"MATCH ()-[x:{t}]->() RETURN '{t}' AS of, count(x) AS n" for t in REL_TYPES)])
CLEAR_ALL = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"  # kept answers and the stamp too
# The analyst's decisions: nodes of their own, linked to nothing, so a review's reload never touches them.
DECISION_CONSTRAINT = "CREATE CONSTRAINT dhrgraph_Decision_id IF NOT EXISTS FOR (n:Decision) REQUIRE n.id IS UNIQUE"
PUT_DECISIONS = "UNWIND $rows AS row MERGE (d:Decision {id: row.id}) SET d = row"
READ_DECISIONS = """
MATCH (d:Decision) WHERE $kind IS NULL OR d.kind = $kind
RETURN properties(d) AS decision ORDER BY d.kind, d.key
"""
REMOVE_DECISION = "MATCH (d:Decision {id: $id}) DELETE d RETURN count(*) AS removed"
# A review's nodes and relationships, for many reviews a statement (``REVIEWS_PER_READ``), one record a review: a
# statement a review, a record a node, took 41 ms a review of round trips and the driver's work per record (300
# reviews at 120,000 contacts: 14.3 s, now 4.2 s).
REVIEWS_PER_READ = 50
# ``keep``: of a review, only these contacts (and their relationships; every other node, and the agencies and risk
# factors of all its contacts, as the whole review's), or null for all: what a page over thousands of reviews draws
# (``Store.review_json``'s ``contacts``)
EXPORT_NODES = """
UNWIND $reviews AS review
MATCH (r:Review {id: review.rid})
OPTIONAL MATCH (r)<-[:IN_REVIEW]-(m)
OPTIONAL MATCH (m:Contact)--(n) WHERE n:Agency OR n:RiskFactor
WITH review.rid AS rid, review.keep AS keep, r, collect(DISTINCT m) AS members, collect(DISTINCT n) AS shared
RETURN rid, [n IN [m IN members WHERE keep IS NULL OR NOT m:Contact OR m.id IN keep] + shared + [r]
             | [labels(n)[0], properties(n)]] AS nodes
"""
# A member's relationships: a contact's and a recommendation's all; a person's and an agency's (shared by every review
# they are in) only its IN_REVIEW to this review and a person's RELATED of this review. Expanding every relationship
# of a shared agency (a RECORDED for each of its contacts in every review) and filtering after took 0.9 s of server
# time per 50 reviews at 1M contacts, whatever was kept; now 0.04 s with a page's contacts, 0.23 s with all.
EXPORT_EDGES = """
UNWIND $reviews AS review
MATCH (r:Review {id: review.rid})<-[:IN_REVIEW]-(m)
WHERE review.keep IS NULL OR NOT m:Contact OR m.id IN review.keep
CALL {
  WITH m
  MATCH (m)-[x]-() WHERE m:Contact OR m:Recommendation
  RETURN x
  UNION
  WITH m, r
  MATCH (m)-[x:IN_REVIEW]->(r)
  RETURN x
  UNION
  WITH m, review
  MATCH (m:Person)-[x:RELATED]-() WHERE x.review = review.name
  RETURN x
}
WITH DISTINCT review.rid AS rid, x
RETURN rid, collect([type(x), startNode(x).id, endNode(x).id, properties(x)]) AS edges
"""


def _chunks(rows: list, size: int = WRITE_CHUNK) -> Iterator[list]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _contacts(batch: Batch) -> Iterator[tuple]:
    """Each contact as (agency, review, people, referred, shared, flagged, text_referred, text_shared,
    text_referred_by, *properties in CONTACT_COLUMNS order); a flow read from the text is [agency, signal id]."""
    ends: dict[str, dict[str, list]] = {t: {} for t in ("ABOUT", "REFERRED_TO", "SHARED_WITH", "FLAGGED", "text:REFERRED_TO",
                                                         "text:SHARED_WITH", "text:REFERRED_BY")}
    for rel_type in ("ABOUT", "REFERRED_TO", "SHARED_WITH", "FLAGGED", "REFERRED_BY"):
        table = batch.edges[rel_type]
        at = table.columns.index("signal") + 2 if "signal" in table.columns else None
        for row in table.rows:
            if at is not None and row[at] is not None:
                ends[f"text:{rel_type}"].setdefault(row[0], []).append([row[1], row[at]])
            else:
                ends[rel_type].setdefault(row[0], []).append(row[1])
    agency_of = {row[1]: row[0] for row in batch.edges["RECORDED"].rows}
    table = batch.nodes["Contact"]
    where = {k: i for i, k in enumerate(table.columns)}
    picks = [(where.get(k), k in CONTACT_INTS) for k in CONTACT_COLUMNS]
    rid = review_id(batch.review)
    about, referred, shared, flagged, text_referred, text_shared, text_referred_by = ends.values()
    none: list = []
    id_at = where["id"] if table.rows else 0
    for row in table.rows:
        cid = row[id_at]
        props = [None if i is None or row[i] is None else str(row[i]) if as_text else row[i] for i, as_text in picks]
        yield (agency_of[cid], rid, about.get(cid, none), referred.get(cid, none), shared.get(cid, none), flagged.get(cid, none),
               text_referred.get(cid, none), text_shared.get(cid, none), text_referred_by.get(cid, none), *props)


def _contact_params(contacts: list[tuple]) -> dict[str, list]:
    """The parameters of CREATE_CONTACTS for a chunk of ``_contacts`` rows: node ids become list places."""
    places: dict[str, dict[str, int]] = {"agencies": {}, "reviews": {}, "people": {}, "factors": {}}
    agencies, reviews, people, factors = places.values()

    def at(ids: dict[str, int], node: str) -> int:
        i = ids.get(node)
        if i is None:
            i = ids[node] = len(ids)
        return i

    rows = [[at(agencies, c[0]), at(reviews, c[1]), [at(people, p) for p in c[2]], [at(agencies, a) for a in c[3]],
             [at(agencies, a) for a in c[4]], [at(factors, f) for f in c[5]], [[at(agencies, a), sid] for a, sid in c[6]],
             [[at(agencies, a), sid] for a, sid in c[7]], [[at(agencies, a), sid] for a, sid in c[8]], *c[9:]]
            for c in contacts]
    return {"rows": rows, **{name: list(ids) for name, ids in places.items()}}


def _edge_groups(batch: Batch) -> dict[tuple[str, str, str], list]:
    """The relationships not written with their contact, grouped by (type, start label, end label),
    so that every MATCH can use an index."""
    groups: dict[tuple[str, str, str], list] = {}
    for rel_type in ("RELATED", "IN_REVIEW", "ADDRESSED_TO"):
        table = batch.edges[rel_type]
        for row in table.rows:
            start, end = row[0], row[1]
            if start.startswith("contact:"):
                continue
            props = {k: v for k, v in zip(table.columns, row[2:]) if v is not None}
            groups.setdefault((rel_type, label_of(start), label_of(end)), []).append([start, end, props])
    return groups



def _statements(group: list[Batch]) -> list[tuple[str, dict]]:
    """The statements that write a group of reviews: few large ones, not many small ones."""
    statements: list[tuple[str, dict]] = []
    for label in LABELS:
        if label == "Contact":
            continue  # written after the nodes they point to, with their relationships
        statement = (MERGE_NODES if label in SHARED_LABELS else CREATE_NODES).format(label=label)
        rows = [row for batch in group for row in batch.node_dicts(label)]
        statements += [(statement, {"rows": chunk}) for chunk in _chunks(rows)]
    contacts = [row for batch in group for row in _contacts(batch)]
    statements += [(CREATE_CONTACTS, _contact_params(chunk)) for chunk in _chunks(contacts)]
    edges: dict[tuple[str, str, str], list] = {}
    for batch in group:
        for key, rows in _edge_groups(batch).items():
            edges.setdefault(key, []).extend(rows)
    for (rel_type, start, end), rows in edges.items():
        statement = CREATE_EDGES.format(type=rel_type, start=start, end=end)
        statements += [(statement, {"rows": chunk}) for chunk in _chunks(rows)]
    return statements


def _next_transaction(groups: Iterator[list[Batch]]) -> tuple[list[str], list[tuple[str, dict]], int] | None:
    """(reviews, statements, contacts) of the next transaction, or None when there is none."""
    group = next(groups, None)
    if group is None:
        return None
    return [b.review for b in group], _statements(group), sum(b.contact_count for b in group)

class Neo4jStore(Lookups, Store):
    backend = "neo4j"
    language = CYPHER
    keeps_answers = True  # in the database (the module's docstring)

    def __init__(self, settings: Neo4jSettings):
        self.settings = settings
        self.database = settings.database
        try:
            if settings.uri.split("://", 1)[0].lower() not in BOLT_SCHEMES:
                raise ValueError("not a Bolt URI")
            # server notifications ("label does not exist yet" on an empty database) are noise to a user;
            # a dead server should fail a write in seconds, not after the default 30 s of retries
            self.driver = GraphDatabase.driver(settings.uri, auth=(settings.user, settings.password),
                                               notifications_min_severity="OFF", max_transaction_retry_time=10)
            self.driver.verify_connectivity()
            self.driver.execute_query("RETURN 1", database_=self.database, routing_=RoutingControl.READ)
        except Exception as exc:  # noqa: BLE001 - every failure becomes one clear line, never the password
            if hasattr(self, "driver"):
                self.driver.close()
            raise self._connection_error(exc) from None
        self._constraints_ready = False

    def _connection_error(self, exc: Exception) -> StoreError:
        import re

        # The URI as shown: a "user:password@" part is masked, so a password put in the URI is never printed.
        uri = re.sub(r"(?<=://)[^/?#]*@", "***@", self.settings.uri)
        scheme = self.settings.uri.split("://", 1)[0].lower() if "://" in self.settings.uri else ""
        bad_uri = f"Bad NEO4J_URI {uri!r}: use bolt://, neo4j://, neo4j+s:// or bolt+s:// (e.g. bolt://localhost:7687)"
        where = f"Neo4j at {uri}"
        # dhrgraph speaks Bolt; the driver's http(s):// Query API (a preview) cannot run its transactions
        if scheme not in ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"):
            return ConnectionFailed(f"{bad_uri}.")
        if "@" in self.settings.uri.split("://", 1)[1].split("/", 1)[0]:
            return ConnectionFailed(f"{bad_uri}, without user or password in it: give them in NEO4J_USERNAME and NEO4J_PASSWORD.")
        if isinstance(exc, AuthError):
            return ConnectionFailed(f"{where} refused the credentials of user {self.settings.user!r}: check NEO4J_USERNAME and NEO4J_PASSWORD.")
        if isinstance(exc, ClientError) and "DatabaseNotFound" in (exc.code or ""):
            return ConnectionFailed(f"{where} has no database {self.database!r}: check NEO4J_DATABASE (the default is neo4j).")
        if isinstance(exc, (ServiceUnavailable, OSError)):
            return ConnectionFailed(f"Cannot reach {where}: is the server running? (docker compose up -d, or tools/neo4j-local start)")
        if isinstance(exc, (ValueError, neo4j.exceptions.ConfigurationError)):
            return ConnectionFailed(f"{bad_uri}.")
        if isinstance(exc, (Neo4jError, DriverError)):
            message = str(getattr(exc, "message", None) or exc)
            if self.settings.password:
                message = message.replace(self.settings.password, "***")
            return ConnectionFailed(f"{where} failed: {exc.__class__.__name__}: {message}")
        return ConnectionFailed(f"{where} failed: {exc.__class__.__name__}")

    # --- writing ---------------------------------------------------------------------------------

    def _ensure_constraints(self) -> None:
        if self._constraints_ready:
            return
        for label in LABELS:
            self.driver.execute_query(CONSTRAINT.format(label=label), database_=self.database)
        self.driver.execute_query(STATE_CONSTRAINT, database_=self.database)
        self._constraints_ready = True

    def _replace(self, batches: Iterable[Batch], progress: Progress | None) -> None:
        try:
            self._ensure_constraints()
            done = 0
            # The next transaction's statements are prepared by a thread while the server writes the
            # current one (the driver waits on its socket without the GIL): client and server overlap.
            with ThreadPoolExecutor(1) as preparer:
                groups = iter(self._transaction_groups(batches))
                pending = preparer.submit(_next_transaction, groups)
                while (work := pending.result()) is not None:
                    pending = preparer.submit(_next_transaction, groups)
                    reviews, statements, contacts = work
                    with self.driver.session(database=self.database) as session:
                        session.execute_write(self._write_transaction, reviews, statements)
                    done += contacts
                    if progress:
                        progress(done)
        except Neo4jError as exc:
            raise StoreError(f"Neo4j refused the load: {exc.code}: {exc.message}. The reviews of the failed transaction were left as they were.") from None
        except (ServiceUnavailable, DriverError, OSError) as exc:
            raise StoreError(f"Lost the connection to Neo4j at {self.settings.uri} during the load ({exc.__class__.__name__}). "
                             "Reviews written before the failure are complete; load again to finish (loads are idempotent).") from None

    def finish_admin_import(self, folder: str, manifest: dict[str, Any]) -> int:
        """After ``neo4j-admin database import`` of a folder of ``dhrgraph export --neo4j-import`` (``admin_import``):
        check that the database holds exactly what ``manifest`` says, then create the constraints, give the graph a
        new stamp and write the analyst's decisions. Returns the number of reviews."""
        from dhrgraph.graph.admin_import import admin_command

        held = {row["of"]: row["n"] for row in self.read(HELD, plain=True)}
        expected = {**manifest.get("nodes", {}), **manifest.get("relationships", {})}
        if not any(held.values()):
            raise StoreError(f"the database {self.database!r} at {self.settings.uri} is empty: import {folder} into it "
                             f"first, with the server stopped: {admin_command(folder, self.database)} (or tools/neo4j-local import "
                             f"{folder}), then start the server and run this again")
        wrong = [f"{name}: {held[name]} (the folder: {expected.get(name, 0)})" for name in held if held[name] != expected.get(name, 0)]
        if wrong:
            raise StoreError(f"the database {self.database!r} does not hold what {folder} holds: {'; '.join(wrong[:4])}. "
                             f"Import the folder again with the server stopped ({admin_command(folder, self.database)}), or load the "
                             "reviews with `dhrgraph load`; nothing was changed")
        try:
            self._ensure_constraints()  # their indexes are built from the imported nodes
            self.driver.execute_query("CALL db.awaitIndexes(600)", database_=self.database)
            with self._reading():
                self._write("RETURN 1", changes_graph=True)
        except Neo4jError as exc:
            raise StoreError(f"Neo4j refused to finish the import: {exc.code}: {exc.message}") from None
        self.put_decisions(manifest.get("decisions", []))
        return len(manifest.get("reviews", []))

    @staticmethod
    def _transaction_groups(batches: Iterable[Batch]) -> Iterator[list[Batch]]:
        group: list[Batch] = []
        size = 0
        for batch in batches:
            if group and size + batch.contact_count > TX_CONTACTS:
                yield group
                group, size = [], 0
            group.append(batch)
            size += batch.contact_count
        if group:
            yield group

    @staticmethod
    def _write_transaction(tx: neo4j.ManagedTransaction, reviews: list[str], statements: list[tuple[str, dict]]) -> None:
        """Replace whole reviews in one transaction: delete them, then run the prepared statements (and give the
        graph a new stamp: what was kept of the one before is dropped)."""
        tx.run(GRAPH_CHANGED).consume()
        Neo4jStore._delete_reviews(tx, reviews)
        for statement, params in statements:
            tx.run(statement, params).consume()

    @staticmethod
    def _delete_reviews(tx: neo4j.ManagedTransaction, names: list[str]) -> None:
        rids = [review_id(name) for name in names]
        touched = tx.run(REVIEW_MEMBERS, rids=rids).single()
        touched_ids = touched["touched"] if touched else []
        people = [i for i in touched_ids if i.startswith("person:")]
        tx.run(DELETE_RELATED, ids=people, names=names).consume()
        tx.run(DELETE_CONTACTS, rids=rids).consume()
        tx.run(DELETE_RECOMMENDATIONS, rids=rids).consume()
        tx.run(DELETE_REVIEWS, rids=rids).consume()
        for label in SHARED_LABELS:
            ids = [i for i in touched_ids if label_of(i) == label]
            if ids:
                tx.run(DELETE_ORPHANS.format(label=label), ids=ids).consume()

    # --- reading ---------------------------------------------------------------------------------

    def read(self, cypher: str, params: dict[str, Any] | None = None, write: bool = False,
             plain: bool = False) -> list[dict[str, Any]]:
        """Run Cypher with parameters; READ access unless ``write`` (then the server refuses nothing).

        Rows come as ``record.data()``, which turns nodes, relationships and paths anywhere in a value into
        dicts. ``plain``: the values as the driver decoded them, for Cypher that returns only maps, lists and
        scalars (the named queries): ``data()`` walks every nested value to look for graph types, which was
        most of the client's time on a query returning 20k nested maps (measured: 4.6 of 6.8 s, profiled)."""
        if not write:
            check_read_only(cypher)
        with self._reading():
            if write:  # it may change the graph: it gets a new stamp in the same transaction
                records = self._write(cypher, params, changes_graph=True)
            else:
                records, _, _ = self.driver.execute_query(cypher, params or {}, database_=self.database,
                                                          routing_=RoutingControl.READ)
        if plain:
            return [dict(record.items()) for record in records]
        return [record.data() for record in records]

    def _write(self, cypher: str, params: dict[str, Any] | None = None, changes_graph: bool = False) -> list[neo4j.Record]:
        """Run one writing statement in a managed transaction (retried on transient errors); the graph's stamp is set
        anew in it when the statement ``changes_graph`` (not for the analyst's decisions: kept values that read them
        are kept by them)."""
        def work(tx: neo4j.ManagedTransaction) -> list[neo4j.Record]:
            records = list(tx.run(cypher, params or {}))
            if changes_graph:
                tx.run(GRAPH_CHANGED).consume()
            return records
        with self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def stream(self, cypher: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Read-only Cypher's records (as ``read(..., plain=True)`` gives them) one by one as the server sends them,
        so that the caller works on each while the server computes the next (a query's shared Python step, e.g.
        joined-up-risk's window over each candidate). One auto-commit transaction, not retried: use ``read``
        unless the overlap matters."""
        check_read_only(cypher)
        with self._reading(), self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
            for record in session.run(cypher, params or {}):
                yield dict(record.items())

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """The driver's errors of a read as a ``StoreError`` saying what went wrong."""
        try:
            yield
        except Neo4jError as exc:
            raise StoreError(f"Neo4j refused the query: {exc.code}: {exc.message}") from None
        except (OverflowError, ValueError, TypeError) as exc:  # a parameter Bolt cannot carry, e.g. an integer beyond 64 bits
            raise StoreError(f"a parameter value Neo4j cannot take ({exc}); integers must fit in 64 bits") from None
        except (ServiceUnavailable, DriverError, OSError) as exc:
            raise StoreError(f"Lost the connection to Neo4j at {self.settings.uri} ({exc.__class__.__name__}).") from None

    def _run(self, query: Query, implementation: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
        # a query's Cypher, or a Neo4j-specific implementation (``Query.implementations["neo4j"]``): a function of
        # the store and the parameters that reads through ``read`` (e.g. candidates first, then what they cite)
        try:
            if callable(implementation):
                return implementation(self, params)
            if implementation is query.cypher and query.review_cypher and isinstance(params.get("review"), str):
                implementation = query.review_cypher  # one review: from its contacts, not from every contact
            return self.read(implementation, params, plain=True)
        except StoreError as exc:
            raise StoreError(f"query {query.name!r}: {exc}") from None

    def _run_bound(self, query: Query, bound: dict[str, Any]) -> list[dict[str, Any]]:
        """As the store's; a catalogue query's run over every review is kept (``remembered``, by ``_rows_key``)."""
        kept = self._rows_key(query, bound) if local(query) else None
        if kept is None:
            return super()._run_bound(query, bound)
        return self.remembered(*kept, lambda: super(Neo4jStore, self)._run_bound(query, bound), valid=rows_valid)

    # --- values derived from the whole graph -------------------------------------------------------

    def remembered(self, name: str, inputs: dict[str, Any], compute: Any, valid: Any = None) -> Any:
        """As the store's, kept in the database (the module's docstring) with the key of what it was computed from:
        the graph's stamp as read before computing it (a change while it is computed gives the graph another stamp,
        so the value is never used), ``inputs`` and dhrgraph's code. A kept value is used only when its key is the
        current one; a missing, damaged or stale one is computed again and kept (unless the server refuses the write:
        a read-only user computes each time). A value that JSON would not give back equal is returned, not kept."""
        if not DERIVED_NAME.fullmatch(name):
            raise ValueError(f"not a derived value's name: {name!r}")
        key = derived_key(name, inputs, stamp=[[row["of"], row["value"]] for row in self.read(STAMP, plain=True)])
        parts = self.read(READ_ANSWER, {"name": name, "key": key}, plain=True)
        try:
            if parts and [p["part"] for p in parts] == list(range(parts[0]["parts"])):
                found, kept = derived_value(zlib.decompress(b"".join(bytes(p["data"]) for p in parts)), key, valid)
                if found:
                    return kept
        except (zlib.error, TypeError, ValueError):
            pass  # damaged (parts missing or changed): computed again below
        value = compute()
        data = derived_document(name, key, value)
        if data is None:
            return value  # not a JSON value (tuples ...): a kept one would differ from it
        packed = zlib.compress(data, 1)  # the fastest level: 113 MB of rows in 0.4 s to 14 MB
        try:
            self._write(KEEP_ANSWER, {"name": name, "key": key,
                                      "parts": [packed[i:i + ANSWER_PART] for i in range(0, len(packed), ANSWER_PART)]})
        except (Neo4jError, DriverError, OSError):
            pass  # a user who may only read, or a lost connection: computed again next time
        return value

    def _contacts_held(self) -> int:
        return self.read(CONTACTS_HELD, plain=True)[0]["contacts"]

    def review_names(self) -> list[str]:
        return [row["name"] for row in self.read(EXPORT_REVIEWS)]

    def clear(self) -> None:
        try:
            with self.driver.session(database=self.database) as session:
                # an implicit (auto-commit) transaction: the only kind CALL ... IN TRANSACTIONS runs in
                session.run(CLEAR_ALL).consume()
        except Neo4jError as exc:
            raise StoreError(f"Neo4j refused to clear the database: {exc.code}: {exc.message}") from None

    def batches(self, reviews: list[str] | None = None) -> Iterable[Batch]:
        return self._batches(reviews)

    def review_json(self, reviews: list[str], each: Callable[[dict], dict] | None = None, *,
                    contacts: Collection[str] | None = None, whole: Collection[str] = ()) -> list[dict]:
        """As the store's, the contacts left out not read from the server (a report's pages at 1M contacts draw
        a tenth of the contacts of the reviews they are in)."""
        keep = None if contacts is None else sorted(set(contacts))
        return [each(batch.to_json()) if each else batch.to_json() for batch in self._batches(reviews, keep, set(whole))]

    def _batches(self, reviews: list[str] | None = None, keep: list[str] | None = None,
                 whole: set[str] = frozenset()) -> Iterator[Batch]:
        """``batches``; with ``keep`` (contact ids), of the reviews not in ``whole`` only those contacts."""
        names = self.review_names()
        if reviews is not None:
            wanted = set(reviews)
            names = [n for n in names if n in wanted]
        of_review: dict[str, list[str]] = {}
        if keep is not None:  # a contact's id starts with its review's: contact:<review>#<key> (a review may hold '#')
            held = set(names)
            for cid in keep:
                rest = cid.removeprefix("contact:")
                for at in (i for i, ch in enumerate(rest) if ch == "#"):
                    if rest[:at] in held:
                        of_review.setdefault(rest[:at], []).append(cid)
        for start in range(0, len(names), REVIEWS_PER_READ):
            group = {review_id(name): name for name in names[start:start + REVIEWS_PER_READ]}
            asked = [{"rid": rid, "name": name, "keep": None if keep is None or name in whole else of_review.get(name, [])}
                     for rid, name in group.items()]
            nodes: dict[str, dict[str, list[dict]]] = {rid: {} for rid in group}
            for row in self.read(EXPORT_NODES, {"reviews": asked}, plain=True):
                for label, props in row["nodes"]:
                    nodes[row["rid"]].setdefault(label, []).append(props)
            edges: dict[str, dict[str, list[tuple[str, str, dict]]]] = {rid: {} for rid in group}
            for row in self.read(EXPORT_EDGES, {"reviews": asked}, plain=True):
                for kind, start_id, end_id, props in row["edges"]:
                    edges[row["rid"]].setdefault(kind, []).append((start_id, end_id, props))
            for rid, name in group.items():
                yield Batch.from_dicts(name, nodes[rid], edges[rid])

    # --- decisions ---------------------------------------------------------------------------------

    @staticmethod
    def _decision_id(kind: str, key: str) -> str:
        return f"decision:{kind}:{key}"

    def decisions(self, kind: str | None = None) -> list[dict[str, Any]]:
        rows = self.read(READ_DECISIONS, {"kind": kind})
        return [{k: v for k, v in row["decision"].items() if k != "id"} for row in rows]

    def put_decisions(self, decisions: Iterable[dict[str, Any]]) -> None:
        rows = [{**{k: v for k, v in d.items() if v is not None}, "id": self._decision_id(d["kind"], d["key"])} for d in decisions]
        if not rows:
            return
        with self._reading():
            self.driver.execute_query(DECISION_CONSTRAINT, database_=self.database)
            self._write(PUT_DECISIONS, {"rows": rows})

    def remove_decision(self, kind: str, key: str) -> bool:
        with self._reading():
            rows = self._write(REMOVE_DECISION, {"id": self._decision_id(kind, key)})
        return bool(rows and rows[0]["removed"])

    def close(self) -> None:
        self.driver.close()
