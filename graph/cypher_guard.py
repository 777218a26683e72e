"""What the read-only ``cypher`` command refuses before the statement reaches the server.

READ access already makes the server refuse writes; it does not refuse reading files
(``LOAD CSV FROM 'file:///etc/passwd'``), switching to the system database (``USE system``),
listing other sessions' queries (``SHOW TRANSACTIONS``) or calling procedures that change the
server (``CALL db.clearQueryCaches()``). The check is conservative: comments and string literals
are removed, backquoted names are read as plain names, and then any of the clauses below, or a
procedure call that is not on the short list of schema look-ups, refuses the statement. ``--write``
(an explicit choice) skips it.
"""

from __future__ import annotations

import re

from dhrgraph.graph.errors import StoreError

__all__ = ["check_read_only", "READ_PROCEDURES"]

READ_PROCEDURES = frozenset({
    "db.labels", "db.relationshiptypes", "db.propertykeys",
    "db.schema.visualization", "db.schema.nodetypeproperties", "db.schema.reltypeproperties",
})
_LEXEMES = re.compile(r"""//[^\n]*|/\*.*?(?:\*/|\Z)|'(?:[^'\\]|\\.)*(?:'|\Z)|"(?:[^"\\]|\\.)*(?:"|\Z)|`(?:[^`]|``)*(?:`|\Z)""", re.S)
_REFUSED = re.compile(r"(?<![\w.$])(LOAD\s+CSV|USE|SHOW|TERMINATE|ALTER|GRANT|DENY|REVOKE|(?:START|STOP|CREATE|DROP)\s+(?:DATABASE|COMPOSITE|ALIAS|USER|ROLE|SERVER)|ENABLE\s+SERVER)(?![\w$])", re.I)
_CALL = re.compile(r"(?<![\w.$])CALL(?![\w$])\s*(?P<next>[{(]|[\w$.\s]+)", re.I)


def _plain(statement: str) -> str:
    """The statement without comments and literals; backquoted names as plain names."""
    def replace(match: re.Match) -> str:
        text = match.group()
        if text.startswith("`"):
            return re.sub(r"\W", "_", text.strip("`").replace("``", "`")) or "_"
        return " '' " if text[0] in "'\"" else " "
    return _LEXEMES.sub(replace, statement)


def check_read_only(statement: str) -> None:
    """Raise StoreError when read mode must not run ``statement`` (see the module docstring)."""
    plain = _plain(statement)
    refused = _REFUSED.search(plain)
    if refused:
        clause = " ".join(refused.group(1).upper().split())
        raise StoreError(f"read-only cypher refuses {clause} (it reads files, other databases or the server's state); "
                         "use the catalogue queries, or --write if you mean it")
    for call in _CALL.finditer(plain):
        following = call.group("next")
        if following in ("{", "("):
            continue  # a subquery
        name = re.sub(r"\s+", "", following).lower().strip(".")
        name = re.split(r"[^\w.$]", name)[0]
        if name not in READ_PROCEDURES:
            allowed = ", ".join(sorted(READ_PROCEDURES))
            raise StoreError(f"read-only cypher refuses the procedure {name or '?'!r}; allowed: {allowed} (or --write if you mean it)")
