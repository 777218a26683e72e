"""The SafeLives Dash risk checklist as data, and how the risk-factor vocabulary reads onto it.

Why: a chronology records risk factors (``RISK_FACTORS`` in ``loaders/vocab.py``), not DASH
answers. To ask "had the agencies' knowledge been put together, would this have been high risk?"
(query ``joined-up-risk``) the factors are read as answers to the checklist's 24 questions: one
point per question answered yes, however many agencies knew it, as the checklist scores.

A factor means a different question depending on whom the contact is about: the checklist asks
about the person at risk (are you depressed or suicidal?) and about the abuser (drugs, alcohol or
mental health; threats or attempts of suicide; criminal history). ``FACTOR_QUESTIONS`` gives both
readings; ``None`` means the factor answers no question in that reading.

Questions 2 (very frightened), 3 (what are you afraid of) and 17 (anyone else threatening you)
are asked of the person and are never recorded as a factor; honour-based abuse is read as 17
(others in the family threatening). ``child_in_household`` and the victim's own substance use
answer no question of the 24.
"""

from __future__ import annotations

from dhrgraph.loaders.vocab import RISK_FACTORS

__all__ = ["DASH_QUESTIONS", "FACTOR_QUESTIONS", "RED_FLAGS", "REPEAT_INCIDENTS", "REPEAT_QUESTION", "dash_reference"]

# The 24 questions of the SafeLives Dash risk checklist (2009), in order, shortened.
DASH_QUESTIONS = (
    "current incident resulted in injury",                                  # 1
    "very frightened",                                                       # 2
    "afraid of further injury, violence or being killed",                    # 3
    "isolated from family or friends",                                       # 4
    "depressed or having suicidal thoughts",                                 # 5
    "separated or tried to separate within the past year",                  # 6
    "conflict over child contact",                                           # 7
    "abuser constantly texts, calls, follows, stalks or harasses",           # 8
    "pregnant or had a baby in the last 18 months",                          # 9
    "abuse happening more often",                                            # 10
    "abuse getting worse",                                                   # 11
    "abuser tries to control everything and/or is excessively jealous",     # 12
    "abuser has used weapons or objects to hurt",                            # 13
    "abuser has threatened to kill (the person or someone else)",           # 14
    "abuser has tried to strangle, choke, suffocate or drown",               # 15
    "abuser does or says sexual things that hurt or degrade",               # 16
    "another person has threatened, or is feared",                           # 17
    "abuser has hurt anyone else (children, a previous partner, others)",   # 18
    "abuser has mistreated an animal or pet",                                # 19
    "financial issues (dependence on the abuser, job loss)",                # 20
    "abuser has problems with drugs, alcohol or mental health",             # 21
    "abuser has threatened or attempted suicide",                            # 22
    "abuser has broken bail, an injunction or a formal agreement",          # 23
    "abuser has been in trouble with the police or has a criminal history",  # 24
)

# factor -> (question when the contact is about the person at risk, question when only about the abuser)
FACTOR_QUESTIONS: dict[str, tuple[int | None, int | None]] = {
    "injury": (1, 1),
    "isolation": (4, 4),
    "mental_health": (5, 21),
    "suicidal_ideation": (5, 22),
    "self_harm": (5, 22),
    "separation": (6, 6),
    "child_contact_dispute": (7, 7),
    "stalking": (8, 8),
    "pregnancy": (9, 9),
    "escalation": (11, 11),
    "coercive_control": (12, 12),
    "weapon": (13, 13),
    "threats_to_kill": (14, 14),
    "strangulation": (15, 15),
    "sexual_violence": (16, 16),
    "honour_based_abuse": (17, 17),
    "previous_partner_abuse": (18, 18),
    "animal_abuse": (19, 19),
    "financial_abuse": (20, 20),
    "substance_misuse": (None, 21),
    "alcohol_misuse": (None, 21),
    "medication_non_compliance": (None, 21),
    "breach_of_order": (23, 23),
    "criminal_history": (24, 24),
    "child_in_household": (None, None),
}
assert set(FACTOR_QUESTIONS) == set(RISK_FACTORS.values()), "every risk factor needs a DASH reading"

# Question 10 ("abuse happening more often") is answered yes when the window holds this many
# incidents about the person at risk (the MARAC criterion's "3 or more incidents in 12 months").
REPEAT_QUESTION = 10
REPEAT_INCIDENTS = 3

# Combinations of red flags that make a picture high risk whatever the count (SPECSS+ and the
# homicide-timeline research): each needs every listed question, and, with ``incident``, an
# incident about the person at risk in the window.
RED_FLAGS = (
    {"name": "strangulation, threats to kill and a weapon", "questions": [13, 14, 15], "incident": False},
    {"name": "separation and stalking", "questions": [6, 8], "incident": False},
    {"name": "pregnancy and an injury", "questions": [1, 9], "incident": False},
    {"name": "pregnancy and an incident", "questions": [9], "incident": True},
)


def dash_reference() -> dict:
    """The checklist, the factor readings and the red flags, for ``dhrgraph queries --format json``."""
    return {
        "dash_questions": {str(n): text for n, text in enumerate(DASH_QUESTIONS, 1)},
        "factor_questions": {f: {"about_person_at_risk": v, "about_abuser": a} for f, (v, a) in FACTOR_QUESTIONS.items()},
        "repeat_incidents": {"question": REPEAT_QUESTION, "incidents": REPEAT_INCIDENTS},
        "red_flags": [dict(flag) for flag in RED_FLAGS],
    }
