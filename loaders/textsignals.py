"""Risk read from the words: risk factors, DASH scores, risk levels, referrals and shares found in a
contact's free text, each with the phrase, its character span and the rule that fired.

The plumbing is spaCy's (a blank English pipeline: its tokenizer, and ``Matcher`` token patterns; no
model, nothing fetched at run time); the words are ``loaders/lexicon.py``. A load reads with the same
tokens and patterns without importing spaCy (``loaders/entokenizer.py``, ``_Rules``); ``reference_read``
is the plain spaCy reading the tests hold it to. Context is handled the ConText way
(Harkema et al. 2009, the NegEx family): modifier phrases (negation, hypothetical and advice,
historical, someone else, questions) reach forward or backward over the target phrases of their
clause, and a target is kept only when nothing denies it.

A summary is read sentence by sentence; what a sentence says is cached by its text (chronologies
repeat their sentences: "DASH completed", "no further action"), so a load reads each distinct
sentence once, and, with its review's names set aside ("DASH completed with Qxz"), once for every
review that writes it about other people. Agencies are resolved afterwards, per review, from the words after "referred to"
(or before "informed"): a review agency's name or alias, else a type word ("the GP", "MARAC",
"children's services") that names exactly one of the review's agencies of that type (when several,
the one that had contacts about the same people).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from dhrgraph.loaders import entokenizer, lexicon, vocab

__all__ = ["Signal", "Candidate", "KINDS", "FLOWS", "read_sentence", "reference_read", "clear_caches", "candidates", "extract",
           "ReviewAgencies", "review_signals", "signal_id", "parse_signal_id"]

KINDS = ("risk_factor", "dash", "risk_level", "referred_to", "shared_with", "referred_by", "event")
FLOWS = frozenset({"referred_to", "shared_with", "referred_by"})  # the kinds that name an agency (resolved per review)
# Someone else's experience does not make these a third party's: they are about other people by definition.
OTHER_EXEMPT = frozenset({"previous_partner_abuse", "criminal_history", "child_in_household"})
# What is stated as past is still a known risk factor, but a score, level, referral or share from the
# past is not this contact's.
HISTORICAL_KEEPS = frozenset({"risk_factor"})
MAX_REACH = 8  # tokens a context modifier reaches over (ConText's window), within its clause


@dataclass(frozen=True, slots=True)
class Signal:
    """One fact read from a contact's text."""

    kind: str      # risk_factor | dash | risk_level | referred_to | shared_with | referred_by | event
    value: str     # the factor, the score ("16"), the level, the agency's name, or the event
    phrase: str    # the words matched, as written
    start: int     # character span of the phrase in the text
    end: int
    rule: str      # the lexicon rule that fired, e.g. "factor:strangulation#4"

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.value}"


def signal_id(contact_id: str, kind: str, value: object) -> str:
    """The id of a contact's signal: stable across reloads (contact id, kind, value)."""
    return f"{contact_id}/{kind}/{value}"


def parse_signal_id(text: str) -> tuple[str, str, str] | None:
    """(contact id, kind, value) of a signal id, or None when it is not one."""
    for kind in KINDS:
        marker = f"/{kind}/"
        if marker in text:
            contact, _, value = text.partition(marker)
            if contact.startswith("contact:") and value:
                return contact, kind, value
    return None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A target phrase found in a sentence, with what the context says about it (for the benchmark)."""

    kind: str
    value: str        # for a flow: the direction ("fwd" | "bwd"), the agencies come later
    start: int        # token span in the sentence
    end: int
    rule: str
    context: frozenset[str]
    asserted: bool


# --- the pipeline: a blank English tokenizer (hyphenated words kept whole) and the matchers --------

@functools.lru_cache(maxsize=1)
def _nlp():
    """spaCy's blank English pipeline: only its tokenizer is used (no model)."""
    import spacy
    from spacy.util import compile_infix_regex

    nlp = spacy.blank("en")
    # "self-harm", "ex-partner", "non-molestation", "6-year-old" stay one token, as the lexicon writes them
    infixes = [rule for rule in nlp.Defaults.infixes if "-" not in rule and "HYPHENS" not in rule]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    return nlp


def _target_sources() -> Iterable[tuple[str, str]]:
    """The lexicon's target patterns with their labels (``kind|value|rule``), in the lexicon's order."""
    for factor, patterns in lexicon.FACTOR_PATTERNS.items():
        assert factor in vocab.RISK_FACTORS, f"lexicon factor {factor!r} is not in loaders.vocab.RISK_FACTORS"
        for n, pattern in enumerate(patterns, 1):
            yield f"risk_factor|{factor}|factor:{factor}#{n}", pattern
    for n, pattern in enumerate(lexicon.DASH_PATTERNS, 1):
        yield f"dash||dash#{n}", pattern
    for n, pattern in enumerate(lexicon.LEVEL_PATTERNS, 1):
        yield f"risk_level||level#{n}", pattern
    for n, (kind, direction, pattern) in enumerate(lexicon.FLOW_PATTERNS, 1):
        yield f"{kind}|{direction}|flow:{kind}#{n}", pattern
    for event, patterns in lexicon.EVENT_PATTERNS.items():
        assert event in vocab.EVENTS, f"lexicon event {event!r} is not in loaders.vocab.EVENTS"
        for n, pattern in enumerate(patterns, 1):
            yield f"event|{event}|event:{event}#{n}", pattern


@functools.lru_cache(maxsize=1)
def _patterns() -> tuple[list[tuple[str, list[dict]]], list[tuple[str, list[dict]]]]:
    """The lexicon compiled to spaCy token patterns, (label, tokens) each, targets and context: a label is
    ``kind|value|rule`` (targets) or ``category|direction|rule`` (context); the list order is the lexicon's."""
    targets = [(label, _compile(pattern)) for label, pattern in _target_sources()]
    context = [(f"{category}|{direction}|context:{category}#{n}", _compile(pattern))
               for n, (category, direction, pattern) in enumerate(lexicon.CONTEXT_RULES, 1)]
    return targets, context


@functools.lru_cache(maxsize=1)
def _trims() -> dict[str, int]:
    """Per target label, how many of its last slots are ``>`` slots: matched, but not part of the phrase."""
    trims = {}
    for label, pattern in _target_sources():
        slots = pattern.split()
        n = 0
        while n < len(slots) and slots[-1 - n].startswith(">"):
            n += 1
        assert all(not slot.startswith(">") for slot in slots[:len(slots) - n]), f"a > slot before a plain one: {pattern!r}"
        if n:
            trims[label] = n
    return trims


@functools.lru_cache(maxsize=1)
def _rank() -> dict[str, int]:
    """Each target label's place in the lexicon: of two rules matching the same words, the first is quoted."""
    return {label: n for n, (label, _) in enumerate(_patterns()[0])}


@functools.lru_cache(maxsize=1)
def _spacy_matchers():
    """The spaCy ``Matcher``s of the lexicon, for ``reference_read``."""
    from spacy.matcher import Matcher

    nlp = _nlp()
    matchers = []
    for patterns in _patterns():
        matcher = Matcher(nlp.vocab)
        for label, tokens in patterns:
            matcher.add(label, [tokens])
        matchers.append(matcher)
    return tuple(matchers)


_ANY = {"OP": "{0,3}"}  # any tokens (no predicate: cheap); sentences are matched one at a time
_SPECIAL = {
    "@PRON": ("IN", list(lexicon.PRONOUNS)),
}


def _slot(text: str) -> dict:
    if text.startswith("^"):  # the sentence's first word
        return {**_slot(text[1:]), "IS_SENT_START": True}
    optional = text.startswith("[") and text.endswith("]")
    if optional:
        text = text[1:-1]
    if text == "~":
        return dict(_ANY)
    if text == "@NOTSELF":
        return {"LOWER": {"NOT_IN": ["himself", "herself", "myself", "themselves", "yourself", "itself"]}, "IS_ALPHA": True}
    words: list[str] = []
    regexes: list[str] = []
    number = False
    for word in text.split("|"):
        if word == "@NUM":
            number = True
        elif word in _SPECIAL:
            words += _SPECIAL[word][1]
        elif "@NUM" in word:  # "@NUM/27", "@NUM-year-old"
            regexes.append("^" + re.escape(word).replace("@NUM", r"\d{1,2}") + "$")
        else:
            words.append(word)
    if number and (words or regexes):
        regexes.append(r"^(\d{1,2}|" + "|".join(_NUMBER_WORDS) + ")$")
        number = False
    if regexes and words:
        regexes.append("^(" + "|".join(re.escape(w) for w in words) + ")$")
        words = []
    if number:
        token = {"LIKE_NUM": True}
    elif regexes:
        token = {"LOWER": {"REGEX": "|".join(f"(?:{r})" for r in regexes)}}
    else:
        token = {"LOWER": {"IN": words}} if len(words) > 1 else {"LOWER": words[0]}
    if optional:
        token["OP"] = "?"
    return token


_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                 "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty")


def _compile(pattern: str) -> list[dict]:
    return [_slot(slot.removeprefix(">")) for slot in pattern.split()]


# --- the fast path: the same patterns, matched over the tokens by an index of their first words ------
#
# The spaCy Matcher tries every pattern at every token and calls a Python predicate for each IN-list and
# regex: about 3 ms a sentence with this lexicon, which made reading the summaries cost several times the
# load itself. ``_Rules`` reads the very token patterns ``_nlp`` gives the Matcher (so the two cannot
# drift apart), indexes each by the words its first token can be, and tries at each token only the
# patterns that can start there. Tokens come from spaCy's tokenizer one space-separated chunk at a time
# (spaCy splits on spaces first and reads each chunk alone), cached by chunk. ``reference_read`` keeps the
# plain spaCy reading, and tests/test_textsignals.py checks that both give the same candidates.

class _Slot:
    """One token of a pattern: the words it takes (or a test), whether it may be left out, whether it
    is up to three tokens of anything (``~``), whether it must open the sentence."""

    __slots__ = ("words", "test", "optional", "wildcard", "first")

    def __init__(self, token: dict):
        token = dict(token)
        op = token.pop("OP", None)
        self.wildcard = op == "{0,3}"
        self.optional = op == "?"
        assert op in (None, "?", "{0,3}") and (not self.wildcard or not token), token
        self.first = bool(token.pop("IS_SENT_START", False))
        self.words: frozenset[str] | None = None
        self.test = None
        lower = token.pop("LOWER", None)
        if isinstance(lower, str):
            self.words = frozenset([lower])
        elif isinstance(lower, dict) and "IN" in lower:
            self.words = frozenset(lower["IN"])
        elif isinstance(lower, dict) and "REGEX" in lower:
            self.test = re.compile(lower["REGEX"]).search
        elif isinstance(lower, dict) and "NOT_IN" in lower:
            alpha = token.pop("IS_ALPHA")
            unwanted = frozenset(lower["NOT_IN"])
            self.test = lambda word: word not in unwanted and word.isalpha() == alpha
        elif token.pop("LIKE_NUM", False):
            self.test = _like_num
        else:
            assert self.wildcard, token
        assert not token, token


class _Rules:
    """Token patterns (label, spaCy token dicts) matched the way the spaCy Matcher matches them: every
    (label, start, end) with start < end that a pattern covers, any number of left-out optional tokens."""

    def __init__(self, patterns: Sequence[tuple[str, list[dict]]]):
        self.patterns = [(label, tuple(_Slot(t) for t in tokens)) for label, tokens in patterns]
        self.by_word: dict[str, list[int]] = {}
        self.anywhere: list[int] = []  # patterns whose first token is tested, not looked up
        self._firsts: list[list[_Slot]] = []
        self._starts: dict[str, tuple[int, ...]] = {}
        for n, (label, slots) in enumerate(self.patterns):
            firsts = []
            for slot in slots:  # the tokens a match can start with: up to the first one that must be there
                firsts.append(slot)
                if not (slot.optional or slot.wildcard):
                    break
            self._firsts.append(firsts)
            if any(slot.words is None for slot in firsts):
                self.anywhere.append(n)
            else:
                for word in set().union(*(slot.words for slot in firsts)):
                    self.by_word.setdefault(word, []).append(n)

    def find(self, lowers: Sequence[str]) -> list[tuple[str, int, int]]:
        """Every (label, start, end) of the sentence's tokens (in no particular order)."""
        out = []
        size = len(lowers)
        patterns, starts = self.patterns, self._starts
        for i, word in enumerate(lowers):
            tried = starts.get(word)
            if tried is None:
                tried = self._starting(word)
            for n in tried:
                label, slots = patterns[n]
                for end in _ends(slots, i, lowers, size):
                    if end > i:
                        out.append((label, i, end))
        return list(dict.fromkeys(out)) if out else out

    def _starting(self, word: str) -> tuple[int, ...]:
        """The patterns a match can start with at ``word``: by the word, or by a test of it ("16/27", "6-year-old")."""
        hit = self._starts.get(word)
        if hit is None:
            hit = self._starts[word] = tuple(sorted({*self.by_word.get(word, ()), *(
                n for n in self.anywhere if any(slot.wildcard or (slot.test or slot.words.__contains__)(word)
                                                for slot in self._firsts[n]))}))
        return hit


def _ends(slots: Sequence[_Slot], i: int, lowers: Sequence[str], size: int) -> set[int]:
    """Where a match of ``slots`` starting at token ``i`` can end (every way, as the Matcher reads them)."""
    at = {i}
    for slot in slots:
        if slot.wildcard:
            at = {j for p in at for j in range(p, min(p + 3, size) + 1)}
            continue
        words, test = slot.words, slot.test
        took = {p + 1 for p in at if p < size and (not slot.first or p == 0)
                and (lowers[p] in words if words is not None else test(lowers[p]))}
        at = took | at if slot.optional else took
        if not at:
            break
    return at


@functools.lru_cache(maxsize=65536)
def _like_num(word: str) -> bool:
    return entokenizer.like_num(word)


@functools.lru_cache(maxsize=1)
def _rules() -> tuple[_Rules, _Rules]:
    """The target and context patterns, for the fast path."""
    targets, context = _patterns()
    return _Rules(targets), _Rules(context)


# Chronologies pasted from word processors write the apostrophe curly ("didn’t", "he’d", "Children’s") and put
# non-breaking spaces between words: read as the straight apostrophe the lexicon writes and a plain space, so "He
# didn’t threaten to kill her" is negated as "didn't" is. One character for one, so every span is the text's own and
# phrases are quoted as written.
_STRAIGHT = str.maketrans({"\u2019": "'", "\u2018": "'", "\u00a0": " ", "\u202f": " ", "\u2007": " "})


def straight_quotes(text: str) -> str:
    """``text`` with curly single quotes made straight and non-breaking spaces plain (the same length: spans stay
    the text's)."""
    return text.translate(_STRAIGHT)


def _tokens(text: str) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...]]:
    """spaCy's tokens of a sentence (lower-cased, curly apostrophes straight) and their character spans: read by
    ``loaders/entokenizer.py`` (spaCy's tokenizer in plain Python, so a load does not import spaCy), or by spaCy
    where that is unsure."""
    text = straight_quotes(text)
    read = entokenizer.tokenizer()(text)
    if read is None:
        doc = _nlp().tokenizer(text)
        return tuple(t.lower_ for t in doc), tuple((t.idx, t.idx + len(t.text)) for t in doc)
    return tuple(token.lower() for token in read[0]), read[1]


# --- reading one sentence ------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9'\"(])|\n+")
_TERMINATORS = frozenset(lexicon.TERMINATORS)
_TERMINATOR_BEFORE = {word: frozenset(following) for word, following in lexicon.TERMINATOR_BEFORE.items()}


def _clauses(lowers: Sequence[str]) -> list[int]:
    """The clause number of each token: a terminator (or one of ``lexicon.TERMINATOR_BEFORE`` before one of its
    words) starts a new clause."""
    out, clause = [], 0
    for i, word in enumerate(lowers):
        if word in _TERMINATORS or (word in _TERMINATOR_BEFORE and i + 1 < len(lowers)
                                    and lowers[i + 1] in _TERMINATOR_BEFORE[word]):
            clause += 1
        out.append(clause)
    return out


def _in_reach(direction: str, modifier: tuple[int, int], target: tuple[int, int]) -> bool:
    (ms, me), (ts, te) = modifier, target
    if ms < te and ts < me:  # a modifier inside the target's own words is part of the phrase
        return False
    if direction == "NEXT":  # only the words right after the modifier
        return ts == me
    if direction in ("FORWARD", "BIDIRECTIONAL") and me <= ts and ts - me <= MAX_REACH:
        return True
    return direction in ("BACKWARD", "BIDIRECTIONAL") and ms >= te and ms - te <= MAX_REACH


def _asserted(kind: str, value: str, context: frozenset[str]) -> bool:
    if "NEGATED" in context or "HYPOTHETICAL" in context:
        return False
    if "QUESTION" in context and "AFFIRMED" not in context:
        return False
    if "OTHER" in context and value not in OTHER_EXEMPT:
        return False
    return not ("HISTORICAL" in context and kind not in HISTORICAL_KEEPS)


# Tokens the rules read past: whitespace (a doubled space, a non-breaking one) and quotation marks, so that "he'd
# \u201ckill her\u201d" and "threatened  to kill" read as "he'd kill her" and "threatened to kill" do. A phrase is
# still quoted from the first to the last of its tokens, as written.
_QUOTES = frozenset({'"', "'", "\u201c", "\u201d", "``", "''"})


def _read_past(lowers: Sequence[str]) -> list[int] | None:
    """The places of the tokens the rules read (None: all of them)."""
    if not any(w in _QUOTES or w.isspace() for w in lowers):
        return None
    return [i for i, w in enumerate(lowers) if not (w in _QUOTES or w.isspace())]


@functools.lru_cache(maxsize=100_000)
def read_sentence(text: str) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...], tuple[Candidate, ...]]:
    """(lower-cased tokens, their character spans, candidates) of one sentence; the tokens are those the rules read
    (no whitespace or quotation marks, ``_read_past``)."""
    lowers, spans = _tokens(text)
    keep = _read_past(lowers)
    if keep is not None:
        lowers, spans = tuple(lowers[i] for i in keep), tuple(spans[i] for i in keep)
    targets, context = _rules()
    return lowers, spans, _read_matches(lowers, targets.find(lowers), lambda: context.find(lowers))


def reference_read(text: str) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...], tuple[Candidate, ...]]:
    """``read_sentence`` the plain spaCy way (the whole sentence through ``nlp`` and the spaCy ``Matcher``s):
    the reference the fast path is checked against (tests/test_textsignals.py, benchmarks/bench_signals.py)."""
    from spacy.tokens import Doc

    nlp, (targets, context) = _nlp(), _spacy_matchers()
    doc = nlp(straight_quotes(text))
    keep = _read_past([t.lower_ for t in doc])
    if keep is not None:  # the tokens the rules read, as a document of their own
        kept = [doc[i] for i in keep]
        doc = Doc(nlp.vocab, words=[t.text for t in kept], spaces=[True] * len(kept))
        spans = tuple((t.idx, t.idx + len(t.text)) for t in kept)
    else:
        spans = tuple((t.idx, t.idx + len(t.text)) for t in doc)
    lowers = tuple(t.lower_ for t in doc)
    strings = nlp.vocab.strings
    return lowers, spans, _read_matches(lowers, [(strings[m], s, e) for m, s, e in targets(doc)],
                                        lambda: [(strings[m], s, e) for m, s, e in context(doc)])


def _read_matches(lowers: Sequence[str], target_matches, context_matches) -> tuple[Candidate, ...]:
    """The candidates of a sentence from its target matches and (only called when there is a target) its
    context matches, each (label, start, end)."""
    matches = _longest(target_matches)
    if not matches:  # context is only worth reading around a target
        return ()
    clause = _clauses(lowers)
    modifiers = []
    for label, start, end in context_matches():
        category, direction, _ = label.split("|", 2)
        modifiers.append((category, direction, start, end))
    found = []
    for label, start, end in matches:
        kind, value, rule = label.split("|", 2)
        if value == "threats_to_kill" and _own_life(lowers, start, end):
            continue
        if kind == "dash":
            value = _dash_value(lowers[start:end])
            if value is None:
                continue
        elif kind == "risk_level":
            value = _level_value(lowers[start:end])
            if value is None:
                continue
        categories = frozenset(category for category, direction, ms, me in modifiers
                               if _same_clause(clause, direction, (ms, me), (start, end))
                               and _in_reach(direction, (ms, me), (start, end)))
        found.append(Candidate(kind, value, start, end, rule, categories, _asserted(kind, value, categories)))
    return tuple(found)


_SUBJECTS = frozenset(lexicon.OWN_POSSESSIVE)
_LIVES = frozenset({"life", "lives"})


def _own_life(lowers: Sequence[str], start: int, end: int) -> bool:
    """Whether a threat-to-kill match ends someone's own life ("she said she would end her life"): its "end"
    is followed by a possessive and "life" that agree with the nearest subject pronoun before the "end" (within
    the match or the four tokens before it); with none, the possessive is lexicon.OWN_LIFE_DEFAULT's."""
    for k in range(start, end):
        if lowers[k] == "end" and k + 2 < len(lowers) and lowers[k + 2] in _LIVES:
            subject = next((lowers[j] for j in range(k - 1, max(start - 4, 0) - 1, -1) if lowers[j] in _SUBJECTS), None)
            own = lexicon.OWN_POSSESSIVE[subject] if subject else lexicon.OWN_LIFE_DEFAULT
            return lowers[k + 1] == own
    return False


def _same_clause(clause: list[int], direction: str, modifier: tuple[int, int], target: tuple[int, int]) -> bool:
    (ms, me), (ts, te) = modifier, target
    if me <= ts:  # before the target: no clause end between the modifier's last word and the target
        return clause[me - 1] == clause[ts]
    return clause[ms] == clause[te - 1]


def _longest(matches: Iterable[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Per rule key, drop matches inside a longer match of the same key (the Matcher returns every length); then
    leave out of each match its rule's ``>`` slots (``_trims``)."""
    by_key: dict[str, list[tuple[int, int]]] = {}
    for match_id, start, end in matches:
        by_key.setdefault(match_id, []).append((start, end))
    out = []
    trims = _trims()
    for match_id, spans in by_key.items():
        spans.sort(key=lambda s: (s[0], -s[1]))
        last_end = -1
        for start, end in spans:
            if end <= last_end:
                continue
            out.append((match_id, start, end - trims.get(match_id, 0)))
            last_end = end
    rank = _rank()
    out.sort(key=lambda m: (m[1], m[2], rank[m[0]]))
    return _not_inside(out)


def _not_inside(matches: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """``matches`` without a factor's match that lies inside a match of a rule ``lexicon.INSIDE_OF`` names for it."""
    labels = [label.split("|", 2) for label, _, _ in matches]
    if not any(value in lexicon.INSIDE_OF for _, value, _ in labels):
        return matches
    return [m for m, (_, value, _) in zip(matches, labels) if value not in lexicon.INSIDE_OF or not any(
        rule in lexicon.INSIDE_OF[value] and start <= m[1] and m[2] <= end
        for (_, start, end), (_, _, rule) in zip(matches, labels))]


def _dash_value(words: Sequence[str]) -> str | None:
    for word in words:
        number = re.match(r"^(\d{1,2})(?:/(?:27|24))?$", word)
        value = int(number.group(1)) if number else (_NUMBER_WORDS.index(word) if word in _NUMBER_WORDS else None)
        if value is not None:
            return str(value) if 0 <= value <= 27 else None
    return None


def _level_value(words: Sequence[str]) -> str | None:
    for word in words:
        level = vocab.RISK_LEVELS.get(word.split("-")[0])
        if level:
            return level
    return None


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) of each sentence of a summary."""
    out, at = [], 0
    for match in _SENTENCE_END.finditer(text):
        sentence = text[at:match.start()]
        if sentence.strip():
            out.append((at, sentence))
        at = match.end()
    if not at:  # most summaries are one sentence
        return [(0, text)] if text.strip() else []
    if text[at:].strip():
        out.append((at, text[at:]))
    return out


def candidates(text: str) -> list[tuple[str, Candidate]]:
    """Every target phrase of ``text`` with its context, by sentence (for the benchmark's listing)."""
    out = []
    for offset, sentence in sentences(text):
        lowers, spans, found = read_sentence(sentence)
        out += [(sentence, c) for c in found]
    return out


# --- a review's agencies, for the referrals and shares ---------------------------------------------

_FILLERS = frozenset({"the", "a", "an", "her", "his", "their", "local", "urgent", "duty", "allocated", "relevant",
                      "named", "team", "area", "out-of-hours", "new"})
_GENERIC = frozenset({"the", "of", "and", "&", "service", "services", "team", "trust", "nhs", "foundation", "council",
                      "centre", "center", "road", "street", "lane", "'s", "-", "for", "in", "on", "at", "to", "with"})
_LIST_JOINS = frozenset({",", "and", "&", "/", "plus", "as", "well"})


class _Names:
    """Agencies by the words of their names and aliases, and by a part of one agency's name ("midwifery"
    in "Northbrook Midwifery Service"), unless the words are in several agencies' names ("Northbrook")
    or say nothing of their own ("service")."""

    def __init__(self, agencies: Iterable[tuple[str, str, Sequence[str]]]):
        self.by_words: dict[tuple[str, ...], str] = {}
        self.by_type: dict[str, list[str]] = {}
        for name, kind, aliases in agencies:
            for spelling in (name, *aliases):
                words = _words(spelling)
                if words:
                    self.by_words.setdefault(words, name)
            self.by_type.setdefault(kind, []).append(name)
        parts: dict[tuple[str, ...], set[str]] = {}
        for words, name in self.by_words.items():
            for i in range(len(words)):
                for j in range(i + 1, len(words) + 1):
                    parts.setdefault(words[i:j], set()).add(name)
        self.by_part = {words: next(iter(names)) for words, names in parts.items()
                        if len(names) == 1 and not set(words) <= _GENERIC and words not in self.by_words}
        self.longest = max(map(len, self.by_words), default=1)


_DECLARED: dict[int, tuple[dict, _Names]] = {}  # the declared agencies of a source, indexed once for all its reviews


def _declared_names(declared: dict) -> _Names:
    hit = _DECLARED.get(id(declared))
    if hit is None or hit[0] is not declared:
        if len(_DECLARED) > 64:
            _DECLARED.clear()
        hit = _DECLARED[id(declared)] = (declared, _Names((a.name, a.type, a.aliases) for a in declared.values()))
    return hit[1]


@functools.lru_cache(maxsize=1024)
def _own_names(agencies: tuple[tuple[str, str, tuple[str, ...]], ...]) -> _Names:
    """A review's agencies indexed (reviews of one source often use the same ones)."""
    return _Names(agencies)


class ReviewAgencies:
    """How one review's agencies are named in text: their names and aliases, and their types."""

    def __init__(self, agencies: Iterable[tuple[str, str, Sequence[str]]], seen_with: dict[str, set[str]] | None = None,
                 declared: _Names | None = None):
        """``agencies``: (canonical name, type, aliases) of the agencies the review uses; ``seen_with``: agency name ->
        the people it had contacts about; ``declared``: every agency its agencies.csv declares (used or not)."""
        own = _own_names(tuple((name, kind, tuple(aliases)) for name, kind, aliases in agencies))
        self.seen_with = seen_with or {}
        # the review's own spellings first, then the rest of what its source declares (looked up in turn, not
        # merged: a source declares the agencies of all its reviews)
        self._words = (own.by_words, declared.by_words) if declared is not None else (own.by_words,)
        self._parts = (own.by_part, declared.by_part) if declared is not None else (own.by_part,)
        self._types = (own.by_type, declared.by_type) if declared is not None else (own.by_type,)
        self.type_words = _type_words()
        self.longest = max(own.longest, declared.longest if declared else 1, max(map(len, self.type_words)))

    def mention_at(self, lowers: Sequence[str], i: int, subjects: Sequence[str]) -> tuple[str | None, int]:
        """The agency named by the tokens starting at ``i`` (None if unresolved) and where the mention ends (i if none)."""
        for length in range(min(self.longest, len(lowers) - i), 0, -1):
            words = tuple(lowers[i:i + length])
            name = self._named(words, subjects)
            if name is not False:
                return name, i + length
        return None, i

    def mention_before(self, lowers: Sequence[str], end: int, subjects: Sequence[str]) -> tuple[str | None, int]:
        """The agency named by the tokens ending at ``end`` and where that mention starts (end if none)."""
        for length in range(min(self.longest, end), 0, -1):
            words = tuple(lowers[end - length:end])
            name = self._named(words, subjects)
            if name is not False:
                return name, end - length
        return None, end

    def _named(self, words: tuple[str, ...], subjects: Sequence[str]) -> str | None | bool:
        """The agency ``words`` name, None when they name an agency type with no one agency, False when
        they name nothing."""
        for names in self._words:
            if words in names:
                return names[words]
        for names in self._parts:
            if words in names:
                return names[words]
        if words in self.type_words:
            return self.of_type(self.type_words[words], subjects)
        return False

    def of_type(self, kind: str, subjects: Sequence[str]) -> str | None:
        names = next((types[kind] for types in self._types if kind in types), [])
        if not names and kind in vocab.FORUM_NAMES:  # no MARAC declared: the area's MARAC (``vocab.FORUM_NAMES``)
            return vocab.FORUM_NAMES[kind]
        if len(names) == 1:
            return names[0]
        near = [n for n in names if self.seen_with.get(n, set()) & set(subjects)]
        return near[0] if len(near) == 1 else None


@functools.lru_cache(maxsize=1)
def _type_words() -> dict[tuple[str, ...], str]:
    return {_words(w): t for w, t in lexicon.AGENCY_TYPE_WORDS.items()}


@functools.lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    return _tokens(text)[0]


def _flow_agencies(lowers: Sequence[str], c: Candidate, agencies: ReviewAgencies, subjects: Sequence[str]) -> list[tuple[str, int, int]]:
    """(agency, first token, end token) of each agency a flow phrase names."""
    found = []
    if c.value == "fwd":
        i = c.end
        while i < len(lowers):
            while i < len(lowers) and (lowers[i] in _FILLERS or lowers[i] in _LIST_JOINS):
                i += 1
            name, end = agencies.mention_at(lowers, i, subjects)
            if end == i:
                break
            if name:
                found.append((name, i, end))
            i = end
            if i >= len(lowers) or lowers[i] not in _LIST_JOINS:
                break
    else:
        end = c.start
        while end > 0 and lowers[end - 1] in ("was", "were", "has", "have", "been", "is", "are", "made", "also", "all"):
            end -= 1
        while end > 0:
            name, start = agencies.mention_before(lowers, end, subjects)
            if start == end:
                break
            if name:
                found.append((name, start, end))
            end = start
            while end > 0 and (lowers[end - 1] in _FILLERS or lowers[end - 1] in _LIST_JOINS):
                end -= 1
    return found


# --- a contact's summary ------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
_RUN = re.compile(r"[a-z]+|[0-9]+")
_DIGIT = re.compile(r"\d").search


class _Filter:
    """Which sentences could hold a target: one where every required word slot of some rule has one of its
    words (a slot of whole words: "'ll", ":", @PRON and numbers are not checked), and, for a rule whose only
    required slots are numbers written with digits ("@NUM/27"), a digit.

    The words of a sentence are a superset of the tokens spaCy could make of it (``words``): ``_WORD``'s words
    (hyphens and apostrophes kept inside a word, as the tokenizer keeps them), their parts at apostrophes ("dean's",
    "couldn't"), every run of letters and of digits ("10mg"), and the pieces of the tokenizer's special cases
    ("cannot" is "can" "not"). So the filter never drops a sentence the matcher would find a target in
    (tests/test_textsignals.py holds it to that over every labelled, held-out and example sentence)."""

    def __init__(self, patterns: Iterable[str], specials: dict[str, Sequence[str]]):
        self.rules: dict[str, list[tuple[frozenset[str], ...]]] = {}  # by a word of the rule's anchor slot
        self.digits = False  # some rule needs only a number written with digits
        for pattern in patterns:
            slots = [s.lstrip(">^") for s in pattern.split() if not s.startswith("[") and s != "~"]
            words = [frozenset(w.lower() for w in s.split("|")) for s in slots
                     if "@" not in s and all(_WORD.fullmatch(w.lower()) for w in s.split("|"))]
            if not words:
                assert all("@NUM" in w and w != "@NUM" for s in slots for w in s.split("|")), pattern
                self.digits = True
                continue
            # the anchor: the slot whose shortest word is longest (short words are the common ones)
            anchor = max(words, key=lambda ws: min(map(len, ws)))
            rest = tuple(ws for ws in words if ws is not anchor)
            for word in anchor:
                self.rules.setdefault(word, []).append(rest)
        self.pieces: dict[str, set[str]] = {}  # a word -> the tokens a special case makes of it
        for text, tokens in specials.items():
            pieces = {t.lower() for t in tokens if len(tokens) > 1}
            for word in {*_WORD.findall(text.lower()), *_RUN.findall(text.lower())}:
                if pieces:
                    self.pieces.setdefault(word, set()).update(pieces)

    def words(self, lowered: str) -> set[str]:
        words = set(_WORD.findall(lowered))
        for word in [w for w in words if not w.isalpha()]:  # every run of letters or digits is in some _WORD word
            words.update(_RUN.findall(word))
            if "'" in word:
                words.update(word.split("'"))
                if word.endswith("n't"):
                    words.add(word[:-3])
        for word in words & self.pieces.keys():
            words.update(self.pieces[word])
        return words

    def may_hold(self, sentence: str) -> bool:
        lowered = straight_quotes(sentence).lower()
        if self.digits and _DIGIT(lowered):
            return True
        words = self.words(lowered)
        rules = self.rules
        for word in words & rules.keys():
            for rest in rules[word]:
                if all(not ws.isdisjoint(words) for ws in rest):
                    return True
        return False


@functools.lru_cache(maxsize=1)
def _filter() -> _Filter:
    return _Filter([pattern for _, pattern in _target_sources()], entokenizer.tokenizer().specials)


@functools.lru_cache(maxsize=200_000)
def _read(sentence: str) -> tuple | None:
    """``read_sentence`` of a sentence that could hold a target (``_Filter``), else None: most sentences of a
    chronology hold none, and those are never tokenized."""
    return read_sentence(sentence) if _filter().may_hold(sentence) else None


@functools.lru_cache(maxsize=200_000)
def _asserted_in(text: str) -> tuple[tuple[int, str, tuple[str, ...], tuple[tuple[int, int], ...], tuple[Candidate, ...]], ...]:
    """(offset, sentence, tokens, token spans, asserted candidates) of each sentence of a summary that asserts
    something. Cached by the summary's text: chronologies repeat their summaries ("DASH completed", "no
    further action"), and most say nothing, so most contacts cost one look-up."""
    out = []
    for offset, sentence in sentences(text):
        read = _read(sentence)
        if read is None:
            continue
        lowers, spans, found = read
        kept = tuple(c for c in found if c.asserted)
        if kept:
            out.append((offset, sentence, lowers, spans, kept))
    return tuple(out)


def clear_caches() -> None:
    """Forget every sentence and summary read (for a benchmark's cold runs)."""
    for cached in (read_sentence, _read, _asserted_in, _asserted_read, _own_names, _like_num):
        cached.cache_clear()
    _forget_named()
    entokenizer.tokenizer().clear()


def prepare() -> None:
    """Build the reading's tables (the lexicon's rules, the sentence filter, the words it looks at) now rather than
    at the first summary: the readahead worker does this while the load is still parsing its files."""
    _read_words()  # builds ``_rules`` and ``_filter`` too
    _type_words()
    _rank()
    entokenizer.tokenizer()


def extract(text: str | None, agencies: ReviewAgencies | None = None, recorder: str | None = None,
            subjects: Sequence[str] = ()) -> list[Signal]:
    """The signals a contact's text asserts, one per kind and value (its first phrase), in text order.

    Referrals and shares need the review's ``agencies``; one to the ``recorder`` itself is no flow.

    >>> [s.key for s in extract("She said he had his hands round her neck. Not pregnant.")]
    ['risk_factor/strangulation']
    """
    return _signals(_asserted_in(text), agencies, recorder, subjects) if text else []


def _signals(asserted, agencies: ReviewAgencies | None, recorder: str | None, subjects: Sequence[str]) -> list[Signal]:
    """``extract`` of a summary's ``_asserted_in``."""
    if not asserted:
        return []
    seen: dict[str, Signal] = {}
    for offset, sentence, lowers, spans, found in asserted:
        for c in found:
            if c.kind in FLOWS:
                if agencies is None:
                    continue
                for name, start, end in _flow_agencies(lowers, c, agencies, subjects):
                    if name == recorder:
                        continue
                    first, last = min(start, c.start), max(end, c.end)
                    _keep(seen, Signal(c.kind, name, sentence[spans[first][0]:spans[last - 1][1]],
                                       offset + spans[first][0], offset + spans[last - 1][1], c.rule))
            else:
                _keep(seen, Signal(c.kind, c.value, sentence[spans[c.start][0]:spans[c.end - 1][1]],
                                   offset + spans[c.start][0], offset + spans[c.end - 1][1], c.rule))
    signals = list(seen.values())
    # a referral is also a share only when the text says both; one phrase read as both counts as the referral
    return sorted(signals, key=lambda s: (s.start, s.kind))


def _keep(seen: dict[str, Signal], signal: Signal) -> None:
    kept = seen.get(signal.key)
    if kept is not None:
        # the same fact matched by overlapping rules: quote the tightest phrase
        if kept.start < signal.end and signal.start < kept.end and signal.end - signal.start < kept.end - kept.start:
            seen[signal.key] = signal
        return
    if signal.kind in ("dash", "risk_level"):
        # one score and one level per contact: the first written
        if any(s.kind == signal.kind for s in seen.values()):
            return
    if signal.kind == "shared_with" and f"referred_to/{signal.value}" in seen:
        return
    seen.setdefault(signal.key, signal)


def review_signals(review) -> list[Sequence[Signal]]:
    """The signals of each contact of a validated review (``loaders.records.Review``), in contact order (read
    only: contacts with the same summary and no referral or share in it get the same tuple)."""
    c = review.contacts
    by_text = _BY_TEXT
    if len(by_text) > 200_000:
        _forget_named()
    out: list[Sequence[Signal] | None] = [by_text.get(text, _UNREAD) if text else () for text in c.summary]
    names = None
    if _UNREAD in out:
        names = _review_names(review)
        for i in [i for i, found in enumerate(out) if found is _UNREAD]:
            text = c.summary[i]
            found = by_text.get(text, _UNREAD)
            if found is _UNREAD:
                found = by_text[text] = _named_plain(text, names)
            out[i] = found
    if None not in out:
        return out
    names = _review_names(review) if names is None else names
    seen_with: dict[str, set[str]] = {}  # the review's agencies are only worth indexing for a flow
    for agency, about in zip(c.agency, c.subjects):
        seen_with.setdefault(agency, set()).update(about)
    agencies = ReviewAgencies(((a.name, a.type, a.aliases) for a in review.agencies.values()), seen_with,
                              _declared_names(review.declared) if review.declared else None)
    flowing = _FLOW_TEXT
    resolved: dict[tuple, tuple[Signal, ...]] = {}  # the same summary by the same agency about the same people
    for i in [i for i, found in enumerate(out) if found is None]:
        text, recorder, subjects = c.summary[i], c.agency[i], c.subjects[i]
        found = resolved.get((text, recorder, subjects))
        if found is None:
            asserted = flowing.get(text)
            if asserted is None:
                asserted = flowing[text] = _named_asserted(text, names)
            found = resolved[text, recorder, subjects] = tuple(_signals(asserted, agencies, recorder, subjects))
        out[i] = found
    return out


# --- sentences that are the same but for a review's names -----------------------------------------
#
# Chronologies repeat their sentences from review to review with other people's and agencies' names in them
# ("DASH completed with Zara: 16 yes answers", "Referred to Harrowfield MARAC"). A name that no rule, context
# word, tokenizer special case or value reader looks at reads exactly as any other such word, so a load reads each
# sentence with its review's names replaced by one placeholder ("DASH completed with Qxz: ..."), caches that
# reading by the placeholder sentence, and maps it back: the character spans shifted, the names put back among the
# tokens (referrals and shares resolve agencies from them). A name is replaced only where it is a token of its own
# (a space or "(" before it; after it maybe "'s", then a space, the end, or closing punctuation and then a space or
# the end); where the reading shows it was not one after all, the sentence is read as written. A summary's signals
# are then its sentences' (each sentence's computed once), so most contacts cost one look-up of their summary.

_PLACEHOLDER = "Qxz"
_NAMED = re.compile(r"(?<![^\s(])[A-Z][a-z]+(?=(?:['’]s)?(?:$|\s|[,;:!?)]+(?:$|\s)|\.(?:$|\s)))")
_NAME_WORD = re.compile(r"[A-Z][a-z]+")
_UNREAD = object()
_BY_TEXT: dict[str, tuple[Signal, ...] | None] = {}  # a summary's plain signals (None: it names a flow), by its text
_BY_SENTENCE: dict[str, tuple | None] = {}  # a sentence's (tokens, spans, asserted candidates), None if none
_FLOW_TEXT: dict[str, tuple] = {}  # ``_named_asserted`` of a summary that names a referral or share, by its text
_PLAIN_SENTENCE: dict[str, tuple[Signal, ...] | None] = {}  # a sentence's plain signals (None: it names a flow)


def _forget_named() -> None:
    _BY_TEXT.clear()
    _BY_SENTENCE.clear()
    _FLOW_TEXT.clear()
    _PLAIN_SENTENCE.clear()


@functools.lru_cache(maxsize=1)
def _read_words() -> tuple[frozenset[str], tuple]:
    """The lower-cased words the reading looks at (any rule's or context's word slots, the sentence filter's
    words, terminators, numbers, levels, whose life, the tokenizer's special cases and merges) and the tests
    of the test slots (numbers, "@NUM/27", not a reflexive)."""
    words: set[str] = set()
    tests = []
    for rules in _rules():
        for _, slots in rules.patterns:
            for slot in slots:
                if slot.words is not None:
                    words.update(slot.words)
                elif slot.test is not None:
                    tests.append(slot.test)
    screen = _filter()
    words.update(screen.rules)
    words.update(w for rests in screen.rules.values() for rest in rests for ws in rest for w in ws)
    words.update(w for pieces in screen.pieces.values() for w in pieces)
    words.update(screen.pieces)
    words.update(_TERMINATOR_BEFORE, (w for following in _TERMINATOR_BEFORE.values() for w in following))
    words.update(_TERMINATORS, _NUMBER_WORDS, vocab.RISK_LEVELS, lexicon.OWN_POSSESSIVE, lexicon.OWN_POSSESSIVE.values(),
                 _LIVES, lexicon.PRONOUNS, ("end",))
    tokenizer = entokenizer.tokenizer()
    for text in tokenizer.specials:
        words.add(text.lower().rstrip("."))
        words.add(re.sub(r"['’]s$", "", text.lower()))  # "Zara's" is "Zara" "'s" only where "zara's" is no special case
        words.update(w.lower() for w in _NAME_WORD.findall(text))
    words.update(token.lower() for sequences in tokenizer.merged.values() for tokens in sequences for token in tokens)
    return frozenset(words), tuple(tests)


@functools.lru_cache(maxsize=65536)
def _opaque(word: str) -> bool:
    """Whether ``word`` ("Zara", "Harrowfield") reads exactly as the placeholder: a capitalised plain word that the
    reading never looks at (``_read_words``) and every test slot takes or leaves as it takes or leaves the placeholder."""
    if not _NAME_WORD.fullmatch(word):
        return False
    lower, placeholder = word.lower(), _PLACEHOLDER.lower()
    words, tests = _read_words()
    return lower not in words and all(bool(test(lower)) == bool(test(placeholder)) for test in tests)


def _review_names(review) -> frozenset[str]:
    """The replaceable names of a review: the words of its people's and its agencies' names and aliases."""
    spellings = [p.person for p in review.people]
    for agency in review.agencies.values():
        spellings += [agency.name, *agency.aliases]
    return frozenset(w for spelling in spellings if spelling for w in _NAME_WORD.findall(spelling) if _opaque(w))


def _shape(text: str, names: frozenset[str]) -> tuple[str, tuple[tuple[int, int, int], ...]]:
    """``text`` with each of ``names`` that is a token of its own replaced by the placeholder, and the replacements:
    (start in the shape, end in the shape, the name)."""
    if not names:
        return text, ()
    parts, replaced, at, shift = [], [], 0, 0
    size = len(_PLACEHOLDER)
    for match in _NAMED.finditer(text):
        name = match.group()
        if name in names:
            start = match.start() + shift
            parts += [text[at:match.start()], _PLACEHOLDER]
            replaced.append((start, start + size, name))
            shift += size - len(name)
            at = match.end()
    if not replaced:
        return text, ()
    parts.append(text[at:])
    return "".join(parts), tuple(replaced)


def _named_plain(text: str, names: frozenset[str]) -> tuple[Signal, ...] | None:
    """A summary's signals when it names no referral or share (then the same in every review and for every
    contact), else None: its sentences' signals in text order, the first of each kind and value, and the first
    score and level (as ``_signals`` keeps them; sentences do not overlap, so no later phrase is tighter)."""
    parts = []
    for offset, sentence in sentences(text):
        found = _PLAIN_SENTENCE.get(sentence, _UNREAD)
        if found is _UNREAD:
            found = _PLAIN_SENTENCE[sentence] = _sentence_plain(sentence, names)
        if found is None:
            return None
        if found:
            parts.append((offset, found))
    if not parts:
        return ()
    if len(parts) == 1 and not parts[0][0]:
        return parts[0][1]
    keys, once, out = set(), set(), []
    for offset, found in parts:
        for s in found:
            key = s.key
            if key in keys:
                continue
            if s.kind in _ONCE:
                if s.kind in once:
                    continue
                once.add(s.kind)
            keys.add(key)
            out.append(Signal(s.kind, s.value, s.phrase, s.start + offset, s.end + offset, s.rule) if offset else s)
    return tuple(out)


_ONCE = frozenset({"dash", "risk_level"})  # one score and one level per contact (``_keep``)


def _sentence_plain(sentence: str, names: frozenset[str]) -> tuple[Signal, ...] | None:
    """A sentence's signals (spans in the sentence) when it names no referral or share, else None."""
    read = _sentence_read(sentence, names)
    if read is None:
        return ()
    if any(found.kind in FLOWS for found in read[2]):
        return None
    return tuple(_signals(((0, sentence, *read),), None, None, ()))


def _named_asserted(text: str, names: frozenset[str]):
    """``_asserted_in(text)``, each sentence read once, as its placeholder sentence (``_sentence_read``)."""
    out = []
    for offset, sentence in sentences(text):
        read = _sentence_read(sentence, names)
        if read is not None:
            out.append((offset, sentence, *read))
    return tuple(out)


def _sentence_read(sentence: str, names: frozenset[str]) -> tuple | None:
    """``_named_read`` of a sentence, once per sentence (its result does not depend on ``names``)."""
    read = _BY_SENTENCE.get(sentence, _UNREAD)
    if read is _UNREAD:
        read = _BY_SENTENCE[sentence] = _named_read(sentence, names)
    return read


def _named_read(sentence: str, names: frozenset[str]) -> tuple | None:
    """(tokens, spans, asserted candidates) of a sentence, None when it asserts nothing: the reading of the sentence
    with ``names`` replaced by the placeholder, mapped back."""
    shape, replaced = _shape(sentence, names)
    read = _asserted_read(shape)
    if read is None or not replaced:
        return read
    lowers, spans, kept = read
    lowers = list(lowers)
    moved, shift, k = [], 0, 0  # each span shifted by the names before it
    for n, (a, b) in enumerate(spans):
        if k < len(replaced) and replaced[k][0] == a:
            start, end, name = replaced[k]
            if end != b:
                break
            lowers[n] = name.lower()
            moved.append((a + shift, a + shift + len(name)))
            shift += len(name) - (end - start)
            k += 1
        else:
            moved.append((a + shift, b + shift))
    if k < len(replaced):  # a name that is not a token of its own after all: read as written
        return _asserted_read(sentence)
    return tuple(lowers), tuple(moved), kept


@functools.lru_cache(maxsize=200_000)
def _asserted_read(sentence: str) -> tuple | None:
    """(tokens, spans, asserted candidates) of a sentence, or None when it asserts nothing."""
    read = _read(sentence)
    if read is None:
        return None
    lowers, spans, found = read
    kept = tuple(c for c in found if c.asserted)
    return (lowers, spans, kept) if kept else None
