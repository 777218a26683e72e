"""One visual vocabulary for every view: shapes by node type, colours by role and agency type,
line styles by kind of link, and the legend that explains them.

Shapes say what a node is (people are circles, agencies boxes, forums diamonds); colours say which
role or kind of agency; lines say what joins them (grey contacts turning orange and red with the
risk recorded, crimson arrows for abuse, dashed grey for family, indigo referrals, teal shares,
dashed red where information never passed).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Iterable

from dhrgraph.loaders.vocab import DASH_HIGH_RISK, RISK_ORDER

__all__ = [
    "NodeStyle", "EdgeStyle", "person_style", "agency_style", "contact_style", "flow_style", "relation_style",
    "risk_rank", "risk_colour", "risk_words", "legend_html", "GAP", "NOT_REACHED", "HIGHLIGHT", "HIGHLIGHT_NOTE",
    "RISK_COLOURS", "GROUP_COLOURS", "GROUP_NOTE", "JOINED_PICTURE", "JOINED_PART",
]

HIGHLIGHT = "#ff9800"
HIGHLIGHT_NOTE = "Named in a finding (click a finding to focus it)"
# pale areas drawn behind the groups of agencies a finding sets apart (sides of a divide, fragments of risk)
GROUP_COLOURS = ["#f1e4f5", "#e4e8eb", "#dfeefc", "#e4f2e5", "#fff0dc"]
GROUP_NOTE = "Shaded: groups of agencies with no referral or share between them (the finding in focus)"


@dataclass(frozen=True)
class NodeStyle:
    legend: str
    shape: str  # vis-network shape: dot | box | diamond
    colour: str
    font_colour: str = "#1b1b1b"
    dashed: bool = False
    size: int = 16


@dataclass(frozen=True)
class EdgeStyle:
    legend: str
    colour: str
    dashed: bool = False
    arrow: bool = False
    width: float = 1.5


# --- people ---------------------------------------------------------------------------------

ROLE_STYLES = {
    "victim": NodeStyle("Victim", "dot", "#8e24aa", size=24),
    "perpetrator": NodeStyle("Perpetrator", "dot", "#37474f", size=24),
    "child": NodeStyle("Child", "dot", "#f9a825", size=16),
    "previous_partner": NodeStyle("Previous partner", "dot", "#ce93d8", size=18),
}
OTHER_PERSON = NodeStyle("Family, friend or other person", "dot", "#90a4ae", size=14)
UNIDENTIFIED = NodeStyle("Person never identified", "dot", "#eceff1", dashed=True, size=14)


def person_style(role: str, identified: bool = True) -> NodeStyle:
    return ROLE_STYLES.get(role, OTHER_PERSON) if identified else UNIDENTIFIED


# --- agencies: one colour per family of agency types ----------------------------------------------

AGENCY_FAMILIES = (
    (NodeStyle("Police, probation, courts", "box", "#1f5fbf", "#ffffff"), ("police", "probation", "cafcass")),
    (NodeStyle("Health (GP, mental health, hospital, midwifery ...)", "box", "#2e7d32", "#ffffff"),
     ("gp", "mental_health", "ambulance", "hospital", "health_visiting", "substance_misuse")),
    (NodeStyle("Social care (children, adults)", "box", "#e65100", "#ffffff"), ("children_social_care", "adult_social_care")),
    (NodeStyle("Domestic abuse service (IDVA)", "box", "#ad1457", "#ffffff"), ("da_service",)),
    (NodeStyle("Forum (MARAC, MASH)", "diamond", "#fbc02d", size=18), ("marac", "mash")),
)
OTHER_AGENCY = NodeStyle("Housing, education and other agencies", "box", "#6d4c41", "#ffffff")
AGENCY_STYLES = {agency_type: style for style, types in AGENCY_FAMILIES for agency_type in types}


def agency_style(agency_type: str) -> NodeStyle:
    return AGENCY_STYLES.get(agency_type, OTHER_AGENCY)


# --- links -----------------------------------------------------------------------------------------

RISK_COLOURS = {"high": "#d32f2f", "medium": "#fb8c00", "standard": "#7cb342", None: "#90a4ae"}
RISK_WORDS = {"high": f"high risk (level high, DASH {DASH_HIGH_RISK}+ or a serious factor such as threats to kill)",
              "medium": "medium risk recorded", "standard": "standard risk recorded", None: "no risk recorded"}
RISKS = (None, *RISK_ORDER)


def risk_rank(level: str | None) -> int:
    return RISKS.index(level) if level in RISKS else 0


def risk_colour(level: str | None) -> str:
    return RISK_COLOURS.get(level, RISK_COLOURS[None])


def contact_style(highest_risk: str | None) -> EdgeStyle:
    """Contacts between an agency and a person: coloured by the highest risk they show."""
    return EdgeStyle(f"Contacts: {risk_words(highest_risk)}", risk_colour(highest_risk), width=1.5)


def risk_words(level: str | None) -> str:
    return RISK_WORDS.get(level, RISK_WORDS[None])


ABUSE = EdgeStyle("Abuse (arrow from abuser to victim)", "#b0003a", arrow=True, width=4)
FAMILY = EdgeStyle("Family or other relationship", "#78909c", dashed=True, width=1.5)
FLOW_STYLES = {"referral": EdgeStyle("Referral (agency to agency)", "#3949ab", arrow=True, width=2),
               "share": EdgeStyle("Information shared (agency to agency)", "#00897b", arrow=True, width=2)}
GAP = EdgeStyle("Worked with the same family, never exchanged information", "#e53935", dashed=True, width=1.2)
NOT_REACHED = EdgeStyle("Risk that did not reach this agency", "#e53935", dashed=True, arrow=True, width=3)
# joined-up-risk: the parts agencies held, converging on the picture that only together reached high risk
JOINED_PICTURE = NodeStyle("Joined-up picture: high risk that no single agency's records reached", "diamond", "#c62828",
                           "#ffffff", size=20)
JOINED_PART = EdgeStyle("Part of the joined-up picture held by this agency", "#c62828", arrow=True, width=2.5)


def relation_style(abusive: bool) -> EdgeStyle:
    return ABUSE if abusive else FAMILY


def flow_style(kind: str) -> EdgeStyle:
    return FLOW_STYLES[kind]


# --- the legend --------------------------------------------------------------------------------------

def _node_swatch(style: NodeStyle) -> str:
    dash = " stroke-dasharray='3 2'" if style.dashed else ""
    paint = f"fill='{style.colour}' stroke='#455a64' stroke-width='1.2'{dash}"
    if style.shape == "box":
        return f"<rect x='4' y='3' width='28' height='14' rx='3' {paint}/>"
    if style.shape == "diamond":
        return f"<polygon points='18,1 27,10 18,19 9,10' {paint}/>"
    return f"<circle cx='18' cy='10' r='7' {paint}/>"


def _edge_swatch(style: EdgeStyle) -> str:
    dash = " stroke-dasharray='5 3'" if style.dashed else ""
    line = f"<line x1='2' y1='10' x2='{28 if style.arrow else 34}' y2='10' stroke='{style.colour}' stroke-width='{min(style.width, 4)}'{dash}/>"
    head = f"<polygon points='26,5 35,10 26,15' fill='{style.colour}'/>" if style.arrow else ""
    return line + head


LEGEND_ORDER = [*ROLE_STYLES.values(), OTHER_PERSON, UNIDENTIFIED, *(s for s, _ in AGENCY_FAMILIES), OTHER_AGENCY,
                JOINED_PICTURE, *(contact_style(level) for level in reversed(RISKS)), ABUSE, FAMILY,
                *FLOW_STYLES.values(), GAP, NOT_REACHED, JOINED_PART]


def legend_html(styles: Iterable[NodeStyle | EdgeStyle], extra: Iterable[tuple[str, str]] = ()) -> str:
    """The legend: one row per style used, in a fixed order, then ``extra`` rows of (swatch SVG, text)."""
    ordered = sorted(set(styles), key=LEGEND_ORDER.index)
    rows = [(_node_swatch(s) if isinstance(s, NodeStyle) else _edge_swatch(s), s.legend) for s in ordered]
    items = "".join(f"<li><svg width='36' height='20' aria-hidden='true'>{swatch}</svg><span>{html.escape(text)}</span></li>"
                    for swatch, text in [*rows, *extra])
    return f"<section class='legend'><h2>Legend</h2><ul>{items}</ul></section>"
