"""How people are named in a view: by their pseudonyms, or, redacted, by labels of their role.

Redacted, people are labelled as every output labels them (``queries.redact``): "Victim",
"Perpetrator", "Child 1", "Child 2" ... numbered within each review in people.csv order, so a
review reads the same whatever else the workspace holds; a person in several reviews shows their
labels there joined with " / ". Summaries, sources, referral outcomes and professionals' names are
dropped, review ids become "Review <hash>", and any text that is kept (findings, file names) goes
through the normalising matcher.
"""

from __future__ import annotations

from dhrgraph.queries.redact import ROLE_LABELS, Redactor
from dhrgraph.viz.overview import Overview, Person

__all__ = ["Names", "ROLE_LABELS"]


class Names:
    """Labels for people and scrubbed text, for one graph; ``redact=False`` passes everything through."""

    def __init__(self, overview: Overview, redact: bool):
        self.redact = redact
        self._redactor: Redactor | None = None
        if redact:
            people = [{"id": p.id, "name": m["name"], "review": review, "role": m.get("role"), "line": m.get("line"),
                       "identified": m.get("identified", True), "global_id": p.global_id}
                      for p in overview.people.values() for review, m in p.memberships.items()]
            self._redactor = Redactor(people, overview.professionals(), overview.reviews)

    def person(self, person: Person) -> str:
        """The person's label: pseudonyms joined with " / " (one per review in view), or the redacted label."""
        return self._redactor.person(person.id, person.memberships) if self._redactor else " / ".join(person.names)

    def text(self, text: str | None) -> str:
        """Free text with every person's and professional's name and every review id replaced when redacting."""
        return self._redactor.text(text) if self._redactor else text or ""

    def review(self, review: str) -> str:
        return self._redactor.review(review) if self._redactor else review

    def summary(self, text: str | None) -> str:
        """Free text from the input (a summary, source or outcome): dropped when redacting."""
        return "" if self.redact else text or ""

    def professional(self, text: str | None) -> str:
        return "" if self.redact else text or ""
