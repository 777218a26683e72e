"""How people are named in a view: by their pseudonyms, or, redacted, by stable labels of role.

Redacted, every person is "Victim 1", "Perpetrator 1", "Child 1", "Family 1" ...: numbered per
role in the order people first appear (review id, then line of people.csv), counted over the
whole graph so that one person has the same label in every view of the same graph. Summaries and
professionals' names are dropped, and any free text that is kept (findings, sources, referral
outcomes) has every pseudonym, global id and professional's name replaced.
"""

from __future__ import annotations

import re
from collections import Counter

from viz.overview import Overview, Person

__all__ = ["Names", "ROLE_LABELS"]

ROLE_LABELS = {"victim": "Victim", "perpetrator": "Perpetrator", "child": "Child", "previous_partner": "Previous partner",
               "family": "Family", "friend": "Friend", "other": "Other person"}
UNIDENTIFIED = "Unidentified person"
PROFESSIONAL = "[professional]"


class Names:
    """Labels for people and scrubbed text, for one graph; ``redact=False`` passes everything through."""

    def __init__(self, overview: Overview, redact: bool):
        self.redact = redact
        self._labels: dict[str, str] = {}
        self._pattern: re.Pattern | None = None
        if not redact:
            return
        counts: Counter[str] = Counter()
        for person in sorted(overview.people.values(), key=lambda p: (p.first_seen, p.id)):
            base = ROLE_LABELS.get(person.role, ROLE_LABELS["other"]) if person.identified else UNIDENTIFIED
            counts[base] += 1
            self._labels[person.id] = f"{base} {counts[base]}"
        replacements: dict[str, str] = {}
        for person in overview.people.values():
            for name in [*person.names, person.global_id, person.id]:
                if name:
                    replacements[name.lower()] = self._labels[person.id]
        for name in overview.professionals():
            replacements.setdefault(name.lower(), PROFESSIONAL)
        self._replacements = replacements
        if replacements:
            alternatives = "|".join(re.escape(n) for n in sorted(replacements, key=len, reverse=True))
            self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    def person(self, person: Person) -> str:
        """The person's label: pseudonyms joined with " / " (one per review in view), or the redacted label."""
        return self._labels[person.id] if self.redact else " / ".join(person.names)

    def text(self, text: str | None) -> str:
        """Free text with every person's and professional's name replaced when redacting."""
        if not text or self._pattern is None:
            return text or ""
        return self._pattern.sub(lambda m: self._replacements[m.group(0).lower()], text)

    def summary(self, text: str | None) -> str:
        """A contact's summary: dropped when redacting (it is narrative about people)."""
        return "" if self.redact else text or ""

    def professional(self, text: str | None) -> str:
        return "" if self.redact else text or ""
