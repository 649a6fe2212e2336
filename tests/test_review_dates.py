"""Review dates are written to the precision they are known to."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pipeline.review_dates import shown_review_date

MAY = dt.date(2019, 5, 1)


@pytest.mark.parametrize(
    ("precision", "iso", "expected"),
    [
        ("day", False, "01 May 2019"),
        ("month", False, "May 2019"),
        ("day", True, "2019-05-01"),
        ("month", True, "2019-05"),
        (None, False, "01 May 2019"),  # ingested before precision was recorded
    ],
)
def test_a_date_is_written_to_its_precision(
    precision: str | None, iso: bool, expected: str
) -> None:
    assert shown_review_date(MAY, precision, iso=iso) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NaT, pd.NA])
def test_a_missing_date_is_not_written(missing: object) -> None:
    assert shown_review_date(missing, "month") is None
