"""The controlled vocabularies of the input format, with the synonyms reviewers actually write.

Everything here is data: the loader looks values up, it never guesses beyond these tables.
A value is normalised (lower case, spaces, hyphens and slashes to underscores) before lookup.
"""

from __future__ import annotations

import functools
import re

__all__ = [
    "REVIEW_TYPES",
    "ROLES",
    "RELATIONSHIPS",
    "EVENTS",
    "RISK_LEVELS",
    "RISK_ORDER",
    "DASH_HIGH_RISK",
    "DASH_MEDIUM_RISK",
    "FLOW_KINDS",
    "RISK_FACTORS",
    "AGENCY_TYPES",
    "FORUM_TYPES",
    "SEXES",
    "BOOLEANS",
    "normalise_token",
    "lookup",
    "allowed",
    "infer_agency_type",
    "agency_key",
]


def allowed(table: dict[str, str], ordered: bool = False) -> str:
    """A vocabulary's values as messages list them: in its own order when ``ordered`` (risk levels,
    review types), else sorted."""
    values = list(dict.fromkeys(table.values()))
    return ", ".join(values if ordered else sorted(values))


def _table(canonical: list[str], synonyms: dict[str, str] | None = None) -> dict[str, str]:
    table = {value: value for value in canonical}
    for synonym, value in (synonyms or {}).items():
        assert value in canonical, f"synonym {synonym!r} points at unknown value {value!r}"
        table[normalise_token(synonym)] = value
    return table


@functools.lru_cache(maxsize=4096)  # chronologies repeat the same few values on every row
def normalise_token(text: str) -> str:
    """'Did Not Attend' -> 'did_not_attend'; 'call-out' -> 'call_out'."""
    return re.sub(r"[\s\-/]+", "_", text.strip().lower()).strip("_")


def lookup(table: dict[str, str], text: str) -> str | None:
    """The canonical value for ``text`` in ``table``, or None when it is not allowed."""
    return table.get(normalise_token(text))


# Domestic Homicide Review, Domestic Abuse Related Death Review, Safeguarding Adults Review,
# Child Safeguarding Practice Review (review.csv's ``type``).
REVIEW_TYPES = _table(["DHR", "DARDR", "SAR", "CSPR"],
                      {"dhr": "DHR", "dardr": "DARDR", "sar": "SAR", "cspr": "CSPR", "scr": "CSPR",
                       "domestic homicide review": "DHR", "domestic abuse related death review": "DARDR",
                       "safeguarding adults review": "SAR", "child safeguarding practice review": "CSPR"})

ROLES = _table(
    ["victim", "perpetrator", "child", "family", "friend", "previous_partner", "other"],
    {"former partner": "previous_partner", "ex partner": "previous_partner", "relative": "family",
     "deceased": "victim", "alleged perpetrator": "perpetrator"},
)

RELATIONSHIPS = _table(
    ["partner", "ex_partner", "spouse", "parent", "child", "sibling", "household", "carer", "friend", "other"],
    {"former partner": "ex_partner", "ex": "ex_partner", "husband": "spouse", "wife": "spouse",
     "mother": "parent", "father": "parent", "son": "child", "daughter": "child",
     "brother": "sibling", "sister": "sibling", "boyfriend": "partner", "girlfriend": "partner",
     "household member": "household"},
)

EVENTS = _table(
    ["incident", "call", "appointment", "home_visit", "assessment", "disclosure", "referral",
     "information_share", "meeting", "arrest", "charge", "court", "conviction", "admission",
     "discharge", "did_not_attend", "case_closed", "death", "other"],
    {
        # the index event: it ends the chronology (see queries.common.before_death)
        "homicide": "death", "killed": "death", "fatal incident": "death", "found deceased": "death",
        "died": "death", "index event": "death",
        "DNA": "did_not_attend", "did not attend": "did_not_attend", "was not brought": "did_not_attend",
        "no access visit": "did_not_attend", "missed appointment": "did_not_attend",
        "call-out": "incident", "callout": "incident", "attendance": "incident",
        "domestic incident": "incident", "999 call": "incident",
        "phone call": "call", "telephone call": "call", "telephone": "call", "101 call": "call",
        "home visit": "home_visit", "visit": "home_visit",
        "consultation": "appointment", "clinic": "appointment", "contact": "appointment",
        "risk assessment": "assessment", "dash": "assessment", "review": "assessment",
        "referral made": "referral",
        "information sharing": "information_share", "info share": "information_share",
        "strategy meeting": "meeting", "case conference": "meeting", "marac meeting": "meeting",
        "conference": "meeting",
        "arrested": "arrest", "charged": "charge", "court hearing": "court", "hearing": "court",
        "convicted": "conviction", "sentence": "conviction",
        "admitted": "admission", "a&e attendance": "admission", "a and e attendance": "admission",
        "discharged": "discharge",
        "closed": "case_closed", "case closure": "case_closed", "closure": "case_closed",
    },
)

# The event that ends a review's chronology (the death): nothing on or after it is a missed chance.
DEATH_EVENT = "death"

# Risk levels, lowest first (the order risk is ranked in, and the order messages list them in).
RISK_ORDER = ("standard", "medium", "high")
RISK_LEVELS = _table(
    list(RISK_ORDER),
    {"low": "standard", "std": "standard", "med": "medium", "moderate": "medium", "very high": "high"},
)

RISK_FACTORS = _table(
    ["threats_to_kill", "strangulation", "weapon", "separation", "pregnancy", "escalation", "stalking",
     "sexual_violence", "child_contact_dispute", "coercive_control", "financial_abuse",
     "honour_based_abuse", "isolation", "previous_partner_abuse", "criminal_history",
     "breach_of_order", "mental_health", "substance_misuse", "alcohol_misuse", "suicidal_ideation",
     "self_harm", "animal_abuse", "child_in_household", "medication_non_compliance", "injury"],
    {"threat to kill": "threats_to_kill", "ttk": "threats_to_kill", "choking": "strangulation",
     "non fatal strangulation": "strangulation", "weapons": "weapon", "knife": "weapon",
     "pregnant": "pregnancy", "new baby": "pregnancy", "harassment": "stalking",
     "sexual assault": "sexual_violence", "rape": "sexual_violence", "contact dispute": "child_contact_dispute",
     "coercive and controlling behaviour": "coercive_control", "controlling behaviour": "coercive_control",
     "economic abuse": "financial_abuse", "hba": "honour_based_abuse",
     "drugs": "substance_misuse", "drug misuse": "substance_misuse", "alcohol": "alcohol_misuse",
     "mental ill health": "mental_health", "suicide": "suicidal_ideation", "suicidal": "suicidal_ideation",
     "breach": "breach_of_order", "bail breach": "breach_of_order", "injuries": "injury",
     "children in household": "child_in_household", "children": "child_in_household"},
)

AGENCY_TYPES = _table(
    ["police", "gp", "mental_health", "ambulance", "hospital", "children_social_care",
     "adult_social_care", "housing", "probation", "substance_misuse", "da_service", "education",
     "health_visiting", "marac", "mash", "cafcass", "immigration", "dwp", "other"],
    {"primary care": "gp", "csc": "children_social_care", "childrens social care": "children_social_care",
     "asc": "adult_social_care", "idva": "da_service", "domestic abuse service": "da_service",
     "a&e": "hospital", "acute": "hospital", "midwifery": "health_visiting", "school": "education",
     "yot": "probation", "youth offending": "probation"},
)

# Event words whose meaning depends on who recorded them. "attendance" is police attending (an incident: EVENTS, and
# for an agency of unknown type), but to a hospital or an ambulance service an attendance at A&E (as "A&E
# attendance": an admission), to a MARAC or MASH a meeting, and to every other agency an appointment attended (a
# GP, probation, an IDVA's group). Read as an incident, a hospital's or a service's attendance counted as a domestic
# abuse incident towards missed-marac's and escalation's "3 incidents in 365 days".
EVENTS_BY_AGENCY_TYPE = {
    "attendance": {**{kind: "appointment" for kind in set(AGENCY_TYPES.values()) - {"police", "other"}},
                   "hospital": "admission", "ambulance": "admission", "marac": "meeting", "mash": "meeting"},
}


def event_of(text: str, event: str, agency_type: str) -> str:
    """The event ``text`` (read as ``event`` by EVENTS) means when an agency of ``agency_type`` recorded it."""
    by_type = EVENTS_BY_AGENCY_TYPE.get(normalise_token(text))
    return by_type.get(agency_type, event) if by_type else event


# Agencies of these types are forums: information flowing into them counts as shared,
# but they never hold risk on their own.
FORUM_TYPES = ("marac", "mash")
# The agency a summary's "referred to MARAC" (or MASH) names when the review declares no agency of that type: a
# forum is one per area, and a referral to it is a referral whatever the review called it (before, the flow was
# dropped and missed-marac reported "no agency referred" from the very row that records the referral). The same
# node as a coded referral to the same name.
FORUM_NAMES = {"marac": "MARAC", "mash": "MASH"}

# A DASH risk checklist with this many "yes" answers or more is high risk (the usual referral
# criterion for MARAC); from DASH_MEDIUM_RISK it is usually graded medium (see DOMAIN.md).
DASH_HIGH_RISK = 14
DASH_MEDIUM_RISK = 10

# The relationships by which information flows from a contact to an agency, and their words.
FLOW_KINDS = {"REFERRED_TO": "referral", "SHARED_WITH": "share"}

SEXES = _table(["female", "male", "other", "unknown"], {"f": "female", "m": "male", "woman": "female", "man": "male"})

BOOLEANS = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}

# Agency-name fragments -> type, tried in order (first match wins), so more specific
# fragments come first ("Children's Services" before "Services", "MARAC" before "Police").
_AGENCY_NAME_HINTS: list[tuple[str, str]] = [
    (r"\bmarac\b", "marac"),
    (r"\bmash\b|multi.agency safeguarding hub", "mash"),
    (r"\bcafcass\b", "cafcass"),
    (r"\bidva\b|\bisva\b|women'?s aid|refuge\b|domestic abuse|domestic violence|safelives|\bda service", "da_service"),
    (r"children'?s (social care|services|social services)|\bcsc\b|early help|family support", "children_social_care"),
    (r"adult'?s? (social care|services|social services)|\basc\b|safeguarding adults", "adult_social_care"),
    (r"health visit|midwif|maternity|school nurs|0-19|family nurse", "health_visiting"),
    (r"\bcpn\b|mental health|home treatment|crisis team|early intervention|\bimhs\b|\bcmht\b|psychiatr|iapt|talking therap", "mental_health"),
    (r"substance|drug|alcohol|recovery service|addaction|we are with you|turning point|change grow live|\bcgl\b", "substance_misuse"),
    (r"ambulance|paramedic|\bnhs 111\b", "ambulance"),
    (r"hospital|a ?& ?e|emergency department|infirmary|\bnhs (foundation )?trust\b", "hospital"),
    (r"\bgp\b|surgery|medical cent|health cent|medical practice|primary care|doctor", "gp"),
    (r"probation|\bcrc\b|\bnps\b|youth offending|\byot\b|prison|\bhmpps\b", "probation"),
    (r"police|constabulary|\bmet\b|\bwmp\b|\bgmp\b", "police"),
    (r"housing|homes\b|homeless|tenancy|landlord", "housing"),
    (r"school|college|academy|universit|education", "education"),
    (r"immigration|ukba|home office|border", "immigration"),
    (r"\bdwp\b|jobcentre|job centre|work and pensions", "dwp"),
]
_AGENCY_HINTS_COMPILED = [(re.compile(pattern, re.IGNORECASE), kind) for pattern, kind in _AGENCY_NAME_HINTS]


def infer_agency_type(name: str) -> str:
    """The agency type a name suggests ("Elm Tree Surgery" -> "gp"), else "other"."""
    for pattern, kind in _AGENCY_HINTS_COMPILED:
        if pattern.search(name):
            return kind
    return "other"


@functools.lru_cache(maxsize=65536)
def agency_key(name: str) -> str:
    """One key for every spelling of a name that differs only in case, spacing, punctuation or '&'.

    >>> agency_key("Children's  Services") == agency_key("childrens services")
    True
    """
    text = name.lower().replace("&", " and ")
    text = re.sub(r"[^\w\s]", "", text)
    return " ".join(text.split())
