"""argparse ``type=`` helpers shared by the command-line tools.

A value out of range raises ``argparse.ArgumentTypeError``, so argparse prints the usage and one
``error:`` line naming the option, and exits with code 2: never a traceback, never minutes of work on
a value that cannot make sense (``--folds 1``, ``--cost-fn -1``, ``--n 0``).
"""
from __future__ import annotations

import argparse
import datetime
import math
from collections.abc import Callable
from typing import TypeVar

Number = TypeVar("Number", int, float)


def bounded(kind: type[Number], low: float | None = None, what: str = "", *, high: float | None = None,
            low_open: bool = False, high_open: bool = False) -> Callable[[str], Number]:
    """A parser of ``kind`` (int or float) refusing values outside [low, high] (or open ends); NaN and
    infinities are refused too."""
    def parse(text: str) -> Number:
        try:
            value = kind(text)
        except ValueError:
            name = "an integer" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not {name}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{what or 'must be a finite number'}, got {text}")
        too_low = low is not None and (value <= low if low_open else value < low)
        too_high = high is not None and (value >= high if high_open else value > high)
        if too_low or too_high:
            raise argparse.ArgumentTypeError(f"{what}, got {text}")
        return value
    parse.__name__ = kind.__name__  # argparse names the type in "invalid int value" messages
    return parse


def int_at_least(low: int, what: str | None = None) -> Callable[[str], int]:
    """An integer >= ``low``."""
    return bounded(int, low, what or f"must be an integer >= {low}")


positive_int = int_at_least(1, "must be a positive integer")
non_negative_int = int_at_least(0, "must be non-negative")
non_negative_float = bounded(float, 0, "must be non-negative")
positive_float = bounded(float, 0, "must be positive", low_open=True)
#: A share strictly between 0 and 1 (e.g. a hold-out share; 0 is refused: use the option's default).
fraction = bounded(float, 0, "must be between 0 and 1 (exclusive)", high=1, low_open=True, high_open=True)
#: A share in [0, 1).
fraction_or_zero = bounded(float, 0, "must be at least 0 and below 1", high=1, high_open=True)


def threads(text: str) -> int:
    """-1 (all cores) or a positive count of threads."""
    value = bounded(int, -1, "must be -1 (all cores) or a positive count")(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be -1 (all cores) or a positive count, got 0")
    return value


def iso_date(text: str):
    """``--as-of YYYY-MM-DD``: a calendar date (an impossible one such as 2026-02-30 is refused)."""
    import pandas as pd

    try:
        return pd.Timestamp(datetime.date.fromisoformat(text.strip()))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


AS_OF_HELP = ("date of the applications when a file has no APPLICATION_DATE column, YYYY-MM-DD "
              "(the Kaggle files have none; without it their dates are unknown)")
