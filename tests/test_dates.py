"""Dates as agencies write them: each form with its precision and time, and the rejected ones with why."""

from __future__ import annotations

import pytest

from dhrgraph.loaders.dates import excel_serial_text, parse_date

ACCEPTED = [
    # (as written, date as the graph keeps it, precision, time)
    ("2022-01-03", "2022-01-03", "day", None),
    ("2022-01", "2022-01", "month", None),
    ("2022", "2022", "year", None),
    ("03/01/2022", "2022-01-03", "day", None),
    ("3-1-2022", "2022-01-03", "day", None),
    ("03.01.2022", "2022-01-03", "day", None),
    ("03/01/2022 14:35", "2022-01-03", "day", "14:35"),
    ("03/01/2022 9:05", "2022-01-03", "day", "09:05"),
    ("2022-01-03T14:35", "2022-01-03", "day", "14:35"),
    ("2022-01-03T14:35:59", "2022-01-03", "day", "14:35"),
    ("2022-01-03 23:59", "2022-01-03", "day", "23:59"),
    ("Jan 2022", "2022-01", "month", None),
    ("January 2022", "2022-01", "month", None),
    ("Sept 2021", "2021-09", "month", None),
    ("3 January 2022", "2022-01-03", "day", None),
    ("3rd Jan 2022", "2022-01-03", "day", None),
    ("21st February 2020", "2020-02-21", "day", None),
    ("3 Jan 2022 14:35", "2022-01-03", "day", "14:35"),
    ("?Jan 2021", "?2021-01", "month", None),
    ("?2019-03-05", "?2019-03-05", "day", None),
    ("29/02/2020", "2020-02-29", "day", None),
]


@pytest.mark.parametrize("written, text, precision, time", ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_each_written_form_keeps_its_precision_and_time(written, text, precision, time):
    date = parse_date(written)
    assert (date.text, date.precision, date.time, date.uncertain) == (text, precision, time, text.startswith("?"))


REJECTED = [
    ("31/02/2020", "no such date '31/02/2020': February 2020 has 29 days"),
    ("29/02/2021", "February 2021 has 28 days"),
    ("2020-13-01", "no such date '2020-13-01': there is no month 13 (if the day came first, write 2020-01-13)"),
    ("01/13/2022", "there is no month 13 (it looks month first, as in the US: dates are read day first, so write 13/01/2022)"),
    ("03/01/22", "ambiguous date '03/01/22': a two-digit year could be 1922 or 2022; write the year in full"),
    ("3 Jan 22", "a two-digit year could be 1922 or 2022"),
    ("2022-01-03T25:00", "no such time in '2022-01-03T25:00': use HH:MM (24-hour)"),
    ("03/01/2022 14:61", "no such time"),
    ("Janvier 2022", "invalid date 'Janvier 2022'"),
    ("last Tuesday", "invalid date 'last Tuesday'"),
    ("1850-01-01", "out of range: years 1900-2100"),
]


@pytest.mark.parametrize("written, reason", REJECTED, ids=[r[0] for r in REJECTED])
def test_impossible_and_ambiguous_dates_are_rejected_with_the_reason(written, reason):
    with pytest.raises(ValueError) as caught:
        parse_date(written)
    assert reason in str(caught.value)


@pytest.mark.parametrize("serial, text", [(44564, "2022-01-03"), (44459, "2021-09-20"), (44564.5, "2022-01-03 12:00"),
                                          (43831.75, "2020-01-01 18:00"), (61, "1900-03-01"),
                                          (2019, "2019")])  # a year typed as a number
def test_excel_serial_dates(serial, text):
    assert excel_serial_text(serial) == text
