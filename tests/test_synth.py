"""synth: a deterministic corpus in the input format whose answer key points at real rows.

Everything is read back from the files written to ``tmp_path``, against the vocabularies of the
input format (not the loader's tables: this suite checks the generator on its own).
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from dhrgraph import queries, synth

ROLES = {"victim", "perpetrator", "child", "family", "friend", "previous_partner", "other"}
SEXES = {"female", "male", "other", "unknown"}
RELATIONSHIPS = {"partner", "ex_partner", "spouse", "parent", "child", "sibling", "household", "carer", "friend", "other"}
EVENTS = {"incident", "call", "appointment", "home_visit", "assessment", "disclosure", "referral", "information_share",
          "meeting", "arrest", "charge", "court", "conviction", "admission", "discharge", "did_not_attend",
          "case_closed", "other"}
RISK_LEVELS = {"standard", "medium", "high"}
RISK_FACTORS = {"threats_to_kill", "strangulation", "weapon", "separation", "pregnancy", "escalation", "stalking",
                "sexual_violence", "child_contact_dispute", "coercive_control", "financial_abuse", "honour_based_abuse",
                "isolation", "previous_partner_abuse", "criminal_history", "breach_of_order", "mental_health",
                "substance_misuse", "alcohol_misuse", "suicidal_ideation", "self_harm", "animal_abuse",
                "child_in_household", "medication_non_compliance", "injury"}
AGENCY_TYPES = {"police", "gp", "mental_health", "ambulance", "hospital", "children_social_care", "adult_social_care",
                "housing", "probation", "substance_misuse", "da_service", "education", "health_visiting", "marac",
                "mash", "cafcass", "immigration", "dwp", "other"}
DATE = re.compile(r"\??(\d{4}-\d\d-\d\d|\d{4}-\d\d|\d{4}|\d\d/\d\d/\d{4})")
LINE_KEYS = {"missed-marac", "unshared-risk", "children-not-referred", "no-follow-up"}


def read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def day_of(text: str) -> date | None:
    """The day a full date names (None for a month or a year)."""
    text = text.lstrip("?")
    if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
        return date.fromisoformat(text)
    if re.fullmatch(r"\d\d/\d\d/\d{4}", text):
        day, month, year = map(int, text.split("/"))
        return date(year, month, day)
    return None


def load(root: Path) -> dict[str, dict]:
    """Each review's tables, whichever the layout; chronology rows keep their file line."""
    reviews: dict[str, dict] = defaultdict(lambda: {"people": [], "relationships": [], "chronology": []})
    if (root / "chronology.csv").exists():
        agencies = read(root / "agencies.csv")
        for table in ("people", "relationships", "chronology"):
            for line, row in enumerate(read(root / f"{table}.csv"), start=2):
                reviews[row.pop("review")][table].append({**row, "_line": line})
        for review in reviews.values():
            review["agencies"] = agencies
    else:
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            review = reviews[folder.name]
            for table in ("people", "relationships", "chronology", "agencies"):
                review[table] = [{**row, "_line": line} for line, row in enumerate(read(folder / f"{table}.csv"), start=2)]
    for review in reviews.values():
        review["canonical"] = {alias: a["name"] for a in review["agencies"] for alias in [a["name"], *split(a["aliases"])]}
        review["types"] = {a["name"]: a["type"] for a in review["agencies"]}
    return dict(reviews)


def corpus_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("folders")
    synth.generate(root, reviews=60, seed=5)
    return root, json.loads((root / "answer_key.json").read_text())


@pytest.fixture(scope="module")
def combined(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("combined")
    synth.generate(root, reviews=60, seed=6, contacts=6000, layout="combined")
    return root, json.loads((root / "answer_key.json").read_text())


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        synth.generate(tmp_path / name, reviews=25, seed=seed)
    first = corpus_bytes(tmp_path / "a")
    # four files per review, the answer key, and a recommendations.csv for each review the key gives some
    key = json.loads(first["answer_key.json"])
    with_recommendations = {item.split("/")[0] for item in key["recommendations"]["overdue"]} | \
        {r for group in key["recommendations"]["repeated"] for r in group["reviews"]}
    assert len(first) == 25 * 4 + 1 + len([n for n in first if n.endswith("/recommendations.csv")])
    assert with_recommendations <= {n.split("/")[0] for n in first if n.endswith("/recommendations.csv")}
    assert corpus_bytes(tmp_path / "b") == first
    assert corpus_bytes(tmp_path / "c") != first


def test_contacts_gives_exactly_that_many_rows(tmp_path):
    summary = synth.generate(tmp_path / "c", reviews=40, seed=1, contacts=4321, layout="combined")
    assert len(read(tmp_path / "c" / "chronology.csv")) == 4321
    assert summary["contacts"] == json.loads(Path(summary["answer_key"]).read_text())["contacts"] == 4321
    synth.generate(tmp_path / "f", reviews=30, seed=1, contacts=2500)
    assert sum(len(read(p)) for p in (tmp_path / "f").glob("*/chronology.csv")) == 2500


def test_realistic_sizes_without_contacts(folders):
    root, _ = folders
    sizes = [len(read(p)) for p in root.glob("*/chronology.csv")]
    assert min(sizes) >= 20 and max(sizes) <= 80


def test_too_few_contacts_is_refused_before_writing(tmp_path):
    with pytest.raises(ValueError, match="at least"):
        synth.generate(tmp_path / "none", reviews=50, seed=1, contacts=50)
    assert not (tmp_path / "none").exists()


def test_unknown_layout_is_refused(tmp_path):
    with pytest.raises(ValueError, match="folders"):
        synth.generate(tmp_path, reviews=2, layout="zip")


def test_progress_reports_rows_written(tmp_path):
    seen: list[int] = []
    synth.generate(tmp_path, reviews=50, seed=2, contacts=25_000, layout="combined", progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 25_000
    assert 2 <= len(seen) <= 4


@pytest.mark.parametrize("layout", ["folders", "combined"])
def test_every_value_is_in_the_format_vocabularies(layout, folders, combined):
    root, _ = folders if layout == "folders" else combined
    for rid, review in load(root).items():
        people = {p["person"] for p in review["people"]}
        assert len(people) == len(review["people"]), rid
        for p in review["people"]:
            assert p["role"] in ROLES and p["sex"] in SEXES and p["identified"] in {"yes", "no"}
            assert p["age"] == "" or 0 <= int(p["age"]) <= 100
        for r in review["relationships"]:
            assert {r["person"], r["other"]} <= people and r["relationship"] in RELATIONSHIPS
            assert r["abusive"] in {"yes", "no"}
        assert {a["type"] for a in review["agencies"]} <= AGENCY_TYPES
        for row in review["chronology"]:
            where = f"{rid}:{row['_line']}"
            assert DATE.fullmatch(row["date"]), where
            assert set(split(row["subject"])) <= people, where
            assert row["agency"] in review["canonical"], where
            assert set(split(row["referred_to"])) | set(split(row["shared_with"])) <= set(review["types"]), where
            assert row["event"] in EVENTS, where
            assert row["risk_level"] in RISK_LEVELS | {""}, where
            assert row["dash_score"] == "" or 0 <= int(row["dash_score"]) <= 27, where
            assert set(split(row["risk_factors"])) <= RISK_FACTORS, where
            assert row["time"] == "" or re.fullmatch(r"\d\d:\d\d", row["time"]), where
            assert row["professional"] and row["summary"] and row["source"], where


def test_same_day_rows_are_numbered(folders):
    root, _ = folders
    for rid, review in load(root).items():
        by_day = defaultdict(list)
        for row in review["chronology"]:
            if row["date"][0] != "?" and day_of(row["date"]):
                by_day[day_of(row["date"])].append(row["sequence"])
        for day, sequences in by_day.items():
            expected = [str(n) for n in range(1, len(sequences) + 1)] if len(sequences) > 1 else [""]
            assert sequences == expected, (rid, day)


@pytest.mark.parametrize("layout", ["folders", "combined"])
def test_answer_key_lines_point_at_their_rows(layout, folders, combined):
    root, key = folders if layout == "folders" else combined
    reviews = load(root)
    lines = [p for p in key["planted"] if p["query"] in LINE_KEYS]
    assert {p["query"] for p in lines} == LINE_KEYS
    for planted in lines:
        review = reviews[planted["review"]]
        row = next(r for r in review["chronology"] if r["_line"] == planted["line"])
        assert review["canonical"][row["agency"]] == planted["agency"], planted
        assert planted["subject"] in split(row["subject"]), planted
        assert day_of(row["date"]) == date.fromisoformat(planted["date"]), planted
        for other in planted.get("not_shared_with", []):
            later = [r for r in review["chronology"] if review["canonical"][r["agency"]] == other
                     and planted["subject"] in split(r["subject"]) and day_of(r["date"])
                     and 0 < (day_of(r["date"]) - date.fromisoformat(planted["date"])).days <= 180]
            assert later and not split(row["referred_to"]) + split(row["shared_with"]), planted


def test_planted_people_and_agencies_exist(folders):
    root, key = folders
    reviews = load(root)
    for planted in key["planted"]:
        if "review" not in planted:
            continue
        review = reviews[planted["review"]]
        people = {p["person"]: p for p in review["people"]}
        for field in ("subject", "victim", "perpetrator", "person"):
            assert field not in planted or planted[field] in people, planted
        if planted["query"] == "unidentified-people":
            assert people[planted["person"]]["identified"] == "no"
        if planted["query"] == "professional-churn":
            seen_by = {r["professional"] for r in review["chronology"]
                       if review["canonical"][r["agency"]] == planted["agency"] and planted["subject"] in split(r["subject"])}
            assert len(seen_by) >= 5, planted


@pytest.mark.parametrize("layout", ["folders", "combined"])
def test_serial_perpetrators_abuse_someone_in_every_listed_review(layout, folders, combined):
    root, key = folders if layout == "folders" else combined
    reviews = load(root)
    serial = [p for p in key["planted"] if p["query"] == "serial-perpetrators"]
    linked = [p for p in serial if "perpetrator_global_id" in p]
    assert linked and len(serial) > len(linked)
    for planted in linked:
        assert 2 <= len(planted["reviews"]) == planted["victims"] <= 3
        for rid in planted["reviews"]:
            review = reviews[rid]
            (person,) = [p["person"] for p in review["people"] if p["global_id"] == planted["perpetrator_global_id"]]
            abused = [r["other"] for r in review["relationships"] if r["person"] == person and r["abusive"] == "yes"]
            assert len(abused) == 1, (rid, person)
    for planted in serial:
        if "review" in planted:
            review = reviews[planted["review"]]
            abused = {r["other"] for r in review["relationships"] if r["person"] == planted["perpetrator"] and r["abusive"] == "yes"}
            assert len(abused) == planted["victims"] == 2


def test_every_pattern_planted_and_good_practice_kept_apart(folders):
    _, key = folders
    assert {p["query"] for p in key["planted"]} == set(synth.PATTERNS) | {"serial-perpetrators"}
    good = set(key["good_practice_reviews"])
    assert 0.10 <= len(good) / key["reviews"] <= 0.15
    planted_in = {rid for p in key["planted"] for rid in p.get("reviews", [p.get("review")])}
    assert not good & planted_in


def test_every_catalogue_query_is_planted(folders):
    """A query added to the catalogue needs a pattern in synth (PATTERNS, a plant_* function) that the
    answer key lists, or the corpus cannot show that it finds what it should."""
    _, key = folders
    planted = {p["query"] for p in key["planted"]}
    never = [q.name for q in queries.catalogue() if q.name not in planted]
    assert not never, f"synth never plants {never}: add a pattern for each to synth.PATTERNS"


def test_good_practice_reviews_follow_through(folders):
    """Risk goes to every agency that later sees the family, high risk to the MARAC, a missed visit is followed up."""
    root, key = folders
    reviews = load(root)
    for rid in key["good_practice_reviews"]:
        review = reviews[rid]
        agency_of = review["canonical"]
        rows = [{**r, "day": day_of(r["date"]), "who": set(split(r["subject"])), "by": agency_of[r["agency"]]}
                for r in review["chronology"]]
        assert all(r["day"] for r in rows), rid
        assert all(p["identified"] == "yes" for p in review["people"]), rid
        for row in rows:
            told = set(split(row["referred_to"])) | set(split(row["shared_with"])) | {row["by"]}
            if row["risk_factors"] or row["dash_score"]:
                later = {r["by"] for r in rows if r["who"] & row["who"] and r["day"] > row["day"]}
                assert later <= told, (rid, row["_line"], later - told)
            if row["risk_level"] == "high":
                assert any(review["types"][a] == "marac" for a in split(row["referred_to"])) or any(
                    review["types"][r["by"]] == "marac" and r["event"] == "meeting" and abs((r["day"] - row["day"]).days) <= 28
                    for r in rows), (rid, row["_line"])
            if row["event"] == "did_not_attend":
                assert any(r["by"] == row["by"] and r["who"] & row["who"] and 0 < (r["day"] - row["day"]).days <= 30
                           and r["event"] not in {"case_closed", "discharge", "did_not_attend"} for r in rows), rid
        assert sum(r["event"] == "incident" for r in rows) <= 1, rid


def test_domain_figures_roughly_hold(tmp_path):
    synth.generate(tmp_path, reviews=400, seed=11, layout="combined")
    people, relationships = read(tmp_path / "people.csv"), read(tmp_path / "relationships.csv")
    rows = read(tmp_path / "chronology.csv")
    victims = [p for p in people if p["role"] == "victim"]
    perpetrators = {p["review"]: p for p in people if p["role"] == "perpetrator"}
    assert len(victims) == len(perpetrators) == 400
    assert 0.80 <= sum(p["sex"] == "female" for p in victims) / 400 <= 0.95
    assert 0.85 <= sum(p["sex"] == "male" for p in perpetrators.values()) / 400 <= 0.96
    fatal = [r for r in relationships if r["abusive"] == "yes" and r["person"] == perpetrators[r["review"]]["person"]
             and any(v["review"] == r["review"] and v["person"] == r["other"] for v in victims)]
    kinds = Counter(r["relationship"] for r in fatal)
    assert len(fatal) == 400
    assert 0.82 <= (kinds["partner"] + kinds["ex_partner"] + kinds["spouse"]) / 400 <= 0.94
    assert 0.05 <= kinds["child"] / 400 <= 0.14
    assert 0.50 <= len({p["review"] for p in people if p["role"] == "child"}) / 400 <= 0.66
    levels = defaultdict(set)
    for row in rows:
        if row["risk_level"]:
            levels[row["review"]].add(row["risk_level"])
    assert 0.30 <= sum("high" in found for found in levels.values()) / len(levels) <= 0.50
    troubled = {r["review"] for r in rows if "mental_health" in split(r["risk_factors"])
                and perpetrators[r["review"]]["person"] in split(r["subject"])}
    assert 0.55 <= len(troubled) / 400 <= 0.85
    uncertain = sum(r["date"].startswith("?") for r in rows) / len(rows)
    partial = sum(day_of(r["date"]) is None for r in rows) / len(rows)
    assert 0.005 <= uncertain <= 0.06 and 0.005 <= partial <= 0.06
