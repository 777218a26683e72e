"""Identifying details of a person (people.csv's optional ``aliases``, ``dob``, ``postcode`` and
``identifiers`` columns): checked and put in one canonical form, so that record linkage compares
like with like.

These details are sensitive. A message about a bad cell names the file, line and column and says
what is allowed, but never repeats the cell's text (``SENSITIVE_HINT``).

>>> parse_dob("02/07/1984"), parse_dob("1984-07"), parse_postcode("b12 9qt"), parse_postcode("B12")
('1984-07-02', '1984-07', 'B12 9QT', 'B12')
>>> parse_identifiers("PNC: 84/123456A; nhs:943 476 5919")
('pnc:84/123456A', 'nhs:9434765919')
"""

from __future__ import annotations

import re

from dhrgraph.loaders.dates import parse_date

__all__ = ["IDENTIFYING_COLUMNS", "SENSITIVE_HINT", "parse_aliases", "parse_dob", "parse_postcode", "parse_identifiers",
           "name_key"]

IDENTIFYING_COLUMNS = ("aliases", "dob", "postcode", "identifiers")
SENSITIVE_HINT = "(the value is not repeated here: identifying details stay out of messages and logs)"

# A full UK postcode ("B12 9QT") or its outward code, the district ("B12").
_DISTRICT = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_POSTCODE = re.compile(rf"^({_DISTRICT})\s*([0-9][A-Z]{{2}})?$")
_SCHEME = re.compile(r"^[a-z][a-z0-9_-]*$")


def name_key(name: str) -> str:
    """How a name is matched: case, spacing and full stops ignored ("Mr. D  Smyth" = "mr d smyth")."""
    return " ".join(name.replace(".", " ").casefold().split())


def parse_aliases(text: str) -> tuple[str, ...]:
    """The ``;``-separated other names, spaces tidied, repeats dropped."""
    return tuple(dict.fromkeys(" ".join(part.split()) for part in text.split(";") if part.strip()))


def parse_dob(text: str) -> str:
    """A date of birth, full or partial, as ISO text of its precision (``1984-07-02``, ``1984-07``, ``1984``)."""
    try:
        date = parse_date(text)
    except ValueError:
        raise ValueError(f"dob must be a date of birth, full or partial: YYYY-MM-DD, YYYY-MM, YYYY or DD/MM/YYYY {SENSITIVE_HINT}") from None
    return date.text.lstrip("?")


def parse_postcode(text: str) -> str:
    """A UK postcode, full (``B12 9QT``) or district (``B12``), upper case with one space."""
    match = _POSTCODE.match(" ".join(text.upper().split()))
    if not match:
        raise ValueError(f"postcode must be a UK postcode, full (B12 9QT) or its district (B12) {SENSITIVE_HINT}")
    return " ".join(part for part in match.groups() if part)


def parse_identifiers(text: str) -> tuple[str, ...]:
    """``scheme:value`` items, ``;``-separated: scheme in lower case, value in upper case without spaces."""
    items = []
    for part in text.split(";"):
        if not part.strip():
            continue
        scheme, sep, value = part.partition(":")
        scheme, value = scheme.strip().lower(), "".join(value.split()).upper()
        if not sep or not _SCHEME.match(scheme) or not value:
            raise ValueError(f"identifiers must be a ';' list of scheme:value items, e.g. pnc:..., nhs:... {SENSITIVE_HINT}")
        items.append(f"{scheme}:{value}")
    return tuple(dict.fromkeys(items))
