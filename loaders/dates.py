"""Chronology dates: full, partial ("2019-03", "2019") or uncertain ("?2019-03-05").

Reviews are written from records that are often vague about when something happened. A partial
date keeps its precision instead of being invented into a day, and sorts at the start of its
period: "2019" before "2019-01-01", "2019-03" between February and the first of March's days.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

__all__ = ["PartialDate", "parse_date", "DATE_FORMATS_HELP"]

DATE_FORMATS_HELP = "YYYY-MM-DD, YYYY-MM, YYYY or DD/MM/YYYY, with a leading ? if uncertain"

_PRECISION_RANK = {"year": 0, "month": 1, "day": 2}
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass(frozen=True)
class PartialDate:
    start: dt.date
    precision: str  # day | month | year
    uncertain: bool = False
    # Made once per date (parse_date shares instances), when it is created: plain attributes are read
    # per contact, where cached properties cost a lock each (measured: 4 µs a contact).
    iso: str = field(init=False, compare=False, repr=False)  # the first day of the period, YYYY-MM-DD
    text: str = field(init=False, compare=False, repr=False)  # as the review shows it: '2019-03-05', '2019-03', '?2019'
    sort_key: str = field(init=False, compare=False, repr=False)  # sorts partial dates at the start of their period
    graph_values: tuple = field(init=False, compare=False, repr=False)  # (iso, precision, text, uncertain, sort_key)

    def __post_init__(self) -> None:
        full = self.start.isoformat()
        shown = {"day": full, "month": full[:7], "year": full[:4]}[self.precision]
        text = ("?" if self.uncertain else "") + shown
        sort_key = f"{full}~{_PRECISION_RANK[self.precision]}"
        for name, value in (("iso", full), ("text", text), ("sort_key", sort_key),
                            ("graph_values", (full, self.precision, text, self.uncertain, sort_key))):
            object.__setattr__(self, name, value)


@functools.lru_cache(maxsize=65536)  # a corpus has far fewer distinct dates than rows
def parse_date(text: str) -> PartialDate:
    """Parse a chronology date; raise ValueError with what is allowed.

    >>> parse_date("?2019-03").text
    '?2019-03'
    >>> parse_date("05/03/2019").start.isoformat()
    '2019-03-05'
    """
    raw = text.strip()
    uncertain = raw.startswith("?")
    body = raw[1:].strip() if uncertain else raw
    if match := _ISO.match(body):
        year, month, day = match.groups()
    elif match := _UK.match(body):
        day, month, year = match.groups()
    else:
        raise ValueError(f"invalid date {raw!r}: use {DATE_FORMATS_HELP}")
    precision = "day" if day else "month" if month else "year"
    try:
        start = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise ValueError(f"no such date {raw!r}: use {DATE_FORMATS_HELP}") from None
    if not 1900 <= start.year <= 2100:
        raise ValueError(f"date {raw!r} is out of range: years 1900-2100")
    return PartialDate(start, precision, uncertain)
