"""Risk read from the words (issue 17): what the extraction finds and leaves out, how it is stored,
how queries use it (and --signals coded), the analyst's rejections, and the free-text twin of a
coded review giving the same missed-marac finding."""

from __future__ import annotations

import json

import pytest

from dhrgraph import queries
from dhrgraph.queries import triage
from helpers import EXAMPLES, write_review
from dhrgraph.loaders import textsignals
from dhrgraph.queries.signals import list_signals

AGENCY_ROWS = [
    {"name": "Northbrook Police", "type": "police", "aliases": "NP"},
    {"name": "Elm Tree Surgery", "type": "gp", "aliases": ""},
    {"name": "Northbrook MARAC", "type": "marac", "aliases": ""},
    {"name": "Northbrook Children's Services", "type": "children_social_care", "aliases": "Northbrook CSC"},
    {"name": "Northbrook IDVA Service", "type": "da_service", "aliases": ""},
    {"name": "Hillside Academy", "type": "education", "aliases": ""},
]
AGENCIES = textsignals.ReviewAgencies([(a["name"], a["type"], [x for x in a["aliases"].split(";") if x]) for a in AGENCY_ROWS])


def keys(text: str) -> list[str]:
    return [s.key for s in textsignals.extract(text, AGENCIES, recorder="Northbrook Police")]


@pytest.mark.parametrize("text, expected", [
    # risk factors: synonyms, inflections, phrasings
    ("She said he choked her.", ["risk_factor/strangulation"]),
    ("He had strangled her until she passed out.", ["risk_factor/strangulation"]),
    ("He put his hands around her neck.", ["risk_factor/strangulation"]),
    ("He grips her throat when he is angry.", ["risk_factor/strangulation"]),
    ("Victim states suspect placed both hands on her neck and pressed.", ["risk_factor/strangulation"]),
    ("He denied putting his hands on her neck.", []),
    ("He messaged her saying she would be dead by Friday.", ["risk_factor/threats_to_kill"]),
    ("He texted: 'you will be dead by the morning'.", ["risk_factor/threats_to_kill"]),
    ("She said she would be dead without her medication.", []),  # nobody told: no threat
    ("He threatened to burn the house down with her in it.", ["risk_factor/threats_to_kill"]),
    ("She is expecting their second child in March.", ["risk_factor/pregnancy"]),
    ("She is not expecting a baby.", []),
    ("He sends her up to fifty texts a day.", ["risk_factor/stalking"]),
    ("He monitors her location on her phone.", ["risk_factor/coercive_control"]),
    ("Her sister said her own ex monitors her location.", []),
    ("She has scars on her forearms from cutting.", ["risk_factor/self_harm"]),
    ("No scars on her arms.", []),
    # curly apostrophes (pasted from a word processor) read as straight ones; phrases quoted as written
    ("He didn’t threaten to kill her.", []),
    ("She said she couldn’t breathe.", ["risk_factor/strangulation"]),
    ("He told her he’ll kill her.", ["risk_factor/threats_to_kill"]),
    ("He said he was gonna kill her.", ["risk_factor/threats_to_kill"]),
    ("He texted her 'you're dead'.", ["risk_factor/threats_to_kill"]),
    ("DASH completed – 16 ‘yes’ answers.", ["dash/16"]),
    # doubled and non-breaking spaces, quoted words: read past
    ("He threatened  to kill her.", ["risk_factor/threats_to_kill"]),
    ("He threatened\u00a0to kill her.", ["risk_factor/threats_to_kill"]),
    ("He said he’d “kill her” if she left.", ["risk_factor/threats_to_kill"]),
    ("He didn't  threaten to kill her.", []),
    ("She said “he didn’t choke me”.", []),
    ("He put his hands around V's neck.", ["risk_factor/strangulation"]),
    ("No hands were placed around the victim's neck.", []),
    ("Arrested for NFS.", ["risk_factor/strangulation"]),
    ("No NFS disclosed.", []),
    ("He had her in a chokehold.", ["risk_factor/strangulation"]),
    ("Dean threatened to kill her.", ["risk_factor/threats_to_kill"]),
    ("She said he would kill her if she left.", ["risk_factor/threats_to_kill"]),
    ("He said he would end her life.", ["risk_factor/threats_to_kill"]),
    # his own life: a threat of suicide, not a threat to kill (the Lindmoor example, probation's row)
    ("He said he would end his life if she left.", []),
    ("He threatened to end the tenancy.", []),
    # whose life: by agreement of the possessive with the speaker, not by sex
    ("She said she would end his life.", ["risk_factor/threats_to_kill"]),
    ("She said she would end her life.", []),
    ("They told her they were going to end her life.", ["risk_factor/threats_to_kill"]),
    ("He threatened to end his life.", []),
    ("She threatened to end his life.", ["risk_factor/threats_to_kill"]),
    # a threat to end the relationship is neither a separation (none has happened) nor a threat to kill
    ("He threatened to end the relationship.", []),
    ("She threatened to end the relationship.", []),
    ("He threatened to end their relationship if she saw her friends.", []),
    ("She ended the relationship last week.", ["risk_factor/separation"]),
    ("He threatened to end their lives.", ["risk_factor/threats_to_kill"]),
    ("He had threatened her with a knife.", ["risk_factor/weapon"]),
    ("He threatened to kill her with a knife.", ["risk_factor/threats_to_kill", "risk_factor/weapon"]),
    ("He had threatened to kill her, keeps her bank card and stops her seeing friends.",
     ["risk_factor/threats_to_kill", "risk_factor/financial_abuse", "risk_factor/coercive_control"]),
    ("She threatened to leave him.", []),
    ("She is pregnant.", ["risk_factor/pregnancy"]),
    ("Seen at 28 weeks.", ["risk_factor/pregnancy"]),
    ("Booking appointment with the midwife.", ["risk_factor/pregnancy"]),
    ("She has left him.", ["risk_factor/separation"]),
    ("They separated in May.", ["risk_factor/separation"]),
    ("He followed her home and turned up at her work.", ["risk_factor/stalking"]),
    ("Karl texts her up to forty times a day.", ["risk_factor/stalking"]),
    ("He rang her 30 times a night.", ["risk_factor/stalking"]),
    ("He had threatened to burn her and the child if she told anyone.", ["risk_factor/threats_to_kill"]),
    ("He threatened to set fire to her.", ["risk_factor/threats_to_kill"]),
    ("He threatened to burn the flat down.", []),  # no one said to be in it: not read as a threat to kill
    ("She left him in May.", ["risk_factor/separation"]),
    ("She left him after the assault.", ["risk_factor/separation"]),
    ("She left him.", ["risk_factor/separation"]),
    ("She left him a note.", []),
    ("She has not left him.", []),
    ("She is frightened of her ex-partner.", ["risk_factor/separation"]),
    ("Her ex turned up at her work.", ["risk_factor/separation", "risk_factor/stalking"]),
    ("Leah said the relationship had ended.", ["risk_factor/separation"]),
    ("The relationship has not ended.", []),
    ("His ex-wife obtained a non-molestation order against him.", []),  # his previous partner, not a separation
    ("Her sister's ex-partner had been violent to her sister.", []),
    ("Paid ex gratia.", []),
    # a reason given is said as so; "as" ends a clause only before a subject ("such as" does not)
    ("She asked to be moved as she has separated from him.", ["risk_factor/separation"]),
    ("He said he cannot cope since his partner left him.", ["risk_factor/separation"]),
    ("She did not call because he had a knife.", ["risk_factor/weapon"]),
    ("Asked about risks such as strangulation.", []),
    ("She denied threats as well as strangulation.", []),
    ("His partner left the room.", []),
    ("His wife had left in May.", ["risk_factor/separation"]),
    # his violence to a previous partner, and the former partner it names is no separation
    ("Previous convictions for assault on a former partner in 2016.", ["risk_factor/criminal_history",
                                                                       "risk_factor/previous_partner_abuse"]),
    ("He had assaulted his ex-partner.", ["risk_factor/previous_partner_abuse"]),
    ("Her former partner was violent.", ["risk_factor/previous_partner_abuse", "risk_factor/separation"]),
    ("He was violent to his partner.", []),
    # bail for this arrest is no criminal history; bail for something else is
    ("He was arrested and released on bail.", []),
    ("He was on bail for an assault at the time.", ["risk_factor/criminal_history"]),
    # speaking for her
    ("He answered questions for her throughout the visit.", ["risk_factor/coercive_control"]),
    ("He would not let her speak.", ["risk_factor/coercive_control"]),
    ("She answered questions about her health.", []),
    ("She left her phone at home.", []),
    # context: negation, hypothetical and advice, someone else, questions, history
    ("Denied any threats to kill.", []),
    ("No injuries seen.", []),
    ("Not pregnant.", []),
    ("Advised to call 999 if he threatens to kill her.", []),
    ("Her sister said her own ex had strangled her.", []),
    ("Asked about strangulation: none.", []),
    ("Asked about strangulation: yes, last week.", ["risk_factor/strangulation"]),
    ("A previous DASH of 15 was recorded in 2016.", []),
    ("He said he would kill himself.", ["risk_factor/suicidal_ideation"]),
    # scores and levels
    ("DASH 15.", ["dash/15"]),
    ("Scored 16/27.", ["dash/16"]),
    ("DASH completed: 16 yes answers, assessed as high risk.", ["dash/16", "risk_level/high"]),
    ("Standard risk.", ["risk_level/standard"]),
    ("DASH not completed.", []),
    # referrals and shares, resolved by name, alias and type
    ("Referred to MARAC.", ["referred_to/Northbrook MARAC"]),
    ("Referral to children's services.", ["referred_to/Northbrook Children's Services"]),
    ("GP informed.", ["shared_with/Elm Tree Surgery"]),
    ("Shared with the school.", ["shared_with/Hillside Academy"]),
    ("Information passed to IDVA.", ["shared_with/Northbrook IDVA Service"]),
    ("Referred to Northbrook CSC and the IDVA service.", ["referred_to/Northbrook Children's Services",
                                                          "referred_to/Northbrook IDVA Service"]),
    ("No referral to MARAC as she did not consent.", []),
    ("Will refer to MARAC if she agrees.", []),
    ("Referred to the police.", []),  # the recording agency itself: no flow
    # a referral told by the agency that received it: from the agency named to the recorder
    ("Referral received from the GP.", ["referred_by/Elm Tree Surgery"]),
    ("Referred by the IDVA service.", ["referred_by/Northbrook IDVA Service"]),
    ("GP referral received.", ["referred_by/Elm Tree Surgery"]),
    ("No referral received from the GP.", []),
    ("Safeguarding concern received from the GP.", ["referred_by/Elm Tree Surgery"]),
    ("Concerns received from a neighbour.", []),  # no agency
    ("A previous referral from the GP in 2019.", []),
    ("Referred by the police.", []),  # the recording agency itself
    ("Referred to the housing team.", []),  # no such agency in the review: not resolved
])
def test_what_the_words_say(text, expected):
    assert sorted(keys(text)) == sorted(expected)


def test_each_signal_keeps_its_phrase_span_and_rule():
    text = "Officers attended. Jade said Dean had his hands round her neck. DASH 16, high risk. GP informed."
    found = textsignals.extract(text, AGENCIES, recorder="Northbrook Police")
    assert [s.key for s in found] == ["risk_factor/strangulation", "dash/16", "risk_level/high", "shared_with/Elm Tree Surgery"]
    for s in found:
        assert text[s.start:s.end] == s.phrase
    assert found[0].phrase == "hands round her neck" and found[0].rule == "factor:strangulation#4"
    assert found[1].rule.startswith("dash#") and found[3].rule.startswith("flow:shared_with#")
    # read past quotation marks and a doubled space, curly apostrophes straight: quoted as written
    text = "Police attended.  He said he’d “kill her”  if she went to the GP."
    found = textsignals.extract(text, AGENCIES, recorder="Northbrook Police")
    assert [(s.key, s.phrase) for s in found] == [("risk_factor/threats_to_kill", "’d “kill her")]
    assert all(text[s.start:s.end] == s.phrase for s in found)
    # a word a rule needs after its phrase (a ">" slot) is not quoted: "in" tells she left him, not "him a note"
    for text in ("She left him in May.", "She left him."):
        found = textsignals.extract(text)
        assert [(s.key, s.phrase, text[s.start:s.end]) for s in found] == [("risk_factor/separation", "She left him", "She left him")]


# --- the graph and the queries ----------------------------------------------------------------

def row(date: str, agency: str, subject: str, event: str, summary: str, **coded: str) -> dict:
    base = {"date": date, "agency": agency, "subject": subject, "event": event, "summary": summary,
            "dash_score": "", "risk_level": "", "risk_factors": "", "referred_to": "", "shared_with": ""}
    return {**base, **coded}


HIGH_RISK = "Jade said Dean had threatened to kill her. DASH completed: 16 yes answers. No referral to MARAC made."
CODED_TWIN = [row("2020-03-11", "Northbrook Police", "Jade;Dean", "incident", "Officers attended a domestic incident.",
                  dash_score="16", risk_factors="threats_to_kill"),
              row("2020-04-01", "Elm Tree Surgery", "Jade", "appointment", "Seen with a chest infection.")]
TEXT_TWIN = [{k: v for k, v in r.items() if k not in ("dash_score", "risk_level", "risk_factors", "referred_to", "shared_with")}
             for r in CODED_TWIN]
TEXT_TWIN[0]["summary"] = HIGH_RISK


def test_a_free_text_review_gives_the_missed_marac_finding_of_its_coded_twin(tmp_path, store):
    store.load([write_review(tmp_path, "coded", chronology=CODED_TWIN, agencies=AGENCY_ROWS),
                write_review(tmp_path, "text", chronology=TEXT_TWIN, agencies=AGENCY_ROWS)])
    marac = queries.get("missed-marac")
    [coded] = store.run(marac, {"review": "coded"})
    [text] = store.run(marac, {"review": "text"})
    same = ("subject", "agency", "agency_type", "date", "reason")
    assert {k: text[k] for k in same} == {k: coded[k] for k in same} and text["reason"] == "DASH 16"
    assert text["finding"] == coded["finding"]
    [cited] = text["evidence"]
    assert cited["signal"] == "text" and {"threatened to kill", "DASH completed: 16"} <= set(cited["phrases"])
    assert coded["evidence"][0]["signal"] == "coded" and "phrases" not in coded["evidence"][0]
    # coded signals only: the text twin says nothing
    assert store.run(marac, {"review": "text", "signals": "coded"}) == []
    assert store.run(marac, {"review": "coded", "signals": "coded"})[0]["reason"] == "DASH 16"


def test_a_finding_resting_on_written_risk_is_as_severe_as_its_coded_twin(tmp_path, store):
    store.load([write_review(tmp_path, "coded", chronology=CODED_TWIN, agencies=AGENCY_ROWS),
                write_review(tmp_path, "text", chronology=TEXT_TWIN, agencies=AGENCY_ROWS)])
    marac = queries.get("missed-marac")
    [coded] = triage.run_query(store, marac, {"review": "coded"})
    [text] = triage.run_query(store, marac, {"review": "text"})
    assert coded["severity"] == text["severity"] == "high"
    assert text["evidence"][0]["read"] == {"risk_factors": ["threats_to_kill"], "dash_score": 16}
    assert "read" not in coded["evidence"][0]


def test_severity_counts_written_risk_unless_rejected_or_coded_only(tmp_path, store):
    # graded high in the columns (a finding of medium severity on its own); the strangulation is only written
    rows = [{**CODED_TWIN[0], "dash_score": "", "risk_factors": "", "risk_level": "high",
             "summary": "Jade said Dean strangled her until she could not breathe."}, CODED_TWIN[1]]
    store.load([write_review(tmp_path, "level", chronology=rows, agencies=AGENCY_ROWS)])
    marac = queries.get("missed-marac")
    [both] = triage.run_query(store, marac)
    [coded] = triage.run_query(store, marac, {"signals": "coded"})
    assert (both["severity"], coded["severity"]) == ("high", "medium") and both["id"] == coded["id"]
    store.record_decision("signal", "contact:level#2/risk_factor/strangulation", note="historic, another partner")
    [rejected] = triage.run_query(store, marac)
    assert rejected["severity"] == "medium" and rejected["id"] == both["id"]


def test_text_flows_count_and_rejections_are_applied_at_query_time(tmp_path, store):
    rows = [{**TEXT_TWIN[0], "summary": HIGH_RISK.replace("No referral to MARAC made.", "Referred to MARAC.")}, TEXT_TWIN[1]]
    store.load([write_review(tmp_path, "text", chronology=rows, agencies=AGENCY_ROWS)])
    marac = queries.get("missed-marac")
    assert store.run(marac) == []  # the referral written in the summary counts as a flow
    assert store.run(marac, {"signals": "coded"}) == []  # and coded only, there is no high risk at all
    referral = "contact:text#2/referred_to/Northbrook MARAC"
    store.record_decision("signal", referral, note="the referral was discussed, never sent")
    [found] = store.run(marac)
    assert found["reason"] == "DASH 16"
    store.record_decision("signal", "contact:text#2/dash/16")
    assert store.run(marac) == []
    # a reload keeps the decisions
    store.load([write_review(tmp_path, "text", chronology=rows, agencies=AGENCY_ROWS)])
    assert {d["key"] for d in store.decisions("signal")} == {referral, "contact:text#2/dash/16"}
    assert store.run(marac) == []


def test_paths_follow_text_flows_unless_coded_only_or_rejected(tmp_path, store):
    rows = [{**TEXT_TWIN[0], "summary": HIGH_RISK.replace("No referral to MARAC made.", "Referred to MARAC.")},
            {**TEXT_TWIN[1], "date": "2020-04-01"},
            row("2020-05-01", "Northbrook MARAC", "Jade", "meeting", "MARAC heard the case.", shared_with="Elm Tree Surgery")]
    store.load([write_review(tmp_path, "text", chronology=rows, agencies=AGENCY_ROWS)])
    [found] = store.paths("Northbrook Police", "Elm Tree Surgery")
    assert [(h["from"], h["to"], h["kind"], h["signal"]) for h in found["hops"]] == [
        ("Northbrook Police", "Northbrook MARAC", "referral", "text"), ("Northbrook MARAC", "Elm Tree Surgery", "share", "coded")]
    assert store.paths("Northbrook Police", "Elm Tree Surgery", signals="coded") == []
    [coded] = store.paths("Northbrook MARAC", "Elm Tree Surgery", signals="coded")
    assert coded["hops"][0]["signal"] == "coded"
    store.record_decision("signal", "contact:text#2/referred_to/Northbrook MARAC", note="never sent")
    assert store.paths("Northbrook Police", "Elm Tree Surgery") == []
    assert store.paths("Northbrook MARAC", "Elm Tree Surgery") == [coded]


def test_path_command_takes_signals(tmp_path, cli):
    rows = [{**TEXT_TWIN[0], "summary": HIGH_RISK.replace("No referral to MARAC made.", "Referred to MARAC.")}, TEXT_TWIN[1]]
    folder = write_review(tmp_path, "text", chronology=rows, agencies=AGENCY_ROWS)
    assert cli("load", str(folder)).exit_code == 0
    [found] = json.loads(cli("path", "Northbrook Police", "Northbrook MARAC", "--format", "json").stdout)
    assert found["hops"][0]["signal"] == "text"
    assert json.loads(cli("path", "Northbrook Police", "Northbrook MARAC", "--signals", "coded", "--format", "json").stdout) == []


def test_the_listing_says_source_phrase_and_what_was_never_coded(tmp_path, store):
    rows = [{**CODED_TWIN[0], "summary": HIGH_RISK}, CODED_TWIN[1]]
    store.load([write_review(tmp_path, "mixed", chronology=rows, agencies=AGENCY_ROWS)])
    listed = list_signals(store, review="mixed")
    assert [(s["kind"], s["value"], s["source"], s["phrase"]) for s in listed] == [
        ("risk_factor", "threats_to_kill", "coded", None), ("dash", "16", "coded", None),
        ("risk_factor", "threats_to_kill", "text", "threatened to kill"), ("dash", "16", "text", "DASH completed: 16"),
    ]
    assert listed[2]["id"] == "contact:mixed#2/risk_factor/threats_to_kill" and listed[2]["record"] == 2
    assert list_signals(store, review="mixed", uncoded=True) == []  # the columns say all the text says


def test_signals_command_lists_rejects_and_restores(tmp_path, cli):
    cli("load", str(write_review(tmp_path, "text", chronology=TEXT_TWIN, agencies=AGENCY_ROWS)))
    listed = json.loads(cli("signals", "--review", "text", "--uncoded", "--format", "json").stdout)
    assert [(s["kind"], s["value"], s["phrase"]) for s in listed] == [
        ("risk_factor", "threats_to_kill", "threatened to kill"), ("dash", "16", "DASH completed: 16")]
    assert json.loads(cli("query", "missed-marac", "--signals", "coded", "--format", "json").stdout) == []
    assert len(json.loads(cli("query", "missed-marac", "--format", "json").stdout)) == 1
    result = cli("signals", "--reject", "contact:text#2/dash/16", "--note", "the 16 was the previous score")
    assert result.exit_code == 0 and "Rejected contact:text#2/dash/16" in result.stdout
    assert json.loads(cli("query", "missed-marac", "--format", "json").stdout) == []
    shown = json.loads(cli("signals", "--contact", "text#2", "--format", "json").stdout)
    assert [(s["value"], s["status"], s.get("note")) for s in shown if s["kind"] == "dash"] == [
        ("16", "rejected", "the 16 was the previous score")]
    assert "Restored" in cli("signals", "--restore", "contact:text#2/dash/16").stdout
    assert len(json.loads(cli("query", "missed-marac", "--format", "json").stdout)) == 1
    markdown = cli("findings", "--review", "text").stdout
    assert '\\[text: "threatened to kill"; "DASH completed: 16"\\]' in markdown  # brackets escaped: Markdown from input is text
    coded = cli("findings", "--review", "text", "--signals", "coded").stdout
    assert "text:" not in coded and "missed-marac`): 0" in coded and "missed-marac`): 1" in markdown


def test_only_text_signals_the_text_alone_says_can_be_rejected(tmp_path, cli):
    rows = [{**CODED_TWIN[0], "summary": HIGH_RISK}, CODED_TWIN[1]]
    cli("load", str(write_review(tmp_path, "mixed", chronology=rows, agencies=AGENCY_ROWS)))
    result = cli("signals", "--reject", "contact:mixed#2/dash/16")
    assert result.exit_code == 1 and "also in the contact's coded columns" in result.stderr
    result = cli("signals", "--reject", "contact:mixed#2/risk_factor/weapon")
    assert result.exit_code == 1 and "No signal 'contact:mixed#2/risk_factor/weapon'" in result.stderr
    result = cli("signals", "--reject", "dash 16")
    assert result.exit_code == 1 and "is not a signal id" in result.stderr
    result = cli("signals", "--contact", "mixed#99")
    assert result.exit_code == 1 and "No contact 'mixed#99'" in result.stderr
    assert cli("signals").exit_code == 2


def test_the_free_text_example_review(tmp_path, store):
    """examples/dhr-fenwick-2022 has no coded risk columns at all; its words carry the findings."""
    header = (EXAMPLES / "dhr-fenwick-2022" / "chronology.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "date,agency,professional,subject,event,summary,source"
    store.load([EXAMPLES / "dhr-fenwick-2022"])
    rows = store.run(queries.get("missed-marac"), {"review": "dhr-fenwick-2022"})
    assert [(r["date"], r["reason"]) for r in rows] == [("2021-05-02", "DASH 16; risk level high"),
                                                        ("2021-09-14", "DASH 19; risk level high")]
    assert all(e["signal"] == "text" for r in rows for e in r["evidence"])
    assert store.run(queries.get("missed-marac"), {"review": "dhr-fenwick-2022", "signals": "coded"}) == []


# --- synth: labelled sentences and the corpus's answer key ---------------------------------------

def test_synth_labels_enough_sentences_of_every_kind_and_frame():
    from dhrgraph import synth

    sentences = synth.labelled_sentences(2000, seed=3)
    assert len(sentences) == 2000 and sentences == synth.labelled_sentences(2000, seed=3)
    kinds = {key.split("/")[0] for s in sentences for key in s["real"]}
    assert kinds == set(textsignals.KINDS)
    assert {"said", "denied", "asked", "asked_yes", "if", "other", "not"} <= {s["frame"] for s in sentences}
    assert 0.3 < sum(1 for s in sentences if not s["real"]) / len(sentences) < 0.6


def test_the_corpus_summaries_say_what_its_answer_key_says(tmp_path):
    import csv

    from dhrgraph import synth

    synth.generate(tmp_path, reviews=12, seed=5)
    key = json.loads((tmp_path / "answer_key.json").read_text(encoding="utf-8"))
    entries = key["text_signals"]
    good = set(key["good_practice_reviews"])
    assert any(e["real"] for e in entries) and any(not e["real"] for e in entries)
    assert all(not e["real"] for e in entries if e["review"] in good)  # good practice: only words that state no risk
    for entry in entries:
        with open(tmp_path / entry["review"] / "chronology.csv", encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        summary = rows[entry["line"] - 2]["summary"]
        assert summary.endswith(" " + entry["sentence"])
        assert [s.key for s in textsignals.extract(entry["sentence"])] == entry["real"], entry


# --- the fast reading is the spaCy Matcher's reading -------------------------------------------------

def _sentences_to_check() -> list[str]:
    from dhrgraph import synth

    texts = [s["sentence"] for s in synth.labelled_sentences(2400, seed=1)]
    for held in sorted((EXAMPLES.parent / "benchmarks").glob("heldout*.json")):
        texts += [text for text, _ in json.loads(held.read_text(encoding="utf-8"))]
    for chronology in sorted(EXAMPLES.glob("*/chronology.csv")):
        import csv

        with open(chronology, encoding="utf-8", newline="") as fh:
            texts += [row.get("summary") or "" for row in csv.DictReader(fh)]
    texts += [text.replace("'", "\u2019") for text in texts if "'" in text]  # as pasted from a word processor
    texts += [text.replace(" ", "  ", 2) for text in texts[::7]]  # doubled spaces
    return list(dict.fromkeys(s for text in texts for _, s in textsignals.sentences(text)))


def test_a_curly_apostrophe_reads_as_a_straight_one():
    """Tokens, spans and candidates of a sentence written with curly apostrophes are those of the straight one."""
    curly = [s for s in _sentences_to_check() if "\u2019" in s]
    assert len(curly) > 100
    assert [s for s in curly if textsignals.read_sentence(s) != textsignals.read_sentence(s.replace("\u2019", "'"))] == []


def test_the_fast_reading_finds_what_the_spacy_matcher_finds():
    """read_sentence (tokens by chunk, patterns looked up by their first word) against reference_read (the whole
    sentence through spaCy's nlp and Matcher): the same tokens, spans, candidates, context and verdicts, over
    synth's labelled sentences, the held-out sets and the examples' summaries."""
    sentences = _sentences_to_check()
    assert len(sentences) > 1000
    different = [s for s in sentences if textsignals.read_sentence(s) != textsignals.reference_read(s)]
    assert different == []
    # and the cases the fast path treats apart: spaces doubled, leading or trailing, other whitespace
    for text in ("He  choked her.", " He choked her. ", "He\tchoked her.", "DASH  16/27,  high risk."):
        assert textsignals.read_sentence(text) == textsignals.reference_read(text)


def test_the_stored_tokenizer_tables_are_the_installed_spacys():
    """loaders/entokenizer_data.py is generated from spaCy (python -m dhrgraph.loaders.entokenizer): a spaCy
    upgrade that changes its English tokenizer fails here until the tables are regenerated."""
    from dhrgraph.loaders import entokenizer
    from dhrgraph.loaders.entokenizer_data import TABLES

    assert entokenizer.tables(textsignals._nlp().tokenizer) == TABLES


@pytest.mark.parametrize("chunk", [
    "don't", "Don't.", "gonna", "cannot,", "Carla's", "children's", "Dr.", "e.g.", "a.m.", "(DASH)", "16/27", "16/27.",
    "27/12/2021", "£50", "50%", "10kg", "3pm", "7th", "A&E", "self-harm", "ex-partner", "6-year-old", "U.S.", "MARAC.",
    "B.", "x.", "she'll", "he'd", "'s", "\"No\"", "(she", "said:", "Paul:).", ":)", "http://example.org.", "well...",
    "end-of-life", "C/O", "o'clock", "y'all", "'cause", "Mr.Smith", "ABC-123", "£1,000.", "#1", "**", "--", "…", "‘quote’",
])
def test_the_plain_python_tokenizer_agrees_with_spacy(chunk):
    from dhrgraph.loaders import entokenizer

    for text in (chunk, f"She said {chunk} today.", f"{chunk} {chunk}"):
        doc = textsignals._nlp().tokenizer(text)
        ours = entokenizer.tokenizer()(text)
        # None: it leaves the sentence to spaCy (a special case spaCy's matcher would rewrite)
        assert ours is None or ours == (tuple(t.text for t in doc), tuple((t.idx, t.idx + len(t.text)) for t in doc))
    assert entokenizer.tokenizer()("He choked her.") is not None


def test_like_num_is_spacys():
    from dhrgraph.loaders import entokenizer

    nlp = textsignals._nlp()
    for word in ("16", "16/27", "sixteen", "Twenty", "first", "3rd", "1,000", "+5", "1.5", "x", "16a", "27/", "ten-year"):
        assert entokenizer.like_num(word) == nlp.vocab[word].like_num, word


@pytest.mark.parametrize("text", [
    "She said she couldn't breathe.", "He cannot breathe", "He said he'd kill her",
    "DASH 16/27.", "Scored 16/27", "She is twenty weeks pregnant.", "Self-harm's been an issue.", "GP informed.",
])
def test_the_sentence_filter_keeps_what_a_rule_could_match(text):
    assert textsignals.read_sentence(text)[2] and textsignals._filter().may_hold(text)


def test_the_sentence_filter_lets_no_target_through_unread():
    """A sentence the filter skips is never tokenized: over every sentence the tests know (synth's labelled ones,
    the held-out sets, the examples), none it skips has a target the matcher would find; and it does skip most
    of those that have none."""
    sentences = _sentences_to_check()
    skipped = [s for s in sentences if not textsignals._filter().may_hold(s)]
    assert [s for s in skipped if textsignals.read_sentence(s)[2]] == []
    empty = [s for s in sentences if not textsignals.read_sentence(s)[2]]
    assert len(skipped) > len(empty) / 2


# --- a sentence is read once up to its review's names --------------------------------------------------

def test_only_names_no_reading_looks_at_are_set_aside():
    """A name is read as the placeholder only when nothing of the reading looks at it: not a rule's or context's
    word, a number, a level, a pronoun, a tokenizer special case ("Jan."), nor a word a slot's test takes."""
    for name in ("Zara", "Harrowfield", "Dean", "Hope", "Ashworth"):
        assert textsignals._opaque(name), name
    for word in ("Will", "High", "Standard", "Ten", "He", "Her", "Jan", "Sept", "But", "Which", "Zara's", "ZARA", "McKay", "A"):
        assert not textsignals._opaque(word), word


def test_a_sentence_reads_the_same_with_its_names_set_aside():
    """Every sentence the tests know (synth's labelled ones, the held-out sets, the examples), with its capitalised
    words taken as its review's names, and again with names put where a tokenizer could treat them apart (before a
    full stop, comma, colon, bracket, at the start, after a bracket): read as its shape, then mapped back, it gives
    the very tokens, spans and candidates of the sentence read as written."""
    import re

    checked = replaced = 0
    for sentence in _sentences_to_check():
        body = sentence.rstrip(".")
        for text in (sentence, f"Zara said {body} to Dean.", f"(Carla) {body}, Harrowfield: Zara; Dean!",
                     f"{body} with Hope (Zara), Dean? Ashworth.", f"Zara's {body}, Dean’s; Hope's."):
            names = frozenset(w for w in re.findall(r"[A-Z][a-z]+", text) if textsignals._opaque(w))
            shape, changes = textsignals._shape(text, names)
            replaced += bool(changes)
            assert textsignals._named_read(text, names) == textsignals._asserted_read(text), text
            checked += 1
    assert checked > 4000 and replaced > checked / 3


def test_a_review_reads_the_same_with_or_without_setting_its_names_aside(tmp_path, monkeypatch):
    """review_signals of synth's reviews (names of people and agencies in most sentences, referrals and shares
    among them) is the same, contact for contact, as when no name is set aside (every sentence read as written)."""
    from dhrgraph import synth
    from dhrgraph.loaders import read_reviews

    synth.generate(tmp_path, reviews=20, seed=3, contacts=3000, layout="combined")
    reviews = read_reviews([tmp_path]).reviews
    textsignals.clear_caches()
    shaped = [textsignals.review_signals(r) for r in reviews]
    assert textsignals._asserted_read.cache_info().misses < 0.8 * len(textsignals._BY_SENTENCE)  # names were set aside
    textsignals.clear_caches()
    monkeypatch.setattr(textsignals, "_review_names", lambda review: frozenset())
    written = [textsignals.review_signals(r) for r in reviews]
    textsignals.clear_caches()
    assert sum(len(found) for contacts in written for found in contacts) > 500
    assert [[list(found) for found in contacts] for contacts in shaped] == [[list(found) for found in contacts] for contacts in written]
