"""Chronology dates as agencies write them: full, partial ("2019-03", "Jan 2022") or uncertain ("?2019-03-05").

Reviews are written from records that are often vague about when something happened. A partial
date keeps its precision instead of being invented into a day, and sorts at the start of its
period: "2019" before "2019-01-01", "2019-03" between February and the first of March's days.

Accepted forms (a leading ``?`` marks any of them uncertain):

* ISO: ``2022-01-03``, ``2022-01``, ``2022``, with a time ``2022-01-03T14:35`` or ``2022-01-03 14:35``;
* UK day first: ``03/01/2022``, ``3-1-2022``, ``03.01.2022``, with a time ``03/01/2022 14:35``;
* month names: ``Jan 2022``, ``January 2022``, ``3 January 2022``, ``3rd Jan 2022``, ``3 Jan 2022 14:35``;
* in workbooks, Excel's serial day numbers (``44564`` is 2022-01-03; see ``excel_serial_text``).

A time written with the date is kept (``PartialDate.time``) to fill the contact's ``time``.
Impossible dates (``31/02/2020``, ``2020-13-01``) and ambiguous ones (two-digit years, a month
after the 12th in a day-first date) are rejected with the reason.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass, field

__all__ = ["PartialDate", "parse_date", "excel_serial_text", "DATE_FORMATS_HELP"]

DATE_FORMATS_HELP = ("YYYY-MM-DD, YYYY-MM, YYYY, DD/MM/YYYY, 'Jan 2022' or '3 January 2022', optionally with a time "
                     "(HH:MM), with a leading ? if uncertain")

_PRECISION_RANK = {"year": 0, "month": 1, "day": 2}
_TIME = r"(?:[T ]\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})" + _TIME + r")?)?$")
_UK = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})\s*" + _TIME.replace("[T ]", "[T ]?") + r"$")
_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_NAMED = re.compile(r"^(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?([a-z]+)\.?,?\s+(\d{2}|\d{4})\s*" + _TIME.replace("[T ]", "[T ]?") + r"$",
                    re.IGNORECASE)
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's phantom 29 February 1900 included)


@dataclass(frozen=True)
class PartialDate:
    start: dt.date
    precision: str  # day | month | year
    uncertain: bool = False
    time: str | None = None  # HH:MM when the date was written with a time
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
    """Parse a chronology date; raise ValueError saying why it is rejected and what is allowed.

    >>> parse_date("?2019-03").text
    '?2019-03'
    >>> parse_date("05/03/2019").start.isoformat()
    '2019-03-05'
    >>> d = parse_date("3rd Jan 2022 14:35"); (d.text, d.time)
    ('2022-01-03', '14:35')
    >>> parse_date("Jan 2022").precision
    'month'
    """
    raw = text.strip()
    uncertain = raw.startswith("?")
    body = raw[1:].strip() if uncertain else raw
    if match := _ISO.match(body):
        year, month, day, hours, minutes, seconds = match.groups()
        order = "YYYY-MM-DD"
    elif match := _UK.match(body):
        day, _, month, year, hours, minutes, seconds = match.groups()
        order = "DD/MM/YYYY"
    elif (match := _NAMED.match(body)) and match.group(2).lower() in _MONTHS:
        day, name, year, hours, minutes, seconds = match.groups()
        month = str(_MONTHS[name.lower()])
        order = "day month year"
    else:
        raise ValueError(f"invalid date {raw!r}: use {DATE_FORMATS_HELP}")
    if len(year) == 2:
        raise ValueError(f"ambiguous date {raw!r}: a two-digit year could be 19{year} or 20{year}; write the year in full")
    if month and not 1 <= int(month) <= 12:
        hint = ""
        if order == "DD/MM/YYYY" and 1 <= int(day) <= 12:
            hint = f" (it looks month first, as in the US: dates are read day first, so write {month}/{day}/{year})"
        elif order == "YYYY-MM-DD" and day and 1 <= int(day) <= 12:
            hint = f" (if the day came first, write {year}-{int(day):02d}-{int(month):02d})"
        raise ValueError(f"no such date {raw!r}: there is no month {int(month)}{hint}; use {DATE_FORMATS_HELP}")
    precision = "day" if day else "month" if month else "year"
    try:
        start = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        last = calendar.monthrange(int(year), int(month))[1] if 1 <= int(year) <= 9999 else 31
        raise ValueError(f"no such date {raw!r}: {calendar.month_name[int(month)]} {int(year)} has {last} days") from None
    if not 1900 <= start.year <= 2100:
        raise ValueError(f"date {raw!r} is out of range: years 1900-2100")
    time = None
    if hours is not None:
        if int(hours) > 23 or int(minutes) > 59 or (seconds is not None and int(seconds) > 59):
            raise ValueError(f"no such time in {raw!r}: use HH:MM (24-hour)")
        time = f"{int(hours):02d}:{minutes}"
    return PartialDate(start, precision, uncertain, time)


def excel_serial_text(value: float) -> str:
    """The date (and time, when not midnight) of an Excel serial day number, as ISO text.

    A workbook cell that holds a date but is not formatted as one shows its serial number
    (``44564``); openpyxl gives it as a number. A whole number from 1900 to 2100 is a year typed as
    a number, not a day in 1905.

    >>> excel_serial_text(44564), excel_serial_text(44564.6076), excel_serial_text(2019)
    ('2022-01-03', '2022-01-03 14:35', '2019')
    """
    if float(value).is_integer() and 1900 <= value <= 2100:
        return str(int(value))
    moment = _EXCEL_EPOCH + dt.timedelta(days=float(value))
    moment = moment.replace(second=0, microsecond=0) + dt.timedelta(minutes=1 if moment.second >= 30 else 0)
    if moment.time() == dt.time(0, 0):
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%d %H:%M")
