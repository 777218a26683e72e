"""spaCy's English tokenizer, as ``loaders/textsignals.py`` configures it, read in plain Python.

Importing spaCy costs about 1.7 s of CPU (numpy, thinc, pydantic; the blank pipeline and its regexes),
which alone was most of what reading the summaries was allowed to add to a 100k-contact load. Its
tokenizer, though, is a small algorithm over tables: split on spaces; per chunk, the special cases
("don't", "Dr.", "gonna"), then prefixes and suffixes peeled by regex (checking the special cases as
they go), then the URL pattern, then infixes (``spacy/tokenizer.pyx``: ``_split_affixes``,
``_attach_tokens``). ``Tokenizer`` runs that algorithm over the tables of the installed spaCy, stored in
``loaders/entokenizer_data.py`` (regenerate with ``python -m dhrgraph.loaders.entokenizer``;
tests/test_textsignals.py checks they are the installed spaCy's, and that both tokenizers agree).

It answers only where it is sure: a sentence with anything but single spaces between its chunks, or
with a token that spaCy's special-case matcher could merge afterwards (``_apply_special_cases``: "a.m."),
gets None, and the caller asks spaCy itself.
"""

from __future__ import annotations

import re
from pathlib import Path

from dhrgraph.loaders.entokenizer_data import TABLES

__all__ = ["Tokenizer", "like_num", "tables", "tokenizer"]

_CHUNKED = re.compile(r"\S+(?: \S+)*")


class Tokenizer:
    def __init__(self, data: dict):
        self.prefix = re.compile(data["prefix"]).search
        self.suffix = re.compile(data["suffix"]).search
        self.infix = re.compile(data["infix"]).finditer
        self.url = re.compile(data["url"]).match
        self.specials: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in data["specials"].items()}
        # the token sequences spaCy's special-case matcher would rewrite, by their first token
        self.merged: dict[str, list[tuple[str, ...]]] = {}
        for tokens in data["merged"]:
            self.merged.setdefault(tokens[0], []).append(tuple(tokens))
        self._cache: dict[str, tuple[str, ...] | None] = {}

    def __call__(self, text: str) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...]] | None:
        """The tokens (as written) and their character spans, or None where only spaCy can say."""
        if not _CHUNKED.fullmatch(text):
            return None
        tokens: list[str] = []
        spans: list[tuple[int, int]] = []
        at = 0
        cache = self._cache
        for chunk in text.split(" "):
            pieces = cache.get(chunk, False)
            if pieces is False:
                pieces = cache[chunk] = self._sure(self.chunk(chunk))
            if pieces is None:
                return None
            for piece in pieces:
                spans.append((at, at + len(piece)))
                at += len(piece)
            tokens += pieces
            at += 1
        return tuple(tokens), tuple(spans)

    def clear(self) -> None:
        """Forget the chunks read so far."""
        self._cache.clear()

    def _sure(self, pieces: tuple[str, ...]) -> tuple[str, ...] | None:
        """A chunk's tokens, or None when spaCy's special-case matcher could rewrite some of them (it rewrites
        only a sequence whose text, spaces included, is a special case: one chunk's tokens, here)."""
        for i, token in enumerate(pieces):
            for sequence in self.merged.get(token, ()):
                if pieces[i:i + len(sequence)] == sequence:
                    return None
        return pieces

    def chunk(self, string: str, specials: bool = True) -> tuple[str, ...]:
        """The tokens of one space-free chunk (``_split_affixes`` and ``_attach_tokens``)."""
        special = self.specials
        if specials and string in special:
            return special[string]
        prefixes: list[str] = []
        suffixes: list[str] = []
        last = 0
        while string and len(string) != last:
            if specials and string in special:
                break
            last = len(string)
            pre_len = _length(self.prefix(string))
            if pre_len:
                prefix, minus_pre = string[:pre_len], string[pre_len:]
                if minus_pre and specials and minus_pre in special:
                    string = minus_pre
                    prefixes.append(prefix)
                    break
            suf_len = _length(self.suffix(string[pre_len:]))
            if suf_len:
                suffix, minus_suf = string[-suf_len:], string[:-suf_len]
                if minus_suf and specials and minus_suf in special:
                    string = minus_suf
                    suffixes.append(suffix)
                    break
            if pre_len and suf_len and pre_len + suf_len <= len(string):
                string = string[pre_len:-suf_len]
                prefixes.append(prefix)
                suffixes.append(suffix)
            elif pre_len:
                string = minus_pre
                prefixes.append(prefix)
            elif suf_len:
                string = minus_suf
                suffixes.append(suffix)
        tokens = list(prefixes)
        if string:
            if specials and string in special:
                tokens += special[string]
            elif self.url(string):
                tokens.append(string)
            else:
                tokens += _infixed(string, list(self.infix(string)))
        tokens += reversed(suffixes)
        return tuple(tokens)


def _length(match) -> int:
    return match.end() - match.start() if match is not None else 0


def _infixed(string: str, matches: list) -> list[str]:
    if not matches:
        return [string]
    out = []
    start = 0
    for match in matches:
        infix_start, infix_end = match.start(), match.end()
        if infix_start == 0:
            continue
        if infix_start != start:
            out.append(string[start:infix_start])
        if infix_start != infix_end:
            out.append(string[infix_start:infix_end])
        start = infix_end
    if string[start:]:
        out.append(string[start:])
    return out


_NUM_WORDS = frozenset(TABLES["num_words"])
_ORDINAL_WORDS = frozenset(TABLES["ordinal_words"])


def like_num(text: str) -> bool:
    """spaCy English's ``LIKE_NUM`` (``spacy/lang/en/lex_attrs.py``)."""
    if text.startswith(("+", "-", "±", "~")):
        text = text[1:]
    text = text.replace(",", "").replace(".", "")
    if text.isdigit():
        return True
    if text.count("/") == 1:
        num, denom = text.split("/")
        if num.isdigit() and denom.isdigit():
            return True
    lower = text.lower()
    if lower in _NUM_WORDS or lower in _ORDINAL_WORDS:
        return True
    return lower.endswith(("st", "nd", "rd", "th")) and lower[:-2].isdigit()


_TOKENIZER: Tokenizer | None = None


def tokenizer() -> Tokenizer:
    """The tokenizer of the stored tables (built once)."""
    global _TOKENIZER
    if _TOKENIZER is None:
        _TOKENIZER = Tokenizer(TABLES)
    return _TOKENIZER


def tables(spacy_tokenizer) -> dict:
    """The tables of a spaCy English tokenizer (needs spaCy)."""
    from spacy.lang.en import lex_attrs
    from spacy.symbols import ORTH

    assert spacy_tokenizer.token_match is None and spacy_tokenizer.faster_heuristics
    data = {
        "prefix": spacy_tokenizer.prefix_search.__self__.pattern,
        "suffix": spacy_tokenizer.suffix_search.__self__.pattern,
        "infix": spacy_tokenizer.infix_finditer.__self__.pattern,
        "url": spacy_tokenizer.url_match.__self__.pattern,
        "specials": {k: [t[ORTH] for t in v] for k, v in sorted(spacy_tokenizer.rules.items())},
        "num_words": list(lex_attrs._num_words),
        "ordinal_words": list(lex_attrs._ordinal_words),
        "merged": [],
    }
    # spaCy's special-case matcher holds the specials that affixes would split (faster_heuristics), as the
    # tokens the affix rules give them; it rewrites such a sequence into the special's own tokens
    plain = Tokenizer(data)
    for string, orths in data["specials"].items():
        if not string.strip():
            continue  # whitespace: the fast path leaves any but single spaces to spaCy
        if plain.prefix(string) or plain.suffix(string) or list(plain.infix(string)) or " " in string:
            split = [t for piece in string.split(" ") if piece for t in plain.chunk(piece, specials=False)]
            if split != orths:
                data["merged"].append(split)
    return data


def main() -> None:
    from dhrgraph.loaders.textsignals import _nlp

    data = tables(_nlp().tokenizer)
    target = Path(__file__).with_name("entokenizer_data.py")
    target.write_text('"""Generated by ``python -m dhrgraph.loaders.entokenizer`` from the installed spaCy '
                      '(its English tokenizer as loaders/textsignals.py configures it): do not edit."""\n\n'
                      f"TABLES = {data!r}\n", encoding="utf-8")
    print(f"wrote {target} ({len(data['specials'])} special cases, {len(data['merged'])} merged sequences)")


if __name__ == "__main__":
    main()
