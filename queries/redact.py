"""Redaction, the same for every output (findings, query, timeline, path, viz, in every format).

* **People** become labels of their role, numbered within each review in people.csv order:
  "Victim", "Perpetrator", "Child 1", "Child 2", ... (a role held by one person in the review has no
  number). A label depends only on the review's own people.csv, so a review reads the same whatever
  else the workspace holds.
* **Reviews** become "Review " and six hex digits of a hash of the id (stable, and the id's place
  name and year are not shown).
* **Free text from the input** (summaries, sources, referral outcomes, professionals, the analyst's
  notes) is dropped: it cannot be vouched for. Agency names stay.
* **Text that is kept** (finding sentences, names in lists, file names) has every pseudonym, name
  part (three letters or more, not a title), global id, professional's name and review id replaced.
  Matching is on a normalised form: Unicode NFKC, accents removed (NFD), case-folded (dotless ı as i),
  every run of whitespace (non-breaking spaces too) as one space; the replacement is spliced into the
  original text, so text the matcher does not touch stays as it was.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable

__all__ = ["Redactor", "fold", "ROLE_LABELS", "PROFESSIONAL", "FREE_TEXT_KEYS", "review_label"]

ROLE_LABELS = {"victim": "Victim", "perpetrator": "Perpetrator", "child": "Child", "previous_partner": "Previous partner",
               "family": "Family member", "friend": "Friend", "other": "Other person"}
UNIDENTIFIED = "Unidentified person"
PROFESSIONAL = "[professional]"
# Values of these keys are the input's free text: dropped when redacting.
FREE_TEXT_KEYS = frozenset({"summary", "source", "referral_outcome", "professional", "note"})
REVIEW_KEYS = frozenset({"review", "reviews", "other_reviews"})
# Name parts never matched alone (titles, and words that are labels themselves).
NOT_A_NAME = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "child", "baby", "unnamed", "unknown", "person",
                        "the", "and", "of", "victim", "perpetrator", "family", "friend", "other", "previous", "partner"})
MIN_PART = 3


def _fold_char(ch: str) -> str:
    if ch.isspace():
        return " "
    text = unicodedata.normalize("NFKC", ch)
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return text.casefold().replace("ı", "i")


def _folded(text: str) -> tuple[str, list[int]]:
    """``text`` folded (see the module doc), and for each folded character the index of the original
    character it came from."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        for c in folded:
            if c.isspace():
                if out and out[-1] == " ":
                    continue
                c = " "
            out.append(c)
            origin.append(i)
    return "".join(out), origin


def fold(text: str) -> str:
    """The form redaction compares: 'JOSE\\u0301  Kılıç' -> 'jose kilic'."""
    return _folded(text)[0].strip()


def review_label(review: str) -> str:
    return "Review " + hashlib.sha256(review.encode("utf-8")).hexdigest()[:6]


@dataclass(frozen=True)
class _Member:
    id: str
    name: str
    review: str
    role: str
    line: int
    identified: bool
    global_id: str | None


class Redactor:
    """Labels and a normalising matcher for one set of people, professionals and reviews."""

    def __init__(self, people: Iterable[dict], professionals: Iterable[str] = (), reviews: Iterable[str] = ()):
        members = [_Member(p["id"], p["name"], p["review"], p.get("role") or "other", p.get("line") or 0,
                           p.get("identified", True) is not False, p.get("global_id")) for p in people]
        self.labels: dict[tuple[str, str], str] = {}  # (person id, review) -> label
        by_review: dict[str, list[_Member]] = {}
        for m in members:
            by_review.setdefault(m.review, []).append(m)
        for review, ms in by_review.items():
            ms.sort(key=lambda m: (m.line, m.name))
            bases = [ROLE_LABELS.get(m.role, ROLE_LABELS["other"]) if m.identified else UNIDENTIFIED for m in ms]
            seen: dict[str, int] = {}
            for m, base in zip(ms, bases):
                seen[base] = seen.get(base, 0) + 1
                self.labels[m.id, review] = base if bases.count(base) == 1 else f"{base} {seen[base]}"
        self.reviews = {r: review_label(r) for r in {*reviews, *by_review}}
        replacements: dict[str, str] = {}
        for m in members:
            label = self.labels[m.id, m.review]
            for form in (m.name, m.global_id, m.id):
                if form and fold(form):
                    replacements.setdefault(fold(form), label)
        for m in members:  # name parts last: a whole name wins over a part shared with someone else
            for part in fold(m.name).split(" "):
                if len(part) >= MIN_PART and part not in NOT_A_NAME and not part.isdigit():
                    replacements.setdefault(part, self.labels[m.id, m.review])
        for name in professionals:
            if name and fold(name):
                replacements.setdefault(fold(name), PROFESSIONAL)
        for review, label in self.reviews.items():
            if fold(review):
                replacements[fold(review)] = label
        self._replacements = replacements
        alternatives = "|".join(re.escape(n) for n in sorted(replacements, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)") if replacements else None

    @classmethod
    def of_store(cls, store: Any) -> "Redactor":
        from dhrgraph.queries.scope import PEOPLE, PROFESSIONALS, reviews

        return cls(store.run(PEOPLE), [r["name"] for r in store.run(PROFESSIONALS)], [r["name"] for r in reviews(store)])

    # --- labels ---------------------------------------------------------------------------------

    def person(self, person_id: str, reviews: Iterable[str]) -> str:
        """The person's label in ``reviews`` (their distinct labels there joined with " / ")."""
        labels = [self.labels[person_id, r] for r in sorted(reviews) if (person_id, r) in self.labels]
        return " / ".join(dict.fromkeys(labels)) or "Person"

    def review(self, review: str) -> str:
        return self.reviews.get(review) or review_label(review)

    # --- text -----------------------------------------------------------------------------------

    def text(self, text: str | None) -> str:
        """``text`` with every name, id and review id the matcher knows replaced."""
        if not text or self._pattern is None:
            return text or ""
        folded, origin = _folded(text)
        pieces, last = [], 0
        for match in self._pattern.finditer(folded):
            start, end = origin[match.start()], origin[match.end() - 1] + 1
            while end < len(text) and _fold_char(text[end]) == "":  # trailing combining marks go too
                end += 1
            if start < last:
                continue
            pieces += [text[last:start], self._replacements[match.group(0)]]
            last = end
        return "".join(pieces) + text[last:]

    def value(self, value: Any, key: str | None = None) -> Any:
        """A row value redacted: free text dropped, reviews labelled, other text matched."""
        if key in FREE_TEXT_KEYS:
            return None
        if isinstance(value, dict):
            return {k: self.value(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v, key) for v in value]
        if isinstance(value, str):
            return self.review(value) if key in REVIEW_KEYS else self.text(value)
        return value

    def rows(self, rows: list[dict]) -> list[dict]:
        return [self.value(row) for row in rows]
