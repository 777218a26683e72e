"""Validated records: what a loader hands to a store. Plain data, no behaviour.

Every record keeps its provenance (``file`` and ``line``) so that each finding can cite the
chronology rows it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from loaders.dates import PartialDate

__all__ = ["Person", "Relationship", "Agency", "Contact", "Review"]


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


@dataclass(frozen=True, slots=True)
class Contact:
    review: str
    file: str
    line: int
    date: PartialDate
    agency: str  # canonical agency name
    subjects: tuple[str, ...]
    event: str
    summary: str
    time: str | None = None
    sequence: int | None = None
    professional: str | None = None
    risk_level: str | None = None
    dash_score: int | None = None
    risk_factors: tuple[str, ...] = ()
    referred_to: tuple[str, ...] = ()
    referral_outcome: str | None = None
    shared_with: tuple[str, ...] = ()
    source: str | None = None


@dataclass(slots=True)
class Review:
    id: str
    path: str
    people: list[Person] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    agencies: dict[str, Agency] = field(default_factory=dict)  # canonical name -> agency
    contacts: list[Contact] = field(default_factory=list)
