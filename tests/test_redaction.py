"""Redaction holds in every output: names generated across scripts, spacing and case forms, written
into every place the input can hold them, and every output (findings, query, timeline, path, viz,
in every format) searched for every form of every name, on both backends.

The search normalises independently of the code under test: NFKD, accents dropped, case-folded
(dotless i as i), whitespace runs as one space; a name or name part is a hit when it stands as a
word.
"""

from __future__ import annotations

import json
import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import AGENCIES, write_review

REVIEW = "dhr-zanzibarwick-2024"
AGENCIES_HERE = AGENCIES + [{"name": "Northbrook CSC", "type": "children_social_care", "aliases": ""}]

# Letters of several scripts; every generated name part holds at least one non-ASCII letter, so it
# cannot collide with an English word of the output ("new", "risk" ...).
LATIN = "abcdefghijklmnopqrstuvwxyz"
ACCENTED = "éèêëáàâäóòôöúùûüíìîïçñøåæœßğış"
CYRILLIC = "абвгдежзийклмнопрстуфхцчшщыэюя"
GREEK = "αβγδεζηθικλμνξοπρστυφχψω"
TRICKY = ["Kılıç", "ſamuel", "José", "Zoë", "Łucja", "Ŀuis", "İpek", "Ørsted", "Ǆemal"]


@st.composite
def name_part(draw) -> str:
    script = draw(st.sampled_from([LATIN + ACCENTED, CYRILLIC, GREEK]))
    body = draw(st.text(alphabet=script, min_size=3, max_size=8))
    special = draw(st.sampled_from(ACCENTED + CYRILLIC + GREEK))
    at = draw(st.integers(0, len(body)))
    part = body[:at] + special + body[at:]
    return part[:1].upper() + part[1:]


names = st.lists(st.one_of(st.sampled_from(TRICKY), name_part()), min_size=1, max_size=2).map(" ".join)


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().replace("ı", "i")
    return " ".join(text.split())


def forms(name: str) -> list[str]:
    """The ways a name reaches a chronology: as written, upper, lower, title case, decomposed accents,
    a non-breaking space or a doubled space between its parts."""
    parts = name.split(" ")
    return list(dict.fromkeys([name, name.upper(), name.lower(), name.title(), unicodedata.normalize("NFD", name),
                               "\u00a0".join(parts), "  ".join(parts)]))


def leaks(output: str, name: str) -> list[str]:
    """Forms or parts of ``name`` that stand as words in ``output``, literally or once normalised."""
    folded = fold(output)
    found = [f for f in forms(name) if f in output]
    for piece in [name, *name.split(" ")]:
        if re.search(rf"(?<!\w){re.escape(fold(piece))}(?!\w)", folded):
            found.append(piece)
    return found


def chronology(victim: str, perpetrator: str, child: str, professional: str) -> list[dict]:
    v, p, c = ([fs[i % len(fs)] for i in range(7)] for fs in map(forms, (victim, perpetrator, child)))

    def row(date, agency, subject, event, summary, **fields):
        base = {"date": date, "time": "", "sequence": "", "agency": agency, "subject": subject, "event": event,
                "summary": summary, "dash_score": "", "risk_level": "", "risk_factors": "", "referred_to": "",
                "shared_with": "", "professional": professional, "source": f"IMR of {v[1]}", "referral_outcome": ""}
        return {**base, **fields}

    return [
        row("2020-01-10", "NP", f"{victim};{perpetrator}", "incident", f"{v[2]} said {p[3]} hit her; {c[4]} was there.",
            dash_score="16", risk_level="high", risk_factors="threats_to_kill", shared_with="Northbrook CSC"),
        row("2020-02-10", "Elm Tree Surgery", victim, "appointment", f"Seen with {v[5]}; {p[6]} waited outside.",
            risk_factors="coercive_control", referral_outcome=f"{v[0]} not taken up"),
        row("2020-03-10", "NP", f"{victim};{perpetrator}", "incident", f"{v[3]} and {p[2]}.", dash_score="12"),
        row("2020-04-10", "NP", f"{victim};{perpetrator}", "incident", f"{v[4]} again.", risk_factors="strangulation"),
        row("2020-05-10", "Elm Tree Surgery", perpetrator, "did_not_attend", f"{p[0]} did not come."),
        row("2020-06-10", "Northbrook CSC", child, "home_visit", f"{c[1]} seen at home with {v[6]}.",
            referred_to="Northbrook Police"),
    ]


OUTPUTS = [
    ["findings"], ["findings", "--format", "json"], ["findings", "--format", "csv"], ["findings", "--format", "table"],
    ["query", "missed-marac", "--format", "json"], ["query", "unshared-risk", "--format", "csv"],
    ["query", "children-not-referred"], ["query", "fragmented-risk", "--format", "json"],
    ["timeline", "--review", REVIEW], ["timeline", "--review", REVIEW, "--format", "json"],
    ["timeline", "--review", REVIEW, "--format", "csv"],
    ["path", "NP", "Northbrook CSC", "--format", "json"], ["path", "NP", "Northbrook CSC"],
]
FILES = [
    (["findings", "--output"], "report.html"), (["findings", "--output"], "report.md"),
    (["viz", "--review", REVIEW, "--output"], "review.html"), (["viz", "--flows", "--output"], "flows.html"),
    (["viz", "--query", "unshared-risk", "--output"], "query.html"),
]


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(victim=names, perpetrator=names, child=names, professional=names)
def test_no_form_of_any_name_survives_redaction(tmp_path, cli, victim, perpetrator, child, professional):
    people = [{"person": victim, "role": "victim", "sex": "female", "age": "30", "global_id": ""},
              {"person": perpetrator, "role": "perpetrator", "sex": "male", "age": "35", "global_id": ""},
              {"person": child, "role": "child", "sex": "female", "age": "4", "global_id": ""}]
    if len({fold(n) for n in (victim, perpetrator, child, professional)}) < 4:
        return  # two people with one name: nothing to tell apart
    relationships = [{"person": perpetrator, "other": victim, "relationship": "partner", "abusive": "yes"},
                     {"person": victim, "other": child, "relationship": "parent", "abusive": "no"}]
    folder = write_review(tmp_path / "in", REVIEW, people=people, relationships=relationships, agencies=AGENCIES_HERE,
                          chronology=chronology(victim, perpetrator, child, professional))
    assert cli("load", str(folder)).exit_code == 0
    outputs = {}
    for command in OUTPUTS:
        result = cli(*command, "--redact")
        assert result.exit_code == 0, (command, result.output)
        outputs[" ".join(command)] = result.stdout
    for command, file in FILES:
        target = tmp_path / "out" / file
        result = cli(*command, str(target), "--redact")
        assert result.exit_code == 0, (command, result.output)
        outputs[file] = target.read_text(encoding="utf-8")
    outputs["timeline.html"] = ""
    target = tmp_path / "out" / "timeline.html"
    assert cli("timeline", victim, "--output", str(target), "--redact").exit_code == 0
    outputs["timeline.html"] = target.read_text(encoding="utf-8")
    assert json.loads(outputs["findings --format json"])  # the findings the names would be in
    for where, text in outputs.items():
        for name in (victim, perpetrator, child, professional):
            assert not leaks(text, name), (where, name, leaks(text, name))
        assert REVIEW not in text, where
