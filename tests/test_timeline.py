"""The person's day: local calendar days starting at the boundary hour, across DST changes."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from mitra.timeline import DayClock, Timeline
from tests.conftest import utc


def test_a_dose_after_midnight_but_before_four_counts_with_the_day_before() -> None:
    clock = DayClock("Europe/Berlin", 4)
    # 01:30 on Sunday 15 March 2026 in Berlin (CET, UTC+1) is 00:30 UTC.
    assert clock.local_day(utc(2026, 3, 15, 0, 30)) == date(2026, 3, 14)
    # 04:00 local starts the new day.
    assert clock.local_day(utc(2026, 3, 15, 3, 0)) == date(2026, 3, 15)


def test_a_boundary_hour_of_zero_is_plain_midnight() -> None:
    clock = DayClock("UTC", 0)
    assert clock.local_day(utc(2026, 1, 2, 0, 0)) == date(2026, 1, 2)
    assert clock.local_day(utc(2026, 1, 1, 23, 59)) == date(2026, 1, 1)


def test_the_day_before_spring_forward_lasts_23_hours_and_starts_at_local_four() -> None:
    clock = DayClock("Europe/Berlin", 4)
    # Clocks go from 02:00 to 03:00 on 29 March 2026: the day 28 March (04:00 Sat to 04:00 Sun)
    # loses an hour.
    start, end = clock.day_span(date(2026, 3, 28))
    assert end - start == timedelta(hours=23)
    assert start == utc(2026, 3, 28, 3, 0)  # 04:00 CET
    assert end == utc(2026, 3, 29, 2, 0)  # 04:00 CEST


def test_the_day_of_fall_back_lasts_25_hours() -> None:
    clock = DayClock("America/New_York", 4)
    # Clocks go from 02:00 back to 01:00 on 1 November 2026: 31 Oct 04:00 to 1 Nov 04:00 is 25 h.
    start, end = clock.day_span(date(2026, 10, 31))
    assert end - start == timedelta(hours=25)


def test_both_readings_of_an_ambiguous_hour_belong_to_the_same_day() -> None:
    clock = DayClock("America/New_York", 4)
    first_130 = utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    second_130 = utc(2026, 11, 1, 6, 30)  # 01:30 EST
    assert clock.local_day(first_130) == clock.local_day(second_130) == date(2026, 10, 31)


@pytest.mark.parametrize(
    "zone", ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]
)
def test_vectorised_day_index_agrees_with_local_day_for_every_hour_of_a_year(zone: str) -> None:
    clock = DayClock(zone, 4)
    first, last = date(2026, 1, 1), date(2026, 12, 31)
    start = clock.day_start(first).timestamp()
    end = clock.day_start(last + timedelta(days=1)).timestamp()
    seconds = np.arange(start, end, 3600 * 0.75, dtype=np.float64)
    index = clock.day_index(seconds, first, last)
    from datetime import UTC, datetime

    expected = [
        (clock.local_day(datetime.fromtimestamp(s, UTC)) - first).days for s in seconds[::7]
    ]
    assert index[::7].tolist() == expected


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(Exception, match="Mars"):
        DayClock("Mars/Olympus_Mons")


def test_daily_grams_and_anxiety_sum_and_average_within_each_local_day() -> None:
    clock = DayClock("UTC", 4)
    line = Timeline(
        clock=clock,
        first=date(2026, 1, 1),
        last=date(2026, 1, 3),
        dose_time=np.array(
            [
                utc(2026, 1, 1, 9).timestamp(),
                utc(2026, 1, 2, 2).timestamp(),
                utc(2026, 1, 3, 9).timestamp(),
            ]
        ),
        dose_grams=np.array([2.0, 1.5, 3.0]),
        checkin_time=np.array([utc(2026, 1, 1, 9).timestamp(), utc(2026, 1, 1, 20).timestamp()]),
        anxiety=np.array([4.0, 6.0]),
    )
    # The 02:00 dose on 2 January belongs to 1 January (before the 04:00 boundary).
    assert line.daily_grams_leaf().tolist() == [3.5, 0.0, 3.0]
    anxiety = line.daily_anxiety()
    assert anxiety[0] == 5.0
    assert np.isnan(anxiety[1])
    assert np.isnan(anxiety[2])


def test_every_field_of_the_timeline_belongs_to_exactly_one_part() -> None:
    from mitra.timeline import PART_FIELDS, TIMELINE_PARTS

    named = [name for part in TIMELINE_PARTS for name in PART_FIELDS[part]]
    entries = set(Timeline.__dataclass_fields__) - {"clock", "first", "last"}
    assert sorted(named) == sorted(entries)
