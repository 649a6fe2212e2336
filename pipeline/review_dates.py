"""How a review date is written for people: to the day, or to the month when only that is known.

A review dated "May 2019" is stored as 2019-05-01 with precision 'month' (ingest's
`parse_review_date`); shown as "01 May 2019" it would claim a day nobody gave.
"""

from __future__ import annotations

import datetime as dt


def shown_review_date(value: object, precision: object, *, iso: bool = False) -> str | None:
    """'01 May 2019' or 'May 2019' ('2019-05-01' or '2019-05' with `iso`); None when missing.

    `value` is a date or datetime (a pandas Timestamp is one); anything else (None, NaN, NaT)
    is missing. No pandas here: the CLI's help must not load it.
    """
    if not isinstance(value, dt.date) or value != value:  # NaT is a datetime unequal to itself
        return None
    by_month = isinstance(precision, str) and precision == "month"
    if iso:
        return f"{value:%Y-%m}" if by_month else f"{value:%Y-%m-%d}"
    return f"{value:%b %Y}" if by_month else f"{value:%d %b %Y}"
