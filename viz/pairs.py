"""The pairs `dhrgraph link` proposes, side by side with both people's contacts: one offline page.

Each pair shows the two records (review, pseudonym, role), the probability and the reasons, and
under each record its contacts in chronology order (date, agency, event, risk, summary), so an
analyst can judge whether the two are one person before `dhrgraph same` or `different`.

Redacted, a record is named by its role and review only ("Perpetrator in syn-0005"), and
summaries and professionals' names are left out. Identifying details (aliases, dob, postcode,
identifiers) are never shown, redacted or not: the reasons say what agreed, not the values.
"""

from __future__ import annotations

from typing import Any

from dhrgraph.queries.core import TIMELINE
from dhrgraph.queries.identity import person_records
from dhrgraph.viz.page import View, count, esc, page
from dhrgraph.viz.redact import ROLE_LABELS

__all__ = ["pairs_view"]

STYLE = """
<style>
main.pairs{display:block;overflow:auto;padding:0 1rem 2rem}
section.pair{background:#fff;border:1px solid #ddd;border-radius:6px;margin:1rem 0;padding:.6rem .9rem}
section.pair h2{font-size:1rem;margin:.2rem 0}
.reasons{color:#444;font-size:.85rem;margin:.2rem 0 .6rem}
.sides{display:flex;gap:1rem}.side{flex:1;min-width:0}
.side h3{font-size:.92rem;margin:.2rem 0}
table{border-collapse:collapse;width:100%;font-size:.8rem}
td,th{border-top:1px solid #eee;padding:.15rem .3rem;text-align:left;vertical-align:top}
</style>
"""


def _label(record: dict, redact: bool) -> str:
    role = ROLE_LABELS.get(record.get("role") or "other", ROLE_LABELS["other"])
    return f"{role} in {record['review']}" if redact else f"{record['person']} ({record['review']}, {record.get('role') or 'other'})"


def _contacts(store, record: dict, redact: bool) -> str:
    rows = store.run(TIMELINE, {"person": record["id"], "review": record["review"]})
    head = "<tr><th>date</th><th>agency</th><th>event</th><th>risk</th>" + ("" if redact else "<th>summary</th>") + "</tr>"
    body = "".join(
        f"<tr><td>{esc(r['date'])}</td><td>{esc(r['agency'])}</td><td>{esc(r['event'])}</td><td>{esc(r.get('risk_level') or '')}</td>"
        + ("" if redact else f"<td>{esc(r.get('summary') or '')}</td>") + "</tr>" for r in rows)
    return f"<p>{esc(count(len(rows), 'contact'))}</p><table>{head}{body}</table>"


def pairs_view(store, pairs: list[dict[str, Any]], *, redact: bool = False) -> View:
    """A page of ``pairs`` (rows of ``queries.identity.link``), each with both records' contacts."""
    records = {(r["review"], r["person"]): r for r in person_records(store)}
    sections = []
    for n, pair in enumerate(pairs, 1):
        sides = []
        for side in ("left", "right"):
            record = records[(pair[side]["review"], pair[side]["person"])]
            sides.append(f"<div class='side'><h3>{esc(_label(record, redact))}</h3>{_contacts(store, record, redact)}</div>")
        sections.append(f"<section class='pair'><h2>Pair {n}: probability {esc(pair['probability'])}</h2>"
                        f"<p class='reasons'>{esc('; '.join(pair['reasons']))}</p><div class='sides'>{''.join(sides)}</div></section>")
    title = "Probably the same person"
    subtitle = (f"{count(len(pairs), 'pair')} proposed by record linkage; record a decision with "
                "dhrgraph same REVIEW/PERSON REVIEW/PERSON or dhrgraph different ...")
    body = f"<main class='pairs'>{''.join(sections) or '<p>No pairs.</p>'}</main>"
    return View(title, page(title, subtitle, body, head=STYLE, note="Redacted: people named by role, no summaries." if redact else ""))
