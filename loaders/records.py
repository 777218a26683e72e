"""Validated records: what a loader hands to a store. Plain data, no behaviour.

Every record keeps its provenance (``file`` and ``line``) so that each finding can cite the
chronology rows it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dhrgraph.loaders import vocab
from dhrgraph.loaders.dates import PartialDate

__all__ = ["Person", "Relationship", "Agency", "Contacts", "Review"]


@dataclass(frozen=True, slots=True)
class Person:
    review: str
    person: str
    role: str
    sex: str | None
    age: int | None
    global_id: str | None
    identified: bool
    file: str
    line: int
    # identifying details (sensitive; loaders/identity.py gives their canonical forms)
    aliases: tuple[str, ...] = ()
    dob: str | None = None
    postcode: str | None = None
    identifiers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Relationship:
    review: str
    person: str
    other: str
    relationship: str
    abusive: bool
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class Agency:
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    declared: bool = True  # False when only seen in a chronology and typed from its name

    @classmethod
    def undeclared(cls, name: str) -> "Agency":
        """An agency no agencies.csv declares (named in a chronology or a summary), typed from its name."""
        return cls(name=" ".join(name.split()), type=vocab.infer_agency_type(name), declared=False)


@dataclass(slots=True)
class Contacts:
    """A review's contacts, column by column: one list per field, all of the same length, in
    chronology-file order. The loader validates whole columns at a time and the stores write them
    that way, so a contact is never a Python object of its own (100k contacts would be 100k of them).
    """

    file: list[str] = field(default_factory=list)  # provenance name of each row's chronology file
    line: list[int] = field(default_factory=list)
    record: list[int] = field(default_factory=list)  # the row number a spreadsheet shows (header = 1)
    date: list[PartialDate] = field(default_factory=list)
    agency: list[str] = field(default_factory=list)  # canonical agency names
    subjects: list[tuple[str, ...]] = field(default_factory=list)
    event: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    time: list[str | None] = field(default_factory=list)
    sequence: list[int | None] = field(default_factory=list)
    professional: list[str | None] = field(default_factory=list)
    risk_level: list[str | None] = field(default_factory=list)
    dash_score: list[int | None] = field(default_factory=list)
    risk_factors: list[tuple[str, ...]] = field(default_factory=list)
    referred_to: list[tuple[str, ...]] = field(default_factory=list)  # canonical agency names
    referral_outcome: list[str | None] = field(default_factory=list)
    shared_with: list[tuple[str, ...]] = field(default_factory=list)  # canonical agency names
    source: list[str | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.line)


@dataclass(slots=True)
class Review:
    id: str
    path: str
    people: list[Person] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    agencies: dict[str, Agency] = field(default_factory=dict)  # canonical name -> agency
    contacts: Contacts = field(default_factory=Contacts)
    info: dict = field(default_factory=dict)  # from review.csv: title, area, type, index_date (ISO)
    recommendations: list = field(default_factory=list)  # loaders.recommendations.Recommendation, from recommendations.csv
    # every agency agencies.csv declares, used or not: a summary may name one ("referred to MARAC")
    declared: dict[str, Agency] = field(default_factory=dict)
