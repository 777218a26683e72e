"""A deterministic synthetic corpus of Domestic Homicide Review chronologies, with an answer key.

Why: the loaders and the missed-connections queries need data shaped like real review chronologies
(agencies and their aliases, pseudonyms, DASH scores, referrals, shares, uncertain dates) at any
scale up to millions of contacts, and the queries need a ground truth. Real reviews are
special-category personal data, so everything here is invented: fictional areas, pseudonymous
people ("Adult A", fictional first names) and professionals ("GP 3", "PC 1127").

Each review is one family, shaped by the figures in ``shared/DOMAIN.md`` (victims mostly female,
perpetrators mostly male, mostly intimate partners, children in most households).

* About 12% are *good practice* families: every risk is referred or shared onward within days to
  every agency that later sees the family, high DASH scores go to the MARAC, a missed appointment
  is followed up. No query should find anything in them.
* The others get one to three *planted* missed connections (issue 4), each built so that it meets
  its query's definition with the default parameters, plus a few serial perpetrators linked across
  reviews by ``global_id``. Planted rows never refer or share: only the episodes that model agencies
  doing their job do, and those are kept away from the agencies a plant depends on.
* Background rows (routine appointments, visits, calls) fill each review to its size. They carry no
  referrals, shares, DASH scores, incidents, assessments or missed appointments, so they can add
  findings to a non-good-practice review but can never hide a planted one.

* Every identified person has identifying details (aliases, dob, postcode, identifiers), and the
  record-linkage hard cases are planted: serial perpetrators with no global_id, spelled differently
  in another area, and look-alikes that are not one person (``plant_identities``).

``answer_key.json`` lists every planted finding with the chronology line of the row it rests on.
Output is byte-identical for the same arguments: one ``random.Random(seed)`` drives everything in
a fixed order, and only lists and insertion-ordered dicts are iterated.
"""

from __future__ import annotations

import csv
import json
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, NamedTuple, Sequence

from dhrgraph.loaders.vocab import DASH_HIGH_RISK, DASH_MEDIUM_RISK, RISK_ORDER
from dhrgraph.queries.themes import REVIEW_TYPES

__all__ = ["generate"]

# --- vocabulary and shape of the files ----------------------------------------------------------



class ChronologyRow(NamedTuple):
    """One written chronology row (the file's columns, in order)."""

    date: str
    time: str
    sequence: int | str
    agency: str
    subject: str
    event: str
    summary: str
    professional: str
    risk_level: str
    dash_score: str
    risk_factors: str
    referred_to: str
    referral_outcome: str
    shared_with: str
    source: str


CHRONOLOGY_COLUMNS = ChronologyRow._fields


class StoryRow(NamedTuple):
    """A core or background row before ordering: sorts by day, then by the order rows were made (unique, so
    ``row`` is never compared); ``precise`` rows (a full date) get same-day sequence numbers when written;
    ``finding`` is the answer-key entry the row plants, if any."""

    day: int
    order: int
    precise: bool
    row: ChronologyRow  # its sequence is filled in by ``chronology``
    finding: dict | None
PEOPLE_COLUMNS = ("person", "role", "sex", "age", "global_id", "identified")
IDENTITY_COLUMNS = ("aliases", "dob", "postcode", "identifiers")  # identifying details (see plant_identities)
RELATIONSHIP_COLUMNS = ("person", "other", "relationship", "abusive")
AGENCY_COLUMNS = ("name", "type", "aliases")
RECOMMENDATION_COLUMNS = ("id", "agency", "text", "themes", "due", "status", "evidence")

PATTERNS = ("missed-marac", "unshared-risk", "fragmented-risk", "victim-perpetrator-divide",
            "children-not-referred", "no-follow-up", "professional-churn", "unidentified-people",
            "escalation-without-reassessment", "joined-up-risk", "unrecognised-high-risk")

AREAS = ("Northbrook", "Calder Vale", "Ashworth", "Kingsmere", "Eastholm", "Westmarsh", "Harrowfield",
         "Brackenridge", "Fenwick Moor", "Lindale", "Oakhurst", "Stonebridge", "Marlow Heath",
         "Redcliffe Vale", "Thornbury Cross", "Wickham Dene", "Ravensfold", "Hollingbrook", "Greystead",
         "Amberley Moor", "Dunmere", "Kestrel Bay", "Saltmarsh", "Elderton")
SURGERIES = ("Elm Tree Surgery", "Riverside Medical Centre", "Castle Street Surgery", "Park Lane Health Centre",
             "Millbrook Medical Practice", "Station Road Surgery", "Oakfield Medical Centre", "The Willows Surgery")
SCHOOLS = ("St Anne's Primary School", "Hillside Academy", "Meadow Lane Primary School", "Brookfield Academy")
FEMALE_NAMES = ("Alice", "Bethany", "Carla", "Dawn", "Erin", "Fiona", "Gemma", "Hollie", "Imogen", "Jodie",
                "Kerry", "Leanne", "Maya", "Nadia", "Olivia", "Paula", "Rosie", "Shona", "Tanya", "Vicky", "Zara")
MALE_NAMES = ("Aaron", "Ben", "Callum", "Dean", "Ethan", "Frank", "Gary", "Harvey", "Ian", "Jason", "Kyle",
              "Liam", "Mark", "Neil", "Owen", "Paul", "Ryan", "Scott", "Terry", "Wayne")
PRONOUNS = {"female": ("she", "her", "her"), "male": ("he", "him", "his")}
RELATION_WORDS = {  # how the victim's side would name the perpetrator, by relationship and the perpetrator's sex
    "partner": ("partner", "partner"), "ex_partner": ("ex-partner", "ex-partner"), "spouse": ("wife", "husband"),
    "child": ("daughter", "son"), "household": ("lodger", "lodger"), "carer": ("carer", "carer"),
    "sibling": ("sister", "brother"),
}

# Who an agency may record contacts about: victim-side agencies never see the perpetrator and
# perpetrator-side agencies never see the victim, which is what victim-perpetrator-divide is about.
V_SIDE, P_SIDE, BOTH, CHILD_ONLY, FORUM = "victim", "perpetrator", "both", "child", "forum"
SIDE_SUBJECTS = {V_SIDE: ("v", "c", "vc"), P_SIDE: ("p",), BOTH: ("v", "p", "vp", "c", "vc"),
                 CHILD_ONLY: ("c",), FORUM: ()}


@dataclass(frozen=True)
class AgencyKind:
    type: str
    name: str                  # pattern: {area}, {surgery}, {school}
    aliases: tuple[str, ...]
    source: str
    professional: str          # pseudonym prefix, e.g. "PC" -> "PC 1127"
    numbers: tuple[int, int]
    side: str
    time_share: float          # share of rows that record a time of day


AGENCY_KINDS: dict[str, AgencyKind] = {
    "police": AgencyKind("police", "{area} Police", ("{area} Constabulary",), "Police IMR", "PC", (1000, 2999), BOTH, 0.8),
    "gp": AgencyKind("gp", "{area} {surgery}", (), "GP IMR", "GP", (1, 12), BOTH, 0.1),
    "mh": AgencyKind("mental_health", "{area} Mental Health Trust", ("{area} MHT",), "Mental Health Trust IMR", "CPN", (1, 9), P_SIDE, 0.1),
    "recovery": AgencyKind("substance_misuse", "{area} Recovery Service", (), "Recovery Service IMR", "Key worker", (1, 9), P_SIDE, 0.1),
    "probation": AgencyKind("probation", "{area} Probation", ("{area} Probation Service",), "Probation IMR", "PO", (1, 9), P_SIDE, 0.1),
    "idva": AgencyKind("da_service", "{area} IDVA Service", ("{area} IDVA",), "IDVA Service IMR", "IDVA", (1, 6), V_SIDE, 0.2),
    "hv": AgencyKind("health_visiting", "{area} Health Visiting", (), "Health IMR", "HV", (1, 9), V_SIDE, 0.1),
    "midwifery": AgencyKind("health_visiting", "{area} Midwifery", (), "Health IMR", "Midwife", (1, 9), V_SIDE, 0.1),
    "housing": AgencyKind("housing", "{area} Housing", ("{area} Housing Services",), "Housing IMR", "Housing officer", (1, 9), V_SIDE, 0.1),
    "asc": AgencyKind("adult_social_care", "{area} Adult Social Care", (), "Adult Social Care IMR", "Social worker", (1, 9), V_SIDE, 0.1),
    "hospital": AgencyKind("hospital", "{area} Hospital", ("{area} General Hospital",), "Hospital IMR", "ED doctor", (1, 20), BOTH, 0.7),
    "ambulance": AgencyKind("ambulance", "{area} Ambulance Service", (), "Ambulance Service IMR", "Paramedic", (1, 30), BOTH, 0.9),
    "csc": AgencyKind("children_social_care", "{area} Children's Services", ("{area} Children's Social Care",), "Children's Services IMR", "SW", (1, 9), BOTH, 0.1),
    "school": AgencyKind("education", "{area} {school}", (), "School IMR", "DSL", (1, 3), CHILD_ONLY, 0.1),
    "marac": AgencyKind("marac", "{area} MARAC", (), "MARAC minutes", "MARAC chair", (1, 3), FORUM, 0.0),
    "mash": AgencyKind("mash", "{area} MASH", (), "MASH record", "MASH officer", (1, 9), FORUM, 0.0),
}

# Background contacts by agency kind: (event, who, summary, risk factors). "who" is v (victim),
# p (perpetrator), vp (both), c (a child) or vc (victim and a child). No flows, no DASH, no
# incidents, assessments or missed appointments: see the module docstring.
NOISE: dict[str, tuple[tuple[str, str, str, tuple[str, ...]], ...]] = {
    "police": (
        ("call", "v", "{v} reported that {v_pos} car had been damaged outside the house; crime recorded, no suspect identified.", ()),
        ("call", "v", "Welfare check requested by {v_pos} family after a missed phone call; {v} found safe and well.", ()),
        ("other", "v", "{v} attended the front counter to collect property held after a burglary report.", ()),
        ("call", "p", "{p} reported a dispute with a neighbour about parking; advice given to both parties.", ()),
        ("arrest", "p", "{p} arrested for shoplifting from a supermarket; released under investigation.", ("criminal_history",)),
        ("other", "p", "{p} stopped while driving; vehicle documents produced, no offences.", ()),
        ("call", "vp", "Neighbour reported raised voices at the home of {v} and {p}; officers attended, both said it had been a verbal argument, no offences disclosed.", ()),
    ),
    "gp": (
        ("appointment", "v", "{v} seen with a chest infection; antibiotics prescribed.", ()),
        ("appointment", "v", "Contraception review with {v}; no concerns noted.", ()),
        ("call", "v", "Telephone consultation with {v} about a repeat prescription.", ()),
        ("appointment", "v", "{v} seen with anxiety and poor sleep; self-help resources given.", ("mental_health",)),
        ("appointment", "p", "{p} seen with a sprained wrist; advised rest.", ()),
        ("appointment", "p", "{p} attended for a fit note; low mood and stress at work recorded.", ("mental_health",)),
        ("appointment", "p", "{p} said {p_subj} drinks most evenings; alcohol advice given.", ("alcohol_misuse",)),
        ("call", "p", "Telephone medication review with {p}; not taking antidepressants as prescribed.", ("mental_health", "medication_non_compliance")),
        ("appointment", "c", "{c} seen with an ear infection; antibiotics prescribed.", ()),
        ("appointment", "c", "{c} attended for routine immunisations.", ()),
    ),
    "mh": (
        ("appointment", "p", "Outpatient review with {p}; mood described as stable, medication continued.", ("mental_health",)),
        ("home_visit", "p", "Care coordinator visited {p}; medication adherence discussed.", ("mental_health",)),
        ("call", "p", "{p} telephoned the crisis line feeling low; advised to contact {p_pos} GP the next day.", ("mental_health",)),
        ("appointment", "p", "Psychology session with {p}; work on managing anger continued.", ("mental_health",)),
        ("call", "p", "Telephone call to {p} to rebook an outpatient review; new date agreed.", ()),
    ),
    "recovery": (
        ("appointment", "p", "Key work session with {p}; said {p_subj} had cut down {p_pos} drinking.", ("alcohol_misuse",)),
        ("appointment", "p", "{p} attended the weekly recovery group.", ("substance_misuse",)),
        ("call", "p", "Telephone check-in with {p}; no new concerns.", ()),
    ),
    "probation": (
        ("appointment", "p", "Supervision appointment with {p}; employment and accommodation discussed.", ()),
        ("appointment", "p", "{p} attended the unpaid work induction.", ()),
        ("home_visit", "p", "Home visit to {p}; no concerns noted at the address.", ()),
    ),
    "idva": (
        ("call", "v", "Welfare call to {v}; no new concerns reported.", ()),
        ("appointment", "v", "{v} attended the weekly support group.", ()),
        ("call", "v", "{v} asked about the Freedom Programme; course details sent.", ()),
    ),
    "hv": (
        ("home_visit", "vc", "Routine health visitor contact with {v} and {c}; development on track.", ()),
        ("appointment", "c", "{c} weighed at the baby clinic; growth on track.", ()),
        ("home_visit", "vc", "Routine enquiry about domestic abuse asked with {v} seen alone; no disclosure.", ()),
    ),
    "midwifery": (
        ("appointment", "v", "Antenatal appointment with {v}; pregnancy progressing normally.", ("pregnancy",)),
        ("appointment", "v", "Antenatal appointment; routine enquiry about domestic abuse not asked because {v} was not seen alone.", ()),
    ),
    "housing": (
        ("home_visit", "v", "Tenancy visit to {v}; property in good condition.", ()),
        ("call", "v", "{v} reported a leaking roof; repair ordered.", ()),
        ("appointment", "v", "{v} attended the housing office about a change to {v_pos} benefits.", ()),
    ),
    "asc": (
        ("home_visit", "v", "Care needs review with {v}; care package continued.", ()),
        ("call", "v", "{v} asked for a review of {v_pos} mobility aids; occupational therapy visit booked.", ()),
    ),
    "hospital": (
        ("appointment", "v", "{v} attended the fracture clinic for a follow-up review.", ()),
        ("admission", "p", "{p} admitted overnight with chest pain; discharged the next day.", ()),
        ("appointment", "p", "{p} attended the emergency department intoxicated with a cut hand; wound closed and discharged.", ("alcohol_misuse",)),
        ("appointment", "c", "{c} attended the emergency department after a fall in the park; no concerns.", ()),
    ),
    "ambulance": (
        ("call", "p", "Ambulance called for {p} after a fall while drunk; conveyed to the emergency department.", ("alcohol_misuse",)),
        ("call", "v", "Ambulance called for {v} with abdominal pain; conveyed to hospital.", ()),
    ),
    "school": (
        ("other", "c", "{c}'s attendance fell to 88% this term; letter sent home.", ()),
        ("other", "c", "{c} reported to be tired in class; class teacher spoke to the parent at collection.", ()),
        ("appointment", "c", "Parents' evening: {c} making expected progress.", ()),
    ),
}
# Good-practice background rows use only these: none of them creates an obligation to share.
SAFE_EVENTS = ("appointment", "home_visit", "call", "other")

# --- planted patterns: (agency kind, summary, risk factors), one tuple per variant ---------------

MISSED_MARAC = (
    ("Officers attended after {v} reported that {p} had pushed {v_obj} against a wall and threatened to kill {v_obj}. DASH completed: {dash} yes answers, high risk. Crime recorded; no MARAC referral made.",
     ("threats_to_kill", "injury")),
    ("Report of a domestic incident at {v}'s home; {p} had left before officers arrived. DASH completed with {v}: {dash} yes answers, graded high. Safeguarding advice given; supervisor review did not identify the case for MARAC.",
     ("separation", "stalking", "coercive_control")),
    ("{v} reported that {p} had held {v_obj} by the throat during an argument. DASH {dash}/27, high risk. {p} arrested and bailed; no MARAC referral made.",
     ("strangulation", "injury", "escalation")),
)
UNSHARED_RISK = (  # (agency kind, who, event, summary, factors)
    ("gp_v", "v", "disclosure", "{v} told the GP that {p_rel} had threatened to kill {v_obj}. Advised to call the police in an emergency; no referral made and no information shared.",
     ("threats_to_kill", "coercive_control")),
    ("mh", "p", "assessment", "Home treatment team assessment: {p} described thoughts of ending {p_pos} life and said {p_subj} would 'take {v} too'. Review in four weeks; no safeguarding referral and no information shared.",
     ("suicidal_ideation", "threats_to_kill", "mental_health")),
    ("hospital", "v", "appointment", "{v} attended the emergency department with bruising to the neck and said {p_rel} had strangled {v_obj}. Injuries treated and discharged home; no safeguarding referral recorded.",
     ("strangulation", "injury")),
    ("probation", "p", "appointment", "Supervision: {p} said {p_subj} had been waiting outside {v}'s workplace 'to talk'. Recorded on the case file; not shared with the police.",
     ("stalking",)),
)
FRAGMENTED_RISK = {  # by whose risk is fragmented: (agency kind, event, summary, factors)
    "p": (("mh", "assessment", "Mental health assessment of {p}: low mood, poor sleep and paranoid thoughts about {v}; not taking prescribed medication. Care coordinator allocated.",
           ("mental_health", "medication_non_compliance")),
          ("recovery", "appointment", "Key work session: {p} drinking up to two litres of cider a day and using cocaine at weekends. Harm reduction advice given.",
           ("alcohol_misuse", "substance_misuse")),
          ("probation", "appointment", "OASys review of {p}: previous convictions for violence, including against a former partner.",
           ("criminal_history", "previous_partner_abuse"))),
    "v": (("gp_v", "appointment", "{v} seen with low mood and superficial cuts to {v_pos} arms; talking therapy discussed.",
           ("mental_health", "self_harm")),
          ("housing", "home_visit", "Tenancy visit: {v} in rent arrears and said {p} controls the household money; {v} rarely leaves the flat.",
           ("financial_abuse", "isolation"))),
}
DIVIDE_VICTIM = (
    ("idva", "call", "{v} called the helpline and described {p}'s controlling behaviour; safety planning discussed.", ("coercive_control",)),
    ("housing", "call", "{v} asked about moving to another property because of problems with {p}; housing application form sent.", ()),
    ("gp_v", "disclosure", "{v} disclosed that {p_rel} checks {v_pos} phone and stops {v_obj} seeing friends; helpline leaflet given.", ("coercive_control",)),
)
DIVIDE_PERPETRATOR = (
    ("probation", "appointment", "Supervision with {p}: said {p_subj} was 'back with' {v} and things were fine; not verified.", ("criminal_history",)),
    ("mh", "appointment", "Outpatient review: {p} described jealousy and anger about {v} going out; medication changed.", ("mental_health",)),
    ("recovery", "appointment", "Key work session: {p} said arguments at home were making {p_obj} drink more.", ("alcohol_misuse",)),
)
CHILDREN_NOT_REFERRED = (  # (agency kind, event, summary, factors)
    ("gp_v", "disclosure", "{v} disclosed that {p_rel} had hit {v_obj} in front of the children. Advice given; no referral to children's services.",
     ("injury", "child_in_household")),
    ("hospital", "disclosure", "{v} attended the emergency department with a fractured finger and said {p_rel} had twisted it during an argument while the children were at home. Treated and discharged.",
     ("injury", "child_in_household")),
    ("hv", "disclosure", "Routine enquiry with {v} seen alone: {v} disclosed that {p} shouts at {v_obj} and had pushed {v_obj} while {c} was present. Leaflet given.",
     ("coercive_control", "child_in_household")),
    ("police", "incident", "Officers attended an argument that had become physical; {v} had a cut lip and {c} was in the house. {p} given words of advice. DASH not completed; no notification to children's services.",
     ("injury", "child_in_household")),
)
NO_FOLLOW_UP = {  # (agency kind, who): (first event, first summary, missed summary, closing event, closing summary)
    ("mh", "p"): ("appointment", "GP referral triaged; first appointment offered to {p}.", "{p} did not attend the first appointment.",
                  "discharge", "Discharged from the service after the missed appointment."),
    ("recovery", "p"): ("call", "Self-referral by telephone; assessment booked for {p}.", "{p} did not attend the assessment.",
                        "case_closed", "Case closed after the missed assessment."),
    ("idva", "v"): ("call", "Referral received; {v} spoken to by telephone and a meeting arranged.", "{v} did not attend the planned meeting.",
                    "case_closed", "Case closed after the missed meeting."),
    ("asc", "v"): ("call", "Request for a care needs assessment for {v}; home visit booked.", "No answer at the booked home visit to {v}.",
                   "case_closed", "Request closed after the unsuccessful visit."),
}
CHURN = (
    ("{who} seen with low mood and poor sleep; sertraline started.", ("mental_health",)),
    ("{who} reviewed: still low in mood and 'stressed at home'; dose increased.", ("mental_health",)),
    ("{who} requested a fit note for stress; issued for four weeks.", ("mental_health",)),
    ("{who} seen with back pain; analgesia prescribed.", ()),
    ("{who} seen with headaches; blood pressure normal.", ()),
)
UNIDENTIFIED = {  # pseudonym pattern -> rows (agency kind, who, event, summary)
    "Unnamed {partner}": (("police", "p", "call", "{p} attended the front counter and said {p_pos} {partner} was putting something in {p_pos} food; {p_subj} would not give a name. No enquiries made to identify who this was."),
                          ("police", "p", "call", "{p} called from another station's area repeating that {p_pos} {partner} was poisoning {p_obj}; the earlier report was not linked."),
                          ("gp_p", "p", "appointment", "{p} told the GP that {p_pos} {partner} was poisoning {p_obj}; not asked who she was.")),
    "Unknown male": (("housing", "v", "home_visit", "A man was at {v}'s flat and left as the housing officer arrived; his identity was not established."),
                     ("police", "v", "call", "Neighbour reported a man shouting at {v}'s door; gone on arrival and not identified.")),
}
ESCALATION = (  # the first incident is assessed; the rest grow in frequency and seriousness without a new assessment
    ("Officers attended a report of shouting at {v}'s home; {v} described controlling behaviour by {p}. DASH completed: {dash} yes answers, standard risk.",
     ("coercive_control",)),
    ("{v} reported that {p} had pushed {v_obj} into a door, causing bruising. DASH not completed.",
     ("coercive_control", "injury")),
    ("Neighbour reported screaming. {v} had red marks on {v_pos} neck and said {p} had grabbed {v_obj} by the throat. Crime recorded; risk assessment not reviewed.",
     ("coercive_control", "injury", "strangulation")),
    ("{v} reported that {p} had threatened {v_obj} with a kitchen knife and said {p_subj} would kill {v_obj}. {p} arrested and released on bail; risk assessment not reviewed.",
     ("injury", "strangulation", "threats_to_kill", "weapon")),
)

# --- agencies doing their job (good practice, and the better parts of other reviews) ------------

HIGH_ACTS = (("punched {v_obj} and threatened to kill {v_obj}", ("threats_to_kill", "injury")),
             ("held {v_obj} by the throat during an argument", ("strangulation", "injury")),
             ("followed {v_obj} to work and smashed {v_pos} car windows", ("stalking", "escalation")))
MEDIUM_ACTS = (("pushed {v_obj} and smashed {v_pos} phone", ("coercive_control", "injury")),
               ("shouted at {v_obj} and would not let {v_obj} leave the house", ("coercive_control",)))
TRIGGER = "Officers attended after {v} reported that {p} had {act}. DASH completed: {dash} yes answers, {level} risk. {flows}"
IDVA_REVIEW = "IDVA contacted {v} the day after the referral. DASH reviewed: {dash} yes answers, {level} risk. Safety plan agreed. {flows}"
CSC_ASSESSMENT = "Child and family assessment started; the children seen at home and {v} seen alone. Safety plan agreed with {v}. {flows}"
MARAC_MEETING = "Case heard at MARAC; risk confirmed as {level}. Action plan agreed. {flows}"
GP_AWARE = "{v} seen by the GP, who was aware of the police referral; domestic abuse support discussed and a review booked. {flows}"
GP_PERPETRATOR = "{p} seen with low mood; the GP was aware of the police incident and asked who else was at risk. {flows}"
MISSED_THEN_SEEN = ("{v} did not attend the planned appointment.",
                    "Follow-up home visit after the missed appointment; {v} seen alone and support continued. {flows}")
MARAC_IDVA_CALL = "IDVA contacted {v} following the police referral; safety planning started."
MENTAL_HEALTH_NOTE = "{p} seen with anxiety and low mood; antidepressant started and reviewed in four weeks."

# Risk visible only when joined up: three agencies each hold a part (each below high risk, no MARAC).
# The parts are (agency kind, who, event, summary, factors); a review with this pattern has no other,
# so that its near misses stay near misses. Reviews take the variants in turn: a planted case, then a
# near miss whose union stays below high risk, then one where an agency alone already held high risk
# (missed-marac's finding, not joined-up-risk's).
JOINED_UP = "joined-up-risk"
JOINED_UP_VARIANTS = ("found", "below", "single-agency")
JOINED_UP_PARTS = {
    "found": (
        ("police", "v", "incident", "{v} reported that {p} had forced {v_obj} into sex and pushed {v_obj} over, and that the abuse was getting worse. DASH completed: {dash} yes answers, {level} risk. Crime recorded; no referral made.",
         ("sexual_violence", "injury", "coercive_control", "escalation")),
        ("gp_v", "v", "disclosure", "{v} said {v_subj} had told {p} the relationship was over; {p_subj} had threatened to kill {v_obj}, keeps {v_pos} bank card and stops {v_obj} seeing friends. Low mood. Helpline number given; no referral made.",
         ("separation", "threats_to_kill", "financial_abuse", "isolation", "mental_health")),
        ("probation", "p", "appointment", "OASys review of {p}: previous violence to a former partner, a breach of a non-molestation order, cocaine use, threats of suicide when the relationship ends, and the dog was hurt. Not shared.",
         ("criminal_history", "previous_partner_abuse", "breach_of_order", "substance_misuse", "suicidal_ideation", "animal_abuse")),
    ),
    "below": (
        ("idva", "v", "assessment", "IDVA risk assessment with {v}: {p} checks {v_pos} phone and controls the money. DASH {dash} yes answers, {level} risk. Support continued; no referral made.",
         ("coercive_control", "financial_abuse")),
        ("gp_v", "v", "disclosure", "{v} said {p} had once threatened to kill {v_obj} in an argument; low mood. Helpline number given.",
         ("threats_to_kill", "mental_health")),
        ("probation", "p", "appointment", "Supervision with {p}: previous convictions, drinking and drug use; licence conditions reviewed.",
         ("criminal_history", "substance_misuse", "breach_of_order")),
    ),
    "single-agency": (
        ("police", "v", "incident", "{v} reported that {p} had punched {v_obj} and threatened to kill {v_obj}. DASH completed: {dash} yes answers, high risk. No MARAC referral made.",
         ("threats_to_kill", "injury")),
        ("gp_v", "v", "disclosure", "{v} said {p} controls the money and stops {v_obj} seeing friends; low mood. Helpline number given.",
         ("coercive_control", "isolation", "financial_abuse", "mental_health")),
        ("probation", "p", "appointment", "Supervision with {p}: previous violence to a former partner and drug use discussed.",
         ("criminal_history", "previous_partner_abuse", "substance_misuse")),
    ),
}

# High risk one agency's own records showed (two of its contacts about the victim raise a red flag together), with
# no DASH, no high grading and no MARAC: (agency kind, first contact, second contact), each (event, summary, factors).
UNRECOGNISED = "unrecognised-high-risk"
UNRECOGNISED_PARTS = (
    ("gp_v", ("disclosure", "{v} said {p} had put {p_pos} hands round {v_pos} neck during an argument and said {p_subj} would kill {v_obj} if {v_subj} left. Sleeping tablets prescribed; helpline number given.",
              ("strangulation", "threats_to_kill", "mental_health")),
             ("appointment", "Review of low mood. {v} said {p} keeps a knife by the bed and has held it to {v_pos} face. Advised to contact the police if {v_subj} felt unsafe.",
              ("weapon", "mental_health"))),
    ("hospital", ("appointment", "{v} attended the emergency department with bruising to the neck and said {p_rel} had choked {v_obj} and threatened to kill {v_obj}. Treated and discharged home.",
                  ("strangulation", "threats_to_kill", "injury")),
                 ("appointment", "{v} attended with a cut to the hand and said {p_rel} had come at {v_obj} with a knife. Wound closed; discharged home.",
                  ("weapon", "injury"))),
    ("gp_v", ("disclosure", "{v} said {v_subj} had ended the relationship with {p} last month. Low mood; counselling offered.",
              ("separation", "mental_health")),
             ("appointment", "{v} said {p} follows {v_obj} to work and waits outside {v_pos} home most nights. Advised to keep a diary.",
              ("stalking",))),
)

# A missed MARAC needs no MARAC near it; an escalation needs no risk assessment after its first one; high risk one
# agency's records showed and nobody recognised needs no MARAC near it either.
EXCLUSIVE = {"missed-marac", "escalation-without-reassessment", UNRECOGNISED}

# --- dates --------------------------------------------------------------------------------------

FIRST_DAY, LAST_DAY = date(2008, 1, 1).toordinal(), date(2024, 1, 1).toordinal()
ISO = {d: date.fromordinal(d).isoformat() for d in range(FIRST_DAY, LAST_DAY)}
UK = {d: f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}" for d, iso in ISO.items()}
TIMES = tuple(f"{h:02d}:{m:02d}" for h in range(24) for m in range(0, 60, 5))
HOMICIDES = (date(2013, 1, 1).toordinal(), date(2023, 12, 31).toordinal())

UK_SHARE = 0.05       # rows written with a UK DD/MM/YYYY date
MONTH_SHARE = 0.03    # background rows known only to the month (YYYY-MM)
UNCERTAIN_SHARE = 0.03  # background rows marked uncertain with a leading '?'
ALIAS_SHARE = 0.08    # rows naming their agency by an alias
# With the plants that also record it, about 9 in 13 perpetrators (the West Midlands figure) end up
# with mental health issues on record.
PERPETRATOR_MENTAL_HEALTH = 0.55


def level_of(dash: int) -> str:
    return "high" if dash >= DASH_HIGH_RISK else "medium" if dash >= DASH_MEDIUM_RISK else "standard"


# --- one review ---------------------------------------------------------------------------------

@dataclass
class Agency:
    key: str
    name: str
    type: str
    aliases: tuple[str, ...]
    source: str
    side: str
    pool: tuple[str, ...]      # the professionals who record its routine contacts in this review
    time_share: float


@dataclass
class Review:
    """One family: its people, its agencies, the rows that carry its story, and its answer key."""

    rid: str
    rng: random.Random
    area: str
    kind: str                  # partner | family | other
    good: bool
    surgeries: tuple[str, ...]
    school: str
    lettered: bool = False     # pseudonyms "Adult A", "Child C" rather than first names
    troubled: bool = False     # the perpetrator's mental health is on record (routine rows may say so)
    start: int = 0
    end: int = 0
    people: list[tuple] = field(default_factory=list)
    relationships: list[tuple] = field(default_factory=list)
    victim: str = ""
    perpetrator: str = ""
    children: list[str] = field(default_factory=list)
    words: dict[str, str] = field(default_factory=dict)
    agencies: dict[str, Agency] = field(default_factory=dict)
    patterns: list[str] = field(default_factory=list)
    joined_up_variant: str = ""                       # which JOINED_UP_VARIANTS this review plants
    near_misses: list[dict] = field(default_factory=list)  # answer-key entries no query may report
    quiet: set[str] = field(default_factory=set)      # agencies that must record nothing but their plant
    isolated: set[str] = field(default_factory=set)   # agencies no flow may leave or reach
    core: list[StoryRow] = field(default_factory=list)
    key: list[dict] = field(default_factory=list)
    order: int = 0
    details: dict[str, tuple] = field(default_factory=dict)  # person -> IDENTITY_COLUMNS values

    # people -------------------------------------------------------------------------------------

    def cast(self, serial_gid: str | None) -> None:
        """Invent the victim, the perpetrator, any children and a relative, and how they are related."""
        rng = self.rng
        name = self._namer()
        self.lettered = rng.random() < 0.5
        self.troubled = rng.random() < PERPETRATOR_MENTAL_HEALTH
        v_sex, p_sex = self._sexes(serial_gid)
        relation, v_age, p_age = self._relation_and_ages()
        self.victim = name(v_sex, "Adult")
        self.perpetrator = name(p_sex, "Adult")
        self.people += [(self.victim, "victim", v_sex, v_age, "", "yes"),
                        (self.perpetrator, "perpetrator", p_sex, p_age, serial_gid or "", "yes")]
        self.relationships.append((self.perpetrator, self.victim, relation, "yes"))
        v_subj, v_obj, v_pos = PRONOUNS[v_sex]
        p_subj, p_obj, p_pos = PRONOUNS[p_sex]
        self.words.update(v=self.victim, p=self.perpetrator, v_subj=v_subj, v_obj=v_obj, v_pos=v_pos,
                          p_subj=p_subj, p_obj=p_obj, p_pos=p_pos,
                          p_rel=f"{v_pos} {RELATION_WORDS[relation][p_sex == 'male']}",
                          partner="girlfriend" if p_sex == "male" else "boyfriend")
        # 0.66 of partner homicides gives the 58% of households with children in DOMAIN.md
        if self.kind == "partner" and rng.random() < 0.66:
            self._add_children(name)
        if rng.random() < 0.2:
            sex = rng.choice(("female", "male"))
            relative = name(sex, "Adult")
            self.people.append((relative, "family", sex, max(18, v_age + rng.randint(-8, 8)), "", "yes"))
            self.relationships.append((relative, self.victim, "sibling", "no"))

    def _namer(self) -> Callable[[str, str], str]:
        """name(sex, label): 'Adult A', 'Child B' ... in a lettered review (``self.lettered`` when called),
        else a first name of that sex not yet used in the review."""
        rng = self.rng
        letters = iter("ABCDEFGHJKLMNPQRSTUVWXYZ")
        used: set[str] = set()

        def name(sex: str, label: str) -> str:
            if self.lettered:
                return f"{label} {next(letters)}"
            chosen = rng.choice([n for n in (FEMALE_NAMES if sex == "female" else MALE_NAMES) if n not in used])
            used.add(chosen)
            return chosen
        return name

    def _sexes(self, serial_gid: str | None) -> tuple[str, str]:
        """The victim's and the perpetrator's sex (a serial perpetrator's victims are women)."""
        rng = self.rng
        if serial_gid:
            return "female", "male"
        v_sex = "female" if rng.random() < 0.88 else "male"
        p_sex = ("male" if rng.random() < 0.97 else "female") if v_sex == "female" else \
                ("female" if rng.random() < 0.6 else "male")
        return v_sex, p_sex

    def _relation_and_ages(self) -> tuple[str, int, int]:
        """The perpetrator's relationship to the victim, by the review's kind, and both ages."""
        rng = self.rng
        if self.kind == "partner":
            relation = rng.choices(("partner", "ex_partner", "spouse"), (0.45, 0.3, 0.25))[0]
            v_age = min(80, max(18, int(rng.triangular(18, 75, 33))))
            return relation, v_age, max(18, v_age + rng.randint(-5, 10))
        if self.kind == "family":
            v_age = rng.randint(55, 88)
            return "child", v_age, rng.randint(20, v_age - 20)
        relation = rng.choice(("household", "carer", "sibling"))
        v_age, p_age = rng.randint(25, 80), rng.randint(20, 70)
        return relation, v_age, p_age

    def _add_children(self, name: Callable[[str, str], str]) -> None:
        """One to three children of the victim, in the perpetrator's household."""
        rng = self.rng
        for _ in range(rng.choices((1, 2, 3), (0.45, 0.4, 0.15))[0]):
            sex = rng.choice(("female", "male"))
            child = name(sex, "Child")
            self.children.append(child)
            self.people.append((child, "child", sex, rng.randint(0, 17), "", "yes"))
            self.relationships.append((self.victim, child, "parent", "no"))
            step = "parent" if rng.random() < 0.7 else "household"
            self.relationships.append((self.perpetrator, child, step, "no"))
        self.words["c"] = self.children[0]

    def add_previous_partner(self) -> None:
        """A former partner the perpetrator abused: the within-review form of a serial perpetrator."""
        p_sex = self.people[1][2]
        sex = "female" if p_sex == "male" else "male"
        taken = {p[0] for p in self.people}
        if self.lettered:
            former = next(f"Adult {c}" for c in "EFGHJKLMN" if f"Adult {c}" not in taken)
        else:
            former = self.rng.choice([n for n in (FEMALE_NAMES if sex == "female" else MALE_NAMES) if n not in taken])
        age = max(18, self.people[1][3] + self.rng.randint(-6, 4))
        self.people.append((former, "previous_partner", sex, age, "", "yes"))
        self.relationships.append((self.perpetrator, former, "ex_partner", "yes"))
        self.key.append({"query": "serial-perpetrators", "review": self.rid, "perpetrator": self.perpetrator,
                         "reviews": [self.rid], "victims": 2})

    # agencies -----------------------------------------------------------------------------------

    def ensure(self, key: str) -> Agency:
        """The review's agency of this kind, brought into the review on first use."""
        if key in self.agencies:
            return self.agencies[key]
        if key == "gp_p" and "gp_v" in self.agencies and self.rng.random() < 0.5:
            shared = self.agencies["gp_v"]      # one surgery for the whole household
            shared.side = BOTH
            self.agencies[key] = shared
            return shared
        kind = AGENCY_KINDS["gp" if key.startswith("gp") else key]
        surgery = self.surgeries[0 if key == "gp_v" else 1]
        fill = {"area": self.area, "surgery": surgery, "school": self.school}
        side = {"gp_v": V_SIDE, "gp_p": P_SIDE}.get(key, kind.side)
        # one practitioner per agency in good practice; never enough elsewhere to look like churn
        numbers = self.rng.sample(range(kind.numbers[0], kind.numbers[1] + 1), 1 if self.good else 3)
        pool = tuple(f"{kind.professional} {n}" for n in numbers)
        agency = Agency(key, kind.name.format(**fill), kind.type, tuple(a.format(**fill) for a in kind.aliases),
                        kind.source, side, pool, kind.time_share)
        self.agencies[key] = agency
        return agency

    def unique_agencies(self) -> list[Agency]:
        return list({id(a): a for a in self.agencies.values()}.values())

    def side_of(self, key: str) -> str:
        agency = self.agencies.get(key)
        return agency.side if agency else {"gp_v": V_SIDE, "gp_p": P_SIDE}.get(key) or AGENCY_KINDS[key].side

    def can_see(self, key: str, who: str) -> bool:
        """Whether agency ``key`` may record a contact about ``who`` without crossing the sides."""
        return who in SIDE_SUBJECTS[self.side_of(key)] and key not in self.quiet

    def blocked(self, key: str) -> bool:
        """Whether no flow may leave or reach agency ``key``."""
        return key in self.isolated or key in self.quiet

    def recipients(self, sender: str, *candidates: str) -> list[str]:
        return [k for k in candidates if k in self.agencies and k != sender and not self.blocked(k)]

    # rows ---------------------------------------------------------------------------------------

    def add(self, day: int, key: str, subjects: list[str], event: str, summary: str, *, professional: str = "",
            risk: str = "", dash: int | None = None, factors: tuple[str, ...] = (), referred: Sequence[str] = (),
            shared: Sequence[str] = (), finding: dict | None = None) -> None:
        """Append one core row; ``finding`` is the answer-key entry that will get this row's line."""
        rng = self.rng
        agency = self.ensure(key)
        shown = agency.aliases[0] if agency.aliases and rng.random() < ALIAS_SHARE else agency.name
        when = (UK if rng.random() < UK_SHARE else ISO)[day]
        time = rng.choice(TIMES) if rng.random() < agency.time_share else ""
        self.core.append(StoryRow(day, self.order, True, ChronologyRow(
            when, time, "", shown, "; ".join(subjects), event, summary, professional or rng.choice(agency.pool), risk,
            "" if dash is None else str(dash), "; ".join(factors), self.names(referred), "accepted" if referred else "",
            self.names(shared), agency.source), finding))
        self.order += 1
        if finding is not None:
            finding.update(agency=agency.name, date=ISO[day])
            self.key.append(finding)

    def names(self, keys: Sequence[str]) -> str:
        """A `;` list of the agencies' canonical names (two keys may share one surgery)."""
        return "; ".join(dict.fromkeys(self.agencies[k].name for k in keys))

    def text(self, template: str, **extra: object) -> str:
        return template.format(**self.words, **extra)

    def day_between(self, after: int, before: int) -> int:
        """A day at least ``after`` days past the start and ``before`` days short of the end."""
        return self.rng.randint(self.start + after, self.end - before)

    def routine(self, key: str, who: str) -> tuple[str, str]:
        """A factor-free background contact of agency ``key`` about ``who``: (event, summary)."""
        kind = "gp" if key.startswith("gp") else key
        event, _, summary, _ = self.rng.choice([t for t in NOISE[kind] if t[1] == who and not t[3]])
        return event, self.text(summary)

    def flows_text(self, referred: Sequence[str], shared: Sequence[str]) -> str:
        """The summary's account of the row's referrals and shares."""
        parts = [f"{verb} {self.names(keys).replace('; ', ', ')}." for verb, keys in
                 (("Referred to", referred), ("Information shared with", shared)) if keys]
        return " ".join(parts) or "No referrals made."

    def noise_slots(self) -> list[tuple]:
        """Every background contact this review's agencies may record, fully written out."""
        slots = []
        subjects = {"v": [(self.victim, self.words)], "p": [(self.perpetrator, self.words)],
                    "vp": [(f"{self.victim}; {self.perpetrator}", self.words)],
                    "c": [(c, {**self.words, "c": c}) for c in self.children],
                    "vc": [(f"{self.victim}; {c}", {**self.words, "c": c}) for c in self.children]}
        for agency in self.unique_agencies():
            if agency.key in self.quiet:
                continue
            for event, who, summary, factors in NOISE.get("gp" if agency.key.startswith("gp") else agency.key, ()):
                if who not in SIDE_SUBJECTS[agency.side]:
                    continue
                if self.good and (factors or event not in SAFE_EVENTS or who == "vp"):
                    continue
                if who == "p" and "mental_health" in factors and not self.troubled:
                    continue
                for subject, words in subjects[who]:
                    slots.append((agency.name, agency.aliases[0] if agency.aliases else agency.name, subject, event,
                                  summary.format(**words), "; ".join(factors), agency.source, agency.pool,
                                  agency.time_share))
        return slots


# --- the stories --------------------------------------------------------------------------------

def good_practice(rv: Review) -> None:
    """Police refer at once, everyone shares with everyone, the MARAC meets, a missed visit is followed up."""
    rng = rv.rng
    for key in ("police", "gp_v", "idva"):
        rv.ensure(key)
    rv.agencies["gp_p"] = rv.agencies["gp_v"]
    rv.agencies["gp_v"].side = BOTH
    if rv.children:
        for key in ("csc", "hv") + (("school",) if rng.random() < 0.5 else ()):
            rv.ensure(key)
    if rng.random() < 0.3:
        rv.ensure("housing")
    high = rng.random() < 0.5
    if high:
        rv.ensure("marac")
    v, p = rv.victim, rv.perpetrator
    everyone = [k for k, a in rv.agencies.items() if a.type != "marac" and k != "gp_p"]
    forum = ["marac"] if high else []

    def others(key: str) -> list[str]:
        return [k for k in everyone if k != key] + forum

    day = rv.day_between(60, 120)
    act, factors = rng.choice(HIGH_ACTS if high else MEDIUM_ACTS)
    dash = rng.randint(14, 20) if high else rng.randint(6, 13)
    referred = forum + ["idva"] + (["csc"] if rv.children else [])
    shared = [k for k in everyone if k not in referred and k != "police"]
    rv.add(day, "police", [v, p], "incident",
           rv.text(TRIGGER, act=rv.text(act), dash=dash, level=level_of(dash), flows=rv.flows_text(referred, shared)),
           risk=level_of(dash), dash=dash, factors=factors + (("child_in_household",) if rv.children else ()),
           referred=referred, shared=shared)
    day += rng.randint(1, 2)
    dash = min(max(dash + rng.randint(-1, 1), 14 if high else 6), 20 if high else 13)
    rv.add(day, "idva", [v], "assessment",
           rv.text(IDVA_REVIEW, dash=dash, level=level_of(dash), flows=rv.flows_text([], others("idva"))),
           risk=level_of(dash), dash=dash, factors=factors, shared=others("idva"))
    if rv.children:
        day += rng.randint(1, 3)
        rv.add(day, "csc", [v] + rv.children, "home_visit",
               rv.text(CSC_ASSESSMENT, flows=rv.flows_text([], others("csc"))),
               factors=("child_in_household",), shared=others("csc"))
    if high:
        day += rng.randint(4, 12)
        rv.add(day, "marac", [v], "meeting", rv.text(MARAC_MEETING, level="high", flows=rv.flows_text([], everyone)),
               shared=everyone)
    day += rng.randint(5, 25)
    rv.add(day, "gp_v", [v], "appointment", rv.text(GP_AWARE, flows=rv.flows_text([], others("gp_v"))),
           shared=others("gp_v"))
    if rv.troubled:
        day += rng.randint(3, 20)
        rv.add(day, "gp_v", [p], "appointment", rv.text(GP_PERPETRATOR, flows=rv.flows_text([], others("gp_v"))),
               factors=("mental_health",), shared=others("gp_v"))
    if rng.random() < 0.4:
        key = "hv" if rv.children else "idva"
        day += rng.randint(5, 20)
        missed, seen = MISSED_THEN_SEEN
        rv.add(day, key, [v], "did_not_attend", rv.text(missed))
        day += rng.randint(3, 12)
        rv.add(day, key, [v], "home_visit", rv.text(seen, flows=rv.flows_text([], others(key))), shared=others(key))


def plant_missed_marac(rv: Review) -> None:
    summary, factors = rv.rng.choice(MISSED_MARAC)
    dash = rv.rng.randint(14, 20)
    rv.add(rv.day_between(30, 40), "police", [rv.victim], "incident", rv.text(summary, dash=dash),
           risk="high", dash=dash, factors=factors,
           finding={"query": "missed-marac", "review": rv.rid, "subject": rv.victim})


def plant_unshared_risk(rv: Review) -> None:
    rng = rv.rng
    key, who, event, summary, factors = rng.choice([u for u in UNSHARED_RISK if rv.can_see(u[0], u[1])])
    subject = rv.victim if who == "v" else rv.perpetrator
    day = rv.day_between(20, 190)
    later = rng.choice([k for k in ("police", "gp_v", "gp_p", "hospital", "housing", "probation", "mh", "idva")
                        if k != key and rv.can_see(k, who) and rv.agencies.get(k) is not rv.agencies.get(key)])
    finding = {"query": "unshared-risk", "review": rv.rid, "subject": subject}
    rv.add(day, key, [subject], event, rv.text(summary), factors=factors, finding=finding)
    later_event, later_summary = rv.routine(later, who)
    rv.add(day + rng.randint(10, 150), later, [subject], later_event, later_summary)
    finding["not_shared_with"] = [rv.agencies[later].name]


def plant_fragmented_risk(rv: Review) -> None:
    rng = rv.rng
    who = "v" if rng.random() < 0.3 else "p"
    options = [f for f in FRAGMENTED_RISK[who] if rv.can_see(f[0], who)]
    chosen = rng.sample(options, rng.randint(2, len(options)))
    subject = rv.victim if who == "v" else rv.perpetrator
    for key, event, summary, factors in chosen:
        rv.isolated.add(key)
        day = rv.day_between(10, 40)
        rv.add(day, key, [subject], event, rv.text(summary), factors=factors)
        if rng.random() < 0.5:
            rv.add(min(day + rng.randint(20, 90), rv.end), key, [subject], event, rv.text(summary), factors=factors)
    rv.key.append({"query": "fragmented-risk", "review": rv.rid, "subject": subject})


def plant_divide(rv: Review) -> None:
    rng = rv.rng
    for sides, who, subject in ((DIVIDE_VICTIM, "v", rv.victim), (DIVIDE_PERPETRATOR, "p", rv.perpetrator)):
        # a shared surgery sees both partners, so it cannot stand on one side
        options = [d for d in sides if rv.can_see(d[0], who) and rv.side_of(d[0]) != BOTH]
        key, event, summary, factors = rng.choice(options)
        rv.add(rv.day_between(10, 10), key, [subject], event, rv.text(summary), factors=factors)
    rv.key.append({"query": "victim-perpetrator-divide", "review": rv.rid, "victim": rv.victim,
                   "perpetrator": rv.perpetrator})


def plant_children_not_referred(rv: Review) -> None:
    # another police incident would break the planted escalation's pattern
    options = [c for c in CHILDREN_NOT_REFERRED if rv.can_see(c[0], "v")
               and not (c[1] == "incident" and "escalation-without-reassessment" in rv.patterns)]
    key, event, summary, factors = rv.rng.choice(options)
    rv.add(rv.day_between(40, 40), key, [rv.victim], event, rv.text(summary), factors=factors,
           finding={"query": "children-not-referred", "review": rv.rid, "subject": rv.victim})


def plant_no_follow_up(rv: Review) -> None:
    rng = rv.rng
    (key, who), (first_event, first, missed, closing_event, closing) = rng.choice(
        [item for item in NO_FOLLOW_UP.items() if item[0][0] != "asc" or rv.kind != "partner"])
    rv.quiet.add(key)
    subject = rv.victim if who == "v" else rv.perpetrator
    day = rv.day_between(60, 60)
    rv.add(day - rng.randint(7, 30), key, [subject], first_event, rv.text(first))
    rv.add(day, key, [subject], "did_not_attend", rv.text(missed),
           finding={"query": "no-follow-up", "review": rv.rid, "subject": subject})
    if rng.random() < 0.5:
        rv.add(day + rng.randint(2, 10), key, [subject], closing_event, rv.text(closing))


def plant_professional_churn(rv: Review) -> None:
    rng = rv.rng
    key, subject = ("gp_p", rv.perpetrator) if rng.random() < 0.75 else ("gp_v", rv.victim)
    agency = rv.ensure(key)
    doctors = [f"GP {n}" for n in rng.sample(range(1, 13), rng.randint(5, 7))]
    seen_by = doctors + [rng.choice(doctors) for _ in range(rng.randint(0, 3))]
    rng.shuffle(seen_by)
    first = rv.day_between(0, 0)
    last = min(rv.end, first + rng.randint(300, 900))
    days = sorted(rng.randint(first, last) for _ in seen_by)
    for day, doctor in zip(days, seen_by):
        summary, factors = rng.choice(CHURN)
        rv.add(day, key, [subject], "appointment", summary.format(who=subject), professional=doctor, factors=factors)
    rv.key.append({"query": "professional-churn", "review": rv.rid, "subject": subject, "agency": agency.name})


def plant_unidentified(rv: Review) -> None:
    rng = rv.rng
    pattern = "Unknown male" if rng.random() < 0.3 else "Unnamed {partner}"
    person = rv.text(pattern)
    rows = [r for r in UNIDENTIFIED[pattern] if rv.can_see(r[0], r[1])]
    rv.people.append((person, "other", "female" if person.endswith("girlfriend") else "male", "", "", "no"))
    for key, who, event, summary in rng.sample(rows, rng.randint(1, len(rows))):
        named = rv.victim if who == "v" else rv.perpetrator
        rv.add(rv.day_between(10, 10), key, [named, person], event, rv.text(summary))
    rv.key.append({"query": "unidentified-people", "review": rv.rid, "person": person})


def plant_escalation(rv: Review) -> None:
    rng = rv.rng
    day = rv.day_between(10, 360)
    gaps = (0, rng.randint(120, 200), rng.randint(60, 90), rng.randint(20, 40))  # shrinking: more frequent
    for step, (gap, (summary, factors)) in enumerate(zip(gaps, ESCALATION)):
        day += gap
        dash = rng.randint(3, 8) if step == 0 else None
        rv.add(day, "police", [rv.victim], "incident", rv.text(summary, dash=dash),
               risk="standard" if step == 0 else "", dash=dash, factors=factors)
    rv.key.append({"query": "escalation-without-reassessment", "review": rv.rid, "subject": rv.victim})


def plant_joined_up(rv: Review) -> None:
    """Three agencies' parts within 90 days; only the "found" variant adds up to high risk (see JOINED_UP_PARTS)."""
    rng = rv.rng
    variant = rv.joined_up_variant
    day = rv.day_between(30, 120)
    days = [day, day + rng.randint(10, 40), day + rng.randint(50, 90)]
    dash = {"found": rng.randint(6, 10), "below": rng.randint(6, 9), "single-agency": rng.randint(14, 17)}[variant]
    entry = {"query": JOINED_UP, "review": rv.rid, "subject": rv.victim, "agencies": []}
    for when, (key, who, event, summary, factors) in zip(days, JOINED_UP_PARTS[variant]):
        assessed = key in ("police", "idva") and "DASH" in summary
        rv.add(when, key, [rv.victim if who == "v" else rv.perpetrator], event,
               rv.text(summary, dash=dash, level=level_of(dash)), risk=level_of(dash) if assessed else "",
               dash=dash if assessed else None, factors=factors, finding=entry if variant == "found" and when == days[-1] else None)
        entry["agencies"].append(rv.agencies[key].name)
    if variant != "found":
        rv.near_misses.append({**entry, "near_miss": variant, "date": ISO[days[-1]]})


def plant_unrecognised(rv: Review) -> None:
    """Two contacts of one victim-side agency that raise a red flag together (see UNRECOGNISED_PARTS)."""
    rng = rv.rng
    key, first, second = rng.choice([u for u in UNRECOGNISED_PARTS if rv.can_see(u[0], "v")])
    day = rv.day_between(30, 150)
    later = day + rng.randint(10, 40)
    entry = {"query": UNRECOGNISED, "review": rv.rid, "subject": rv.victim, "agency": rv.ensure(key).name,
             "date": ISO[later]}
    for when, (event, summary, factors) in ((day, first), (later, second)):
        rv.add(when, key, [rv.victim], event, rv.text(summary), factors=factors, finding=entry if when == later else None)


PLANTERS: dict[str, Callable[[Review], None]] = {
    "no-follow-up": plant_no_follow_up,          # first: it reserves its agency before the others choose
    "missed-marac": plant_missed_marac,
    "unshared-risk": plant_unshared_risk,
    "fragmented-risk": plant_fragmented_risk,
    "victim-perpetrator-divide": plant_divide,
    "children-not-referred": plant_children_not_referred,
    "professional-churn": plant_professional_churn,
    "unidentified-people": plant_unidentified,
    "escalation-without-reassessment": plant_escalation,
    JOINED_UP: plant_joined_up,
    UNRECOGNISED: plant_unrecognised,
}


def marac_episode(rv: Review) -> None:
    """A high DASH referred to the MARAC and heard there: the part of a flawed case that went right."""
    rng = rv.rng
    rv.ensure("marac")
    act, factors = rng.choice(HIGH_ACTS)
    dash = rng.randint(14, 19)
    referred = ["marac"] + rv.recipients("police", "idva", "csc")
    day = rv.day_between(20, 40)
    rv.add(day, "police", [rv.victim], "incident",
           rv.text(TRIGGER, act=rv.text(act), dash=dash, level="high", flows=rv.flows_text(referred, [])),
           risk="high", dash=dash, factors=factors, referred=referred)
    if "idva" in referred:
        rv.add(day + rng.randint(1, 3), "idva", [rv.victim], "call", rv.text(MARAC_IDVA_CALL))
    shared = rv.recipients("marac", "police", "idva", "gp_v", "hv", "housing", "csc")
    rv.add(day + rng.randint(7, 21), "marac", [rv.victim], "meeting",
           rv.text(MARAC_MEETING, level="high", flows=rv.flows_text([], shared)), shared=shared)


def medium_episode(rv: Review) -> None:
    """A standard or medium DASH referred to a domestic abuse service (and children's services)."""
    rng = rv.rng
    act, factors = rng.choice(MEDIUM_ACTS)
    dash = rng.randint(3, 13)
    if rv.children and "children-not-referred" not in rv.patterns and rng.random() < 0.4:
        rv.ensure("mash")
    referred = rv.recipients("police", "idva", *(("csc", "mash") if rv.children else ()))
    rv.add(rv.day_between(20, 20), "police", [rv.victim, rv.perpetrator], "incident",
           rv.text(TRIGGER, act=rv.text(act), dash=dash, level=level_of(dash), flows=rv.flows_text(referred, [])),
           risk=level_of(dash), dash=dash, factors=factors, referred=referred)


def flawed_case(rv: Review, patterns: list[str]) -> None:
    """The agencies of a review with planted missed connections, the plants, then what went right."""
    rng = rv.rng
    rv.patterns = patterns
    rv.ensure("police")
    rv.ensure("gp_v")
    optional = {"gp_p": 1.0, "hospital": 0.7, "ambulance": 0.4, "housing": 0.4, "idva": 0.5, "mh": 0.6,
                "recovery": 0.4, "probation": 0.35, "asc": 0.0 if rv.kind == "partner" else 0.6}
    if rv.children:
        optional.update(hv=0.6, midwifery=0.3, school=0.5, csc=0.0 if "children-not-referred" in patterns else 0.6)
    for key, share in optional.items():
        if rng.random() < share:
            rv.ensure(key)
    for name, plant in PLANTERS.items():
        if name in patterns:
            plant(rv)
    # Which agencies end up seeing only one partner depends on the background rows, so a divided
    # family gets no flows at all; an escalation must not be re-assessed; a missed MARAC stays missed.
    if "victim-perpetrator-divide" not in patterns and JOINED_UP not in patterns:
        if not EXCLUSIVE & set(patterns) and rng.random() < 0.15:
            marac_episode(rv)
        if "escalation-without-reassessment" not in patterns and rng.random() < 0.55:
            medium_episode(rv)
    if rv.troubled:
        key = rng.choice([k for k in ("gp_p", "mh") if rv.can_see(k, "p")])
        rv.add(rv.day_between(0, 0), key, [rv.perpetrator], "appointment", rv.text(MENTAL_HEALTH_NOTE),
               factors=("mental_health",))


# --- background rows ----------------------------------------------------------------------------

def background(rv: Review, count: int, slots: list[tuple], rng: random.Random) -> list[StoryRow]:
    """``count`` routine rows; in a good-practice review never on a day a core row happens."""
    rows = []
    if not slots or count <= 0:
        return rows
    start, span, n = rv.start, rv.end - rv.start + 1, len(slots)
    busy = {r.day for r in rv.core} if rv.good else ()
    rand = rng.random
    order = rv.order
    for _ in range(count):
        name, alias, subject, event, summary, factors, source, pool, time_share = slots[int(rand() * n)]
        day = start + int(rand() * span)
        while day in busy:
            day = start + int(rand() * span)
        r = rand()
        if r < UK_SHARE:
            when, precise = UK[day], True
        elif r < UK_SHARE + MONTH_SHARE and not rv.good:
            when, precise = ISO[day][:7], False
        elif r < UK_SHARE + MONTH_SHARE + UNCERTAIN_SHARE and not rv.good:
            when, precise = "?" + ISO[day], False
        else:
            when, precise = ISO[day], True
        time = TIMES[int(rand() * len(TIMES))] if precise and rand() < time_share else ""
        rows.append(StoryRow(day, order, precise, ChronologyRow(
            when, time, "", alias if rand() < ALIAS_SHARE else name, subject, event, summary,
            pool[int(rand() * len(pool))], "", "", factors, "", "", "", source), None))
        order += 1
    return rows


def chronology(rows: list[StoryRow]) -> tuple[list[ChronologyRow], list[tuple[int, dict]]]:
    """Rows in date order with same-day sequence numbers, and (row index, finding) for the key."""
    rows.sort()
    same_day = Counter(r.day for r in rows if r.precise)
    next_seq: dict[int, int] = {}
    out, found = [], []
    for index, r in enumerate(rows):
        seq = ""
        if r.precise and same_day[r.day] > 1:
            seq = next_seq.get(r.day, 1)
            next_seq[r.day] = seq + 1
        out.append(r.row._replace(sequence=seq) if seq else r.row)
        if r.finding is not None:
            found.append((index, r.finding))
    return out, found


# --- the corpus ---------------------------------------------------------------------------------

def plan_patterns(rng: random.Random, rv: Review, counts: Counter) -> list[str]:
    """One to three patterns, the least planted compatible one first so every pattern shows up."""

    def fits(name: str, chosen: list[str]) -> bool:
        if name in chosen or (name == "children-not-referred" and not rv.children):
            return False
        if name == JOINED_UP and (chosen or rv.kind != "partner"):  # the only pattern of a partner review
            return False
        if name == UNRECOGNISED and rv.kind != "partner":  # a victim who is an adult
            return False
        return not (name in EXCLUSIVE and EXCLUSIVE & set(chosen))

    chosen: list[str] = []
    ranked = sorted(PATTERNS, key=lambda p: (counts[p], rng.random()))
    chosen.append(next(p for p in ranked if fits(p, chosen)))
    for _ in range(0 if JOINED_UP in chosen else rng.choices((0, 1, 2), (0.4, 0.4, 0.2))[0]):
        extra = [p for p in PATTERNS if fits(p, chosen)]
        chosen.append(rng.choice(extra))
    counts.update(chosen)
    if JOINED_UP in chosen:
        rv.joined_up_variant = JOINED_UP_VARIANTS[(counts[JOINED_UP] - 1) % len(JOINED_UP_VARIANTS)]
    return chosen


def build_reviews(rng: random.Random, count: int) -> tuple[list[Review], list[dict]]:
    """Every review with its core rows, and the answer-key entries of the serial perpetrators."""
    width = max(4, len(str(count)))
    areas = AREAS[:max(1, min(len(AREAS), -(-count // 6)))]
    surgeries = {a: tuple(rng.sample(SURGERIES, 2)) for a in areas}
    schools = {a: rng.choice(SCHOOLS) for a in areas}
    kinds = [rng.choices(("partner", "family", "other"), (0.88, 0.09, 0.03))[0] for _ in range(count)]
    partner = [i for i, k in enumerate(kinds) if k == "partner"]
    good = set(rng.sample(partner, min(len(partner), round(count * 0.12)))) if count >= 5 else set()
    # serial perpetrators: 2-3 flawed partner reviews share one perpetrator by global_id
    pool = [i for i in partner if i not in good]
    rng.shuffle(pool)
    serial: dict[int, str] = {}
    groups: list[tuple[str, list[int]]] = []
    for number in range(1, max(1, count // 30) + 1):
        size = 3 if rng.random() < 0.3 else 2
        if len(pool) < size:
            break
        members, pool = sorted(pool[:size]), pool[size:]
        gid = f"G-{number:05d}"
        groups.append((gid, members))
        serial.update({i: gid for i in members})
    reviews, counts = [], Counter()
    for i in range(count):
        area = rng.choice(areas)
        rv = Review(f"syn-{i + 1:0{width}d}", rng, area, kinds[i], i in good, surgeries[area], schools[area])
        homicide = rng.randint(*HOMICIDES)
        rv.end, rv.start = homicide - 1, homicide - rng.randint(540, 1460)
        rv.cast(serial.get(i))
        if rv.good:
            good_practice(rv)
        else:
            if rv.kind == "partner" and i not in serial and rng.random() < 0.25:
                rv.add_previous_partner()
            flawed_case(rv, plan_patterns(rng, rv, counts))
        reviews.append(rv)
    serial_key = [{"query": "serial-perpetrators", "perpetrator_global_id": gid,
                   "reviews": [reviews[i].rid for i in members], "victims": len(members)} for gid, members in groups]
    return reviews, serial_key


def noise_counts(rng: random.Random, reviews: list[Review], contacts: int | None) -> list[int]:
    """Background rows per review: a realistic 20-80 rows each, or exactly ``contacts`` in all."""
    core = [len(rv.core) for rv in reviews]
    if contacts is None:
        return [max(0, rng.randint(20, 80) - c) for c in core]
    spare = contacts - sum(core)
    if spare < 0:
        raise ValueError(f"contacts={contacts} is too few: the planted patterns of {len(reviews)} reviews "
                         f"need at least {sum(core)} rows")
    weights = [rng.uniform(0.5, 1.5) for _ in reviews]
    total = sum(weights)
    counts = [int(spare * w / total) for w in weights]
    for i in range(spare - sum(counts)):
        counts[i % len(counts)] += 1
    return counts


# --- who is who: identifying details and the record-linkage answer key (issue 14) ------------------
# Drawn from their own random stream (seeded from the corpus seed), so the rest of the corpus is the
# same with or without them. Every identified person gets a full name (an alias), a date of birth, a
# postcode in their review's area and sometimes an NHS or PNC number, each recorded in the formats
# agencies use. Then the hard cases are planted, with the answer in ``answer_key["identities"]``:
#
# * ``same``: pairs of records of one person. Serial perpetrators with no global_id (one man, two
#   reviews, two areas; the second record spelled differently: a nickname, an initial "Mr D", a
#   typo in the surname; the dob in UK format, day and month swapped, or only to the month), and a
#   duplicate record of the perpetrator within a review;
# * ``different``: look-alikes that are not one person: same name with another dob, and father and
#   son (same name and address, a generation apart);
# * ``serial``: the serial perpetrators above, that serial-perpetrators reports as probable links.

SURNAMES = ("Abbott", "Archer", "Atkinson", "Bailey", "Baker", "Barker", "Barnes", "Bell", "Bennett", "Booth", "Bradley",
            "Briggs", "Brooks", "Burgess", "Butler", "Carter", "Chambers", "Chapman", "Clarke", "Coleman", "Collins",
            "Cooper", "Cox", "Crawford", "Dawson", "Dixon", "Doyle", "Duncan", "Edwards", "Ellis", "Evans", "Farrell",
            "Fisher", "Fleming", "Foster", "Fowler", "Fraser", "Gibson", "Gilbert", "Gordon", "Graham", "Grant", "Griffiths",
            "Hall", "Hamilton", "Hardy", "Harper", "Hartley", "Hawkins", "Hayes", "Henderson", "Hewitt", "Hobbs", "Holland",
            "Holmes", "Howard", "Hughes", "Hunter", "Jackson", "Jennings", "Kaur", "Kemp", "Kennedy", "Knight", "Lambert",
            "Lawson", "Lloyd", "Lowe", "Marsh", "Marshall", "Mason", "Matthews", "Mills", "Mitchell", "Moss", "Murphy",
            "Nash", "Newton", "Nicholls", "Norris", "O'Brien", "Osborne", "Owen", "Palmer", "Parker", "Parsons", "Patel",
            "Pearce", "Perry", "Phillips", "Porter", "Powell", "Preston", "Quinn", "Read", "Reeves", "Reynolds", "Rhodes",
            "Richards", "Riley", "Robson", "Rogers", "Rowe", "Russell", "Sanders", "Saunders", "Shaw", "Simpson", "Slater",
            "Spencer", "Stevens", "Stone", "Sutton", "Taylor", "Thornton", "Tucker", "Turner", "Wade", "Walsh", "Ward",
            "Warren", "Watts", "Webb", "Wells", "Weston", "Wheeler", "Whitehead", "Wilkinson", "Willis", "Wood", "Wright",
            "Yates", "Young")
MALE_FORENAMES = ("David", "Michael", "James", "Robert", "William", "Thomas", "Daniel", "Christopher", "Matthew", "Andrew",
                  "Anthony", "Stephen", "Joseph", "Nicholas", "Peter", "Richard", "Edward", "Gary", "Kevin", "Samuel",
                  "Benjamin", "Charles", "Patrick", "Terence", "Dean", "Lee", "Craig", "Darren", "Jason", "Mark", "Neil",
                  "Paul", "Scott", "Shaun", "Carl", "Adam", "Karl", "Lewis", "Martin", "Simon", "Stuart", "Ian")
FEMALE_FORENAMES = ("Katherine", "Elizabeth", "Jennifer", "Susan", "Victoria", "Rebecca", "Amanda", "Margaret", "Jessica",
                    "Nicola", "Stephanie", "Deborah", "Louise", "Melanie", "Sarah", "Patricia", "Gemma", "Emma", "Claire",
                    "Donna", "Hayley", "Kelly", "Laura", "Lisa", "Michelle", "Natalie", "Rachel", "Samantha", "Tracey",
                    "Zoe", "Amy", "Charlotte", "Danielle", "Helen", "Julie", "Karen", "Leanne", "Naomi", "Sophie", "Yvonne")
SHORT_FORMS = {"David": "Dave", "Michael": "Mick", "James": "Jim", "Robert": "Bob", "William": "Billy", "Thomas": "Tom",
               "Daniel": "Danny", "Christopher": "Chris", "Matthew": "Matt", "Andrew": "Andy", "Anthony": "Tony",
               "Stephen": "Steve", "Joseph": "Joe", "Nicholas": "Nick", "Peter": "Pete", "Richard": "Rick", "Edward": "Eddie",
               "Gary": "Gaz", "Kevin": "Kev", "Samuel": "Sam", "Benjamin": "Ben", "Charles": "Charlie", "Patrick": "Paddy",
               "Terence": "Terry", "Dean": "Deano"}
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def _typo(rng: random.Random, word: str) -> str:
    """A misspelling agencies make: a vowel written as another, i/y swapped, or a double letter made single."""
    for i in range(len(word) - 1, 0, -1):
        if word[i] == word[i - 1]:
            return word[:i] + word[i + 1:]
    vowels = [i for i in range(1, len(word)) if word[i] in "aeiouy"]
    if not vowels:
        return word + "e"
    i = rng.choice(vowels)
    swap = {"i": "y", "y": "i", "e": "a", "a": "e", "o": "u", "u": "o"}[word[i]]
    return word[:i] + swap + word[i + 1:]


@dataclass
class _Identity:
    forename: str
    surname: str
    born: date
    postcode: str
    identifiers: tuple[str, ...]


def _postcode(rng: random.Random, area: str, full: bool = True) -> str:
    district = f"{area[0]}{next(c for c in area[1:].upper() if c.isalpha() and c not in 'AEIOU')}{rng.randint(1, 9)}"
    if not full:
        return district
    return f"{district} {rng.randint(1, 9)}{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"


def _dob_text(rng: random.Random, born: date, style: str) -> str:
    iso = born.isoformat()
    return {"iso": iso, "uk": f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}", "month": iso[:7], "year": iso[:4],
            "swapped": f"{iso[:4]}-{iso[8:10]}-{iso[5:7]}"}[style]


def _details(rng: random.Random, who: _Identity, names: list[str], dob_style: str, postcode: str | None) -> tuple:
    return ("; ".join(names), _dob_text(rng, who.born, dob_style), postcode or "", "; ".join(who.identifiers))


def _invent(rng: random.Random, rv: Review, person: tuple, surname: str | None = None) -> _Identity:
    name, role, sex, age = person[:4]
    forename = rng.choice(FEMALE_FORENAMES if sex == "female" else MALE_FORENAMES)
    year = date.fromordinal(rv.end).year - int(age or 30)
    born = date(year, rng.randint(1, 12), rng.randint(1, 28))
    identifiers = []
    if role != "child" and rng.random() < 0.3:
        identifiers.append(f"nhs:{rng.randint(400, 999)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}")
    if role == "perpetrator" and rng.random() < 0.3:
        identifiers.append(f"pnc:{year % 100:02d}/{rng.randint(100000, 999999)}{rng.choice(POSTCODE_LETTERS)}")
    return _Identity(forename, surname or rng.choice(SURNAMES), born, _postcode(rng, rv.area), tuple(identifiers))


def _variant_name(rng: random.Random, who: _Identity) -> tuple[str, str]:
    """How another agency wrote the same man's name, and which hard case that is."""
    kinds = ["typo", "initial", "typo+initial"] + (["nickname", "nickname+typo"] if who.forename in SHORT_FORMS else [])
    kind = rng.choice(kinds)
    surname = _typo(rng, who.surname) if "typo" in kind else who.surname
    forename = SHORT_FORMS.get(who.forename, who.forename) if "nickname" in kind else who.forename
    return (f"Mr {forename[0]} {surname}" if "initial" in kind else f"{forename} {surname}"), kind


def plant_identities(reviews: list[Review], serial_key: list[dict], seed: int) -> dict:
    """Give every identified person identifying details and plant the linkage hard cases; return the answer key part."""
    rng = random.Random(f"identities-{seed}")
    identities: dict[tuple[str, str], _Identity] = {}
    by_gid: dict[str, _Identity] = {}
    for rv in reviews:
        surnames = {}
        for person in rv.people:
            name, role, sex, age, gid, identified = person
            if identified != "yes":
                continue
            if gid and gid in by_gid:
                who = by_gid[gid]
            else:
                surname = surnames.get("family") if role == "child" else None
                who = _invent(rng, rv, person, surname)
                while f"{who.forename} {who.surname}" in surnames.values():  # one name, one person, in a review
                    who = _invent(rng, rv, person, surname)
                surnames[name] = f"{who.forename} {who.surname}"
                if role == "victim":
                    surnames["family"] = who.surname
                if gid:
                    by_gid[gid] = who
            identities[(rv.rid, name)] = who
            style = rng.choices(("iso", "uk", "month", "year"), (0.7, 0.2, 0.07, 0.03))[0]
            postcode = rng.choices((who.postcode, who.postcode.split()[0], None), (0.7, 0.15, 0.15))[0]
            rv.details[name] = _details(rng, who, [f"{who.forename} {who.surname}"], style, postcode)

    male = [rv for rv in reviews if not rv.good and rv.kind == "partner" and rv.people[1][2] == "male"
            and not rv.people[1][4] and not any(k["query"] == "serial-perpetrators" for k in rv.key)]
    rng.shuffle(male)
    count = len(reviews)
    same, different, serial = [], [], []

    def take(n: int) -> list[Review]:
        chosen = male[:n]
        del male[:n]
        return chosen

    def ref(rv: Review, name: str) -> dict:
        return {"review": rv.rid, "person": name}

    for _ in range(max(1, count // 12)):  # serial perpetrators without a global_id
        pair = take(2)
        if len(pair) < 2:
            break
        first, second = pair
        who = identities[(first.rid, first.perpetrator)]
        who.identifiers = ()
        rv_name, kind = _variant_name(rng, who)
        style = rng.choice(("uk", "swapped", "month", "iso")) if who.born.day <= 12 and who.born.day != who.born.month \
            else rng.choice(("uk", "month", "iso"))
        first.details[first.perpetrator] = _details(rng, who, [f"{who.forename} {who.surname}"], "iso", who.postcode)
        second.details[second.perpetrator] = _details(rng, _Identity(who.forename, who.surname, who.born, "", ()), [rv_name],
                                                      style, _postcode(rng, second.area))
        identities[(second.rid, second.perpetrator)] = who
        case = {"left": ref(first, first.perpetrator), "right": ref(second, second.perpetrator),
                "kind": f"serial perpetrator without a global_id: name {kind}, dob {style}, another area"}
        same.append(case)
        serial.append({**case, "reviews": sorted([first.rid, second.rid]), "victims": 2})

    for _ in range(max(1, count // 50)):  # a duplicate record of the perpetrator in his own review
        chosen = take(1)
        if not chosen:
            break
        rv = chosen[0]
        who = identities[(rv.rid, rv.perpetrator)]
        duplicate = next(d for d in (f"Mr {who.surname[0]}", f"Mr {who.surname}", f"Mr {who.forename[0]} {who.surname}")
                         if d not in {p[0] for p in rv.people})
        rv_name, kind = _variant_name(rng, who)
        rv.people.append((duplicate, "other", "male", "", "", "yes"))
        rv.details[duplicate] = _details(rng, who, [rv_name], "uk", None)
        same.append({"left": ref(rv, rv.perpetrator), "right": ref(rv, duplicate),
                     "kind": f"duplicate record in one review: name {kind}"})

    for kind, gap in (("same name, another dob", (2, 9)), ("father and son", (20, 32))):
        for _ in range(max(1, count // 40)):
            pair = take(2)
            if len(pair) < 2:
                break
            first, second = pair
            who = identities[(first.rid, first.perpetrator)]
            years = rng.randint(*gap)
            born = date(who.born.year + years, rng.randint(1, 12), rng.randint(1, 28))
            other = _Identity(who.forename, who.surname, born, who.postcode if kind == "father and son" else _postcode(rng, second.area), ())
            first.details[first.perpetrator] = _details(rng, who, [f"{who.forename} {who.surname}"], "iso", who.postcode)
            second.details[second.perpetrator] = _details(rng, other, [f"{who.forename} {who.surname}"], "iso", other.postcode)
            different.append({"left": ref(first, first.perpetrator), "right": ref(second, second.perpetrator), "kind": kind})
    return {"same": same, "different": different, "serial": serial}


def people_rows(rv: Review) -> list[tuple]:
    """people.csv rows: the person's columns, then their identifying details."""
    return [p + rv.details.get(p[0], ("",) * len(IDENTITY_COLUMNS)) for p in rv.people]


# --- learning across reviews: themes the corpus holds, recommendations planted ---------------------

# (themes, agency kind or national / partnership, text): the lessons reviews keep giving
RECOMMENDATION_PLANS = (
    (("query:missed-marac", "training"), "police", "Officers to refer every DASH of 14 or more, and repeat incidents, to the MARAC."),
    (("agency_silent:gp", "training"), "gp_v", "GPs to ask who else is at risk when abuse is disclosed, and to share it."),
    (("information_sharing",), "partnership", "The partnership to agree how agencies share risk about one family."),
    (("perpetrator:mental_health", "information_sharing"), "mh", "Care coordinators to share risk to partners with the other agencies."),
    (("query:children-not-referred",), "csc", "Children's social care to take referrals from every agency that records abuse of a parent."),
    (("perpetrator:earlier_victims",), "national", "The Home Office to guide areas on sharing a perpetrator's earlier abuse."),
)
RECOMMENDATION_STATUSES = ("open", "in_progress", "done", "not_accepted")
RECOMMENDATIONS_AS_OF = "2025-01-01"  # the day the answer key's overdue list is judged by


def _day_of(when: str) -> str:
    """The ISO day a chronology date starts on ('?2019-03-04', '04/03/2019', '2019-03')."""
    when = when.lstrip("?")
    if "/" in when:
        day, month, year = when.split("/")
        return f"{year}-{month}-{day}"
    return when if len(when) == 10 else f"{when}-01"


def corpus_themes(rv: Review, rows: list[ChronologyRow]) -> set[str]:
    """The themes of ``queries/themes.py`` this review holds by construction, read from its own rows."""
    types = {name: a.type for a in rv.unique_agencies() for name in (a.name, *a.aliases)}
    themes = set()
    for row in rows:
        agency, subjects = row.agency, {s.strip() for s in row.subject.split(";")}
        factors = [f.strip() for f in row.risk_factors.split(";") if f.strip()]
        themes.update(f"risk_factor:{f}" for f in factors)
        if row.dash_score and int(row.dash_score) >= DASH_HIGH_RISK:
            themes.add("dash:high")
        if rv.victim in subjects:
            themes.add(f"agency_contact:{types[agency]}")
            if "pregnancy" in factors:
                themes.add("victim:pregnancy")
        if types[agency] == "police" and subjects & {rv.victim, rv.perpetrator}:
            themes.add("contact:police_before_death")
        if "child_in_household" in factors:
            themes.add("victim:children_in_household")
    if rv.children:
        themes.add("victim:children_in_household")
    return themes


def plant_recommendations(rv: Review, rng: random.Random) -> list[dict]:
    """Recommendations for about 60% of reviews, from the plans whose agency the review has."""
    if rng.random() >= 0.6:
        return []
    plans = [p for p in RECOMMENDATION_PLANS if p[1] in ("national", "partnership") or p[1] in rv.agencies]
    chosen = rng.sample(plans, min(len(plans), rng.randint(1, 3)))
    out = []
    for number, (themes, key, text) in enumerate(chosen, start=1):
        due = date.fromordinal(rv.end + rng.randint(180, 900))
        by_month = rng.random() < 0.2
        last = (date(due.year + due.month // 12, due.month % 12 + 1, 1).toordinal() - 1) if by_month else due.toordinal()
        agency = rv.agencies.get(key)
        out.append({"id": f"R{number}", "agency": agency.name if agency else key, "agency_type": agency.type if agency else key,
                    "text": text, "themes": list(themes), "due": due.isoformat()[:7] if by_month else due.isoformat(),
                    "due_by": date.fromordinal(last).isoformat(), "status": rng.choice(RECOMMENDATION_STATUSES)})
    return out


def recommendations_key(planted: dict[str, list[dict]]) -> dict:
    """What `dhrgraph recommendations --repeated` and `--overdue --as-of` must answer for the planted rows."""
    groups: dict[tuple[str, str], set[str]] = {}
    for rid, recs in planted.items():
        for rec in recs:
            for theme in rec["themes"]:
                groups.setdefault((theme, rec["agency_type"]), set()).add(rid)
    return {"count": sum(len(r) for r in planted.values()), "as_of": RECOMMENDATIONS_AS_OF,
            "overdue": sorted(f"{rid}/{r['id']}" for rid, recs in planted.items() for r in recs
                              if r["status"] in ("open", "in_progress") and r["due_by"] < RECOMMENDATIONS_AS_OF),
            "repeated": sorted(({"theme": t, "agency_type": a, "reviews": sorted(rids)} for (t, a), rids in groups.items()
                                if len(rids) >= 2), key=lambda r: (r["theme"], r["agency_type"]))}


class Writer:
    """CSV output for one layout: one folder per review, or one set of combined files."""

    def __init__(self, out: Path, layout: str):
        self.out, self.combined = out, layout == "combined"
        self.files: list = []
        self.agencies: dict[str, tuple] = {}
        self.recommendation_rows = None
        if self.combined:
            self.people = self._open(out / "people.csv", ("review",) + PEOPLE_COLUMNS + IDENTITY_COLUMNS)
            self.relationships = self._open(out / "relationships.csv", ("review",) + RELATIONSHIP_COLUMNS)
            self.chronology = self._open(out / "chronology.csv", ("review",) + CHRONOLOGY_COLUMNS)
            self.lines = 1

    def _open(self, path: Path, header: tuple[str, ...]):
        handle = open(path, "w", newline="", encoding="utf-8")
        self.files.append(handle)
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        return writer

    def review(self, rv: Review, rows: list[ChronologyRow]) -> int:
        """Write one review; returns the line of its first chronology row."""
        agencies = [(a.name, a.type, "; ".join(a.aliases)) for a in rv.unique_agencies()]
        if self.combined:
            rid = (rv.rid,)
            self.people.writerows(rid + p for p in people_rows(rv))
            self.relationships.writerows(rid + r for r in rv.relationships)
            self.chronology.writerows(rid + r for r in rows)
            self.agencies.update((a[0], a) for a in agencies)
            first, self.lines = self.lines + 1, self.lines + len(rows)
            return first
        folder = self.out / rv.rid
        folder.mkdir(parents=True, exist_ok=True)
        for name, header, body in (("people.csv", PEOPLE_COLUMNS + IDENTITY_COLUMNS, people_rows(rv)),
                                   ("relationships.csv", RELATIONSHIP_COLUMNS, rv.relationships),
                                   ("agencies.csv", AGENCY_COLUMNS, agencies),
                                   ("chronology.csv", CHRONOLOGY_COLUMNS, rows)):
            with open(folder / name, "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(header)
                writer.writerows(body)
        return 2

    def recommendations(self, rv: Review, recs: list[dict]) -> None:
        if not recs:
            return
        rows = [(r["id"], r["agency"], r["text"], "; ".join(r["themes"]), r["due"], r["status"], "") for r in recs]
        if self.combined:
            if self.recommendation_rows is None:
                self.recommendation_rows = self._open(self.out / "recommendations.csv", ("review",) + RECOMMENDATION_COLUMNS)
            self.recommendation_rows.writerows((rv.rid,) + r for r in rows)
            return
        with open(self.out / rv.rid / "recommendations.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(RECOMMENDATION_COLUMNS)
            writer.writerows(rows)

    def close(self) -> None:
        if self.combined:
            self._open(self.out / "agencies.csv", AGENCY_COLUMNS).writerows(self.agencies.values())
        for handle in self.files:
            handle.close()


def generate(out_dir: str | os.PathLike, reviews: int, seed: int = 0, contacts: int | None = None,
             layout: str = "folders", progress: Callable[[int], None] | None = None) -> dict:
    """Write a synthetic corpus; return a summary dict {"reviews": n, "people": n, "contacts": n, "relationships": n, "answer_key": path}.

    ``layout="folders"`` writes ``<out>/<review-id>/{people,relationships,chronology,agencies}.csv``;
    ``layout="combined"`` writes one of each with a leading ``review`` column (agencies.csv without
    one). ``contacts=None`` gives each review 20-80 rows; ``contacts=M`` makes exactly M rows in all
    (ValueError when M is below what the planted patterns need). ``progress(n)`` gets the rows
    written so far about every 10,000 rows and at the end. ``<out>/answer_key.json`` lists the
    good-practice reviews and every planted finding, with the chronology line it rests on.

    >>> generate("/tmp/corpus", reviews=3, seed=1)["reviews"]
    3
    """
    if reviews < 1:
        raise ValueError("reviews must be at least 1")
    if layout not in ("folders", "combined"):
        raise ValueError(f"Unknown layout {layout!r}: use 'folders' or 'combined'")
    rng = random.Random(seed)
    recommendation_rng = random.Random(f"{seed}/recommendations")  # its own stream: the chronologies stay as they were
    corpus, serial_key = build_reviews(rng, reviews)
    identities = plant_identities(corpus, serial_key, seed)
    extra = noise_counts(rng, corpus, contacts)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    writer = Writer(out, layout)
    written = reported = people = relationships = 0
    themes: dict[str, list[str]] = {}
    dates, types, planted = {}, {}, {}
    text_rng, text_key = random.Random(seed * 7919 + 1), []  # its own stream: the rest of the corpus is as before
    try:
        for rv, count in zip(corpus, extra):
            noise = background(rv, count, rv.noise_slots(), rng)
            text_key += add_text_signals(rv, noise, text_rng)
            rows, found = chronology(rv.core + noise)
            first_line = writer.review(rv, rows)
            for theme in sorted(corpus_themes(rv, rows)):
                themes.setdefault(theme, []).append(rv.rid)
            dates[rv.rid] = max(_day_of(r.date) for r in rows)
            types[rv.rid] = REVIEW_TYPES.get(rv.relationships[0][2], "other")
            planted[rv.rid] = plant_recommendations(rv, recommendation_rng)
            writer.recommendations(rv, planted[rv.rid])
            for index, finding in found:
                finding["line"] = first_line + index
            written += len(rows)
            people += len(rv.people)
            relationships += len(rv.relationships)
            if progress and (written - reported >= 10_000 or rv is corpus[-1]):
                progress(written)
                reported = written
    finally:
        writer.close()
    key_path = out / "answer_key.json"
    answer_key = {"seed": seed, "reviews": reviews, "contacts": written,
                  "good_practice_reviews": [rv.rid for rv in corpus if rv.good],
                  "planted": [f for rv in corpus for f in rv.key] + serial_key,
                  "near_misses": [f for rv in corpus for f in rv.near_misses], "identities": identities,
                  # sentences added to background summaries, and which of them state real risk (issue 17)
                  "text_signals": text_key}
    earlier = sorted({r for f in answer_key["planted"] if f["query"] == "serial-perpetrators" for r in f["reviews"]})
    if earlier:
        themes["perpetrator:earlier_victims"] = earlier
    # the themes each review holds by construction (for `dhrgraph themes`), each review's type and date
    # (its last contact: synth gives no index date), and the recommendations' answers
    answer_key.update(themes=dict(sorted(themes.items())), review_types=types, review_dates=dates,
                      recommendations=recommendations_key(planted))
    key_path.write_text(json.dumps(answer_key, indent=1) + "\n", encoding="utf-8")
    return {"reviews": reviews, "people": people, "contacts": written, "relationships": relationships,
            "answer_key": str(key_path)}


# --- risk in the words (issue 17): summaries that state, deny, suppose or report others' risk -----
# Each fact has ways of saying it happened (``said``: after "{v} said that" or as a sentence; ``said_apart``
# too where the victim's and perpetrator's possessives differ, so that whose is whose can be told), the
# noun a denial or question names (``noun``), what advice supposes (``if``: present tense) and the
# same fact about someone else (``other``). The frames below wrap them; only ``said`` frames are real.

TEXT_FACTS = {
    "threats_to_kill": {"said": ("{p} had threatened to kill {v_obj}", "{p} said {p_subj} would kill {v_obj} if {v_subj} left",
                                 "{p} made threats to kill {v_obj} and the children", "{p} told {v_obj} {p_subj} was going to kill {v_obj}"),
                        # whose life: told by the possessive's agreement with the speaker, so only when the two differ
                        "said_apart": ("{p} said {p_subj} would end {v_pos} life",),
                        "noun": ("threats to kill", "any threat to kill"), "if": ("threatens to kill {v_obj}", "threatens {v_obj} again"),
                        "other": ("her own ex-partner had threatened to kill her",)},
    "strangulation": {"said": ("{p} had put {p_pos} hands round {v_pos} neck", "{p} grabbed {v_obj} by the throat",
                               "{p} choked {v_obj} until {v_subj} nearly passed out", "{p} had strangled {v_obj} during the argument",
                               "{v_subj} could not breathe when {p} squeezed {v_pos} neck", "{p} smothered {v_obj} with a pillow",
                               "{v_subj} had petechiae around {v_pos} eyes", "{p} held {v_obj} by the throat"),
                      "noun": ("strangulation", "choking", "non-fatal strangulation"), "if": ("puts his hands on her neck", "tries to strangle her"),
                      "other": ("her own partner had strangled her", "her own ex-partner had choked her")},
    "weapon": {"said": ("{p} had threatened {v_obj} with a knife", "{p} picked up a kitchen knife", "{p} came at {v_obj} with a hammer"),
               "noun": ("weapons", "a knife", "any weapon"), "if": ("picks up a knife",),
               "other": ("her own partner had used a knife on her",)},
    "stalking": {"said": ("{p} had followed {v_obj} home from work", "{p} keeps turning up at {v_pos} work",
                          "{p} was waiting outside {v_pos} flat", "{p} has been stalking {v_obj}",
                          "{p} was sitting outside {v_pos} house in {p_pos} car", "{p} keeps driving past {v_pos} flat"),
                 "noun": ("stalking", "harassment"), "if": ("follows her again", "turns up at her work"),
                 "other": ("her own ex had been stalking her",)},
    "sexual_violence": {"said": ("{p} had raped {v_obj}", "{p} forced {v_obj} to have sex", "{p} sexually assaulted {v_obj}"),
                        "noun": ("sexual violence", "sexual assault"), "if": ("forces her to have sex",),
                        "other": ("her own partner had raped her",)},
    "separation": {"said": ("{v_subj} had separated from {p}", "{v_subj} has left {p_obj}", "{v_subj} ended the relationship last month",
                            "{p} moved out after they split up", "{v_subj} asked {p_obj} to leave",
                            "{v_subj} fled to a refuge with the children", "{v_subj} left the family home"),
                   "noun": ("separation",), "if": ("ends the relationship",), "other": ()},
    "pregnancy": {"said": ("{v_subj} is 20 weeks pregnant", "{v_subj} is pregnant", "{v_subj} attended the booking appointment",
                           "{v_subj} attended the 20-week scan"),
                  "noun": ("pregnancy",), "if": (), "other": ("her own daughter was pregnant",)},
    "coercive_control": {"said": ("{p} checks {v_pos} phone every night", "{p} stops {v_obj} seeing {v_pos} friends",
                                  "{p} would not let {v_obj} leave the house", "{p} is controlling and jealous",
                                  "{p} accuses {v_obj} of cheating", "{p} smashed {v_pos} phone"),
                         "noun": ("controlling behaviour", "coercive control"), "if": ("checks her phone",), "other": ()},
    "financial_abuse": {"said": ("{p} takes {v_pos} benefits", "{p} controls all the money", "{p} keeps {v_pos} bank card",
                                 "{p} took out loans in {v_pos} name"),
                        "noun": ("financial abuse",), "if": (), "other": ()},
    "injury": {"said": ("{v_subj} had bruising to {v_pos} arms", "{p} punched {v_obj} in the face", "{v_subj} had a black eye",
                        "{v_subj} had a cut lip", "{v_subj} had a swollen eye", "{v_subj} had a head injury"),
               "noun": ("injuries", "visible injuries", "bruising"), "if": ("hits her",),
               "other": ("her friend had a black eye",)},
    "breach_of_order": {"said": ("{p} breached the non-molestation order", "{p} was in breach of his bail conditions"),
                        "noun": ("breach of the order",), "if": ("breaches the order",), "other": ()},
    "child_contact_dispute": {"said": ("there is an ongoing dispute over child contact", "{p} had applied to the family court for contact"),
                              "noun": ("child contact dispute",), "if": (), "other": ()},
    "alcohol_misuse": {"said": ("{p} was drunk", "{p} drinks most nights", "{p} had been drinking heavily",
                                "{p} drinks 60 units a week", "{p} is alcohol dependent"),
                       "noun": ("alcohol misuse",), "if": ("is drunk",), "other": ("her brother was drunk",)},
    "suicidal_ideation": {"said": ("{p} had thoughts of ending {p_pos} life", "{p} said {p_subj} felt suicidal"),
                          "noun": ("suicidal thoughts", "suicidal ideation"), "if": ("feels suicidal",), "other": ()},
    "mental_health": {"said": ("{p} has been diagnosed with depression", "{p} reported low mood and anxiety",
                               "{p} was sectioned last year", "{p} has a personality disorder"),
                      "noun": ("mental health concerns",), "if": (), "other": ("her mother had depression",)},
    "escalation": {"said": ("the abuse is escalating", "the incidents are getting worse"),
                   "noun": ("escalation",), "if": (), "other": ()},
}
TEXT_SAID = ("{v} said that {fact}.", "{v} disclosed that {fact}.", "{v} told the officer that {fact}.",
             "It was recorded that {fact}.", "Officers noted that {fact}.", "{V_fact}.")
TEXT_DENIED = ("No {noun} disclosed.", "{v} denied any {noun}.", "No evidence of {noun}.", "{v} did not report {noun}.",
               "There were no concerns about {noun}.")
TEXT_ASKED = ("Asked about {noun}: none.", "Asked about {noun}: denied.", "Routine enquiry about {noun}: no.")
TEXT_ASKED_YES = ("Asked about {noun}: yes, {fact}.",)
TEXT_IF = ("Advised to call 999 if {p} {if_}.", "Safety planning: what to do if {p} {if_}.",
           "{v} was advised to leave the house if {p} {if_}.")
TEXT_OTHER = ("{v}'s sister said that {other}.", "{v} said her friend had told her that {other}.")

# Scores, levels, referrals and shares, for the labelled sentences (synth_signals / the benchmark).
TEXT_DASH = ("DASH completed: {n} yes answers.", "DASH {n}.", "Scored {n}/27 on the DASH.", "DASH risk assessment completed with {v}, score {n}.",
             "DASH score of {n}.", "{n} out of 27 on the DASH checklist.")
TEXT_DASH_NOT = ("DASH not completed.", "No DASH completed at the scene.", "A DASH will be completed at the next visit.",
                 "If the DASH score is 14 or more the case goes to MARAC.")
TEXT_LEVEL = ("Assessed as {level} risk.", "Risk level: {level}.", "Graded {level} risk by the supervisor.", "Risk confirmed as {level}.")
TEXT_LEVEL_NOT = ("Risk level not assessed.", "Not assessed as high risk because {v} did not answer the questions.")
TEXT_REFER = ("Referred to {a}.", "Referral made to {a}.", "{v} referred to {a}.", "Made a referral to {a}.")
TEXT_SHARE = ("{A} informed.", "Information shared with {a}.", "Details passed to {a}.", "{A} notified by letter.",
              "Copy of the report sent to {a}.")
TEXT_REFERRED_BY = ("Referral received from {a}.", "{v} was referred by {a}.", "Following a referral from {a}, {v} was seen.")
TEXT_FLOW_NOT = ("No referral received from {a}.", "No referral to {a} was made.", "Not shared with {a}.", "{A} not informed.",
                 "Will refer to {a} if {v} consents.", "Consider a referral to {a}.", "{v} did not want a referral to {a}.")
# Events a summary records (textsignals' kind "event"): what the person was not seen at, a closure, a discharge.
TEXT_EVENT = {"did_not_attend": ("{v} did not attend the appointment.", "DNA - letter sent.", "Three calls to {v}, no answer.",
                                 "Unable to contact {v} by phone.", "Home visit: no answer at the door.",
                                 "{v} failed to attend the clinic."),
              "case_closed": ("Case closed.", "The case was closed.", "Referral closed to the service.",
                              "Closure letter sent to {v}."),
              "discharge": ("Discharged from the clinic.", "{v} was discharged home.", "Discharge summary completed.")}
TEXT_EVENT_NOT = ("{v} attended the appointment.", "Case not closed.", "If {v} does not attend, the case will be closed.",
                  "Will discharge if there is no contact.", "{v} answered the door.", "DNA sample taken.",
                  "{v} previously did not attend in 2019.", "{v} was not discharged.")
# A fictional review's agencies, and how a summary names each (name, alias or type word).
TEXT_AGENCIES = (("Elmford Police", "police", ("EP",), ("Elmford Police", "the police", "EP")),
                 ("Elmford MARAC", "marac", (), ("MARAC", "the MARAC", "Elmford MARAC")),
                 ("Birch Lane Surgery", "gp", (), ("the GP", "Birch Lane Surgery", "GP")),
                 ("Elmford Children's Services", "children_social_care", ("Elmford CSC",),
                  ("children's services", "Elmford CSC", "children's social care")),
                 ("Elmford Women's Aid", "da_service", ("IDVA service",), ("the IDVA service", "Elmford Women's Aid", "IDVA")),
                 ("Oak Hill Primary School", "education", (), ("the school", "Oak Hill Primary School")),
                 ("Elmford Housing", "housing", (), ("housing", "Elmford Housing")))


def labelled_sentences(count: int = 2400, seed: int = 0) -> list[dict]:
    """``count`` summary sentences, each with the signals it really states (``real``: "kind/value" keys;
    an empty list for a denial, a supposition, a question answered no, or someone else's experience),
    the frame it was written in, and the agencies of the fictional review it belongs to.

    >>> [s["real"] for s in labelled_sentences(3, seed=1)][:1] != []
    True
    """
    rng = random.Random(seed * 7919 + 17)
    words = {"v": "Adult V", "p": "Adult P", "v_subj": "she", "v_obj": "her", "v_pos": "her", "p_subj": "he",
             "p_obj": "him", "p_pos": "his"}
    out = []
    for _ in range(count):
        kind = rng.choices(("factor", "dash", "level", "flow", "event"), (0.5, 0.15, 0.1, 0.15, 0.1))[0]
        if kind == "factor":
            factor = rng.choice(list(TEXT_FACTS))
            text, real, frame = _factor_sentence(rng, factor, words)
        elif kind == "dash":
            n = rng.randint(0, 27)
            if rng.random() < 0.7:
                text, real, frame = rng.choice(TEXT_DASH).format(n=n, **words), [f"dash/{n}"], "said"
            else:
                text, real, frame = rng.choice(TEXT_DASH_NOT).format(**words), [], "not"
        elif kind == "level":
            level = rng.choice(RISK_ORDER)
            if rng.random() < 0.7:
                text, real, frame = rng.choice(TEXT_LEVEL).format(level=level, **words), [f"risk_level/{level}"], "said"
            else:
                text, real, frame = rng.choice(TEXT_LEVEL_NOT).format(**words), [], "not"
        elif kind == "event":
            if rng.random() < 0.7:
                event = rng.choice(list(TEXT_EVENT))
                text, real, frame = rng.choice(TEXT_EVENT[event]).format(**words), [f"event/{event}"], "said"
            else:
                text, real, frame = rng.choice(TEXT_EVENT_NOT).format(**words), [], "not"
        else:
            name, _, _, mentions = rng.choice(TEXT_AGENCIES[1:])  # the police record these contacts
            mention = rng.choice(mentions)
            fill = {"a": mention, "A": mention[0].upper() + mention[1:], **words}
            r = rng.random()
            if r < 0.3:
                text, real, frame = rng.choice(TEXT_REFER).format(**fill), [f"referred_to/{name}"], "said"
            elif r < 0.6:
                text, real, frame = rng.choice(TEXT_SHARE).format(**fill), [f"shared_with/{name}"], "said"
            elif r < 0.75:
                text, real, frame = rng.choice(TEXT_REFERRED_BY).format(**fill), [f"referred_by/{name}"], "said"
            else:
                text, real, frame = rng.choice(TEXT_FLOW_NOT).format(**fill), [], "not"
        out.append({"sentence": text, "real": real, "frame": frame})
    return out


def _factor_sentence(rng: random.Random, factor: str, words: dict) -> tuple[str, list[str], str]:
    fact = TEXT_FACTS[factor]
    frames = [("said", 0.4), ("denied", 0.15), ("asked", 0.1), ("asked_yes", 0.05)]
    frames += [("if", 0.15)] if fact["if"] else []
    frames += [("other", 0.15)] if fact["other"] else []
    frame = rng.choices([f for f, _ in frames], [w for _, w in frames])[0]
    said = rng.choice(fact["said"] + (fact.get("said_apart", ()) if words["v_pos"] != words["p_pos"] else ())).format(**words)
    noun = rng.choice(fact["noun"])
    if frame == "said":
        template = rng.choice(TEXT_SAID)
        return template.format(fact=said, V_fact=said[0].upper() + said[1:], **words), [f"risk_factor/{factor}"], frame
    if frame == "denied":
        return rng.choice(TEXT_DENIED).format(noun=noun, **words), [], frame
    if frame == "asked":
        return rng.choice(TEXT_ASKED).format(noun=noun, **words), [], frame
    if frame == "asked_yes":
        return rng.choice(TEXT_ASKED_YES).format(noun=noun, fact=said, **words), [f"risk_factor/{factor}"], frame
    if frame == "if":
        return rng.choice(TEXT_IF).format(if_=rng.choice(fact["if"]).format(**words), **words), [], frame
    return rng.choice(TEXT_OTHER).format(other=rng.choice(fact["other"]), **words), [], frame


TEXT_SHARE_OF_ROWS = 0.1  # background rows that get one more sentence about risk


def add_text_signals(rv: Review, rows: list[StoryRow], rng: random.Random) -> list[dict]:
    """Add one sentence to about a tenth of the background rows (``background``'s tuples, changed in
    place): in good-practice reviews only sentences that state no risk (a denial, advice, a question
    answered no, someone else's experience), elsewhere real risk factors too (never a score, level,
    referral or share: those could hide a planted finding). Each gets an answer-key entry (its
    ``line`` is filled in when the row is written): ``real`` lists the "kind/value" keys it states."""
    entries = []
    words = {**rv.words, "v_subj": rv.words["v_subj"]}
    for i, row in enumerate(rows):
        if rng.random() >= TEXT_SHARE_OF_ROWS:
            continue
        factor = rng.choice(list(TEXT_FACTS))
        for _ in range(20):
            text, real, frame = _factor_sentence(rng, factor, words)
            if not (rv.good and real):
                break
        else:
            continue
        entry = {"review": rv.rid, "sentence": text, "real": real, "frame": frame}
        rows[i] = row._replace(row=row.row._replace(summary=f"{row.row.summary} {text}"), finding=entry)
        entries.append(entry)
    return entries
