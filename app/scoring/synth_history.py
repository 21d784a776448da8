"""The demo portfolio as a lender would hold it: dated applications, amounts in euros, a drift, outcomes.

- **Dates.** Every application carries ``APPLICATION_DATE``. The labelled portfolio was applied for
  over the :data:`LABELLED_MONTHS` months before the first month of new applications; the new
  applications arrive in :data:`NEW_MONTHS` monthly batches ending with :data:`DEMO_LAST_MONTH`.
- **Drift.** Month ``m`` (1 to 12) of new applications mixes ``m / 12`` of rows drawn from the
  parameters fitted on the real application_test with ``1 - m / 12`` drawn like the labelled
  portfolio: the population moves gradually from the training one to the real test file's (fewer
  revolving loans, other amounts and scores) instead of jumping on one day.
- **Outcomes.** Every new application also gets a realised outcome from the same default model as
  the labelled rows. Those of the months at least :data:`OUTCOME_DELAY_MONTHS` old at the end of the
  demo are "known": :attr:`DemoHistory.outcomes` (``SK_ID_CURR, APPLICATION_DATE, TARGET``), what a
  lender would feed back into monitoring; the others are not published anywhere.
- **Euros.** The fitted amounts are in Home Credit's unit (a monthly income of 148,050, a credit of
  512,064 at the median): one factor, :data:`EUR_PER_SOURCE_UNIT` = 1/75, turns them into the
  believable figures of a French consumer lender (monthly income ~1,970 €, credit ~6,830 €,
  instalment ~330 € a month). Ratios (burden, instalments, goods share) are unchanged by it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.scoring.schema import DATE_COLUMN, ID_COLUMN, TARGET_COLUMN
from app.scoring.synth import FIRST_LABELLED_ID, sample_with_outcomes, shipped_params
from app.scoring.synth_rules import enforce_amount_rules

#: Euros per unit of the real data's amounts (documented in the README with the medians it gives).
EUR_PER_SOURCE_UNIT = 1 / 75
AMOUNT_COLUMNS = ("AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE")
NEW_MONTHS = 12
LABELLED_MONTHS = 24
DEMO_LAST_MONTH = pd.Period("2026-11", freq="M")
#: A new application's outcome is known once it is this many months old (at the end of DEMO_LAST_MONTH).
OUTCOME_DELAY_MONTHS = 6


@dataclass(frozen=True)
class DemoHistory:
    labelled: pd.DataFrame
    new: pd.DataFrame
    outcomes: pd.DataFrame  # known outcomes of the older new applications


def first_new_month() -> pd.Period:
    return DEMO_LAST_MONTH - (NEW_MONTHS - 1)


def to_euros(frame: pd.DataFrame) -> pd.DataFrame:
    """Amounts converted by :data:`EUR_PER_SOURCE_UNIT`: whole euros, the monthly instalment to the cent."""
    out = frame.copy()
    for column in AMOUNT_COLUMNS:
        decimals = 2 if column == "AMT_ANNUITY" else 0
        out[column] = np.round(out[column].to_numpy(float) * EUR_PER_SOURCE_UNIT, decimals)
    return enforce_amount_rules(out, decimals=2)


def _dates(months: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A uniform day inside each row's month (``months``: monthly Periods as ordinals)."""
    start = pd.PeriodIndex.from_ordinals(months, freq="M").to_timestamp()
    days = start.days_in_month.to_numpy()
    offset = np.floor(rng.random(len(months)) * days).astype("timedelta64[D]")
    return (start.to_numpy().astype("datetime64[D]") + offset).astype("datetime64[ns]")


def _dated(frame: pd.DataFrame, months: np.ndarray, rng: np.random.Generator, first_id: int,
           outcome: np.ndarray | None) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Rows dated, put in date order and numbered from ``first_id`` (ids grow with time, as real ones do)."""
    frame = frame.assign(**{DATE_COLUMN: _dates(months, rng)})
    order = np.argsort(frame[DATE_COLUMN].to_numpy(), kind="stable")
    frame = frame.iloc[order].reset_index(drop=True)
    frame[ID_COLUMN] = np.arange(first_id, first_id + len(frame), dtype=np.int64)
    return frame, None if outcome is None else outcome[order]


def demo_history(n_labelled: int = 30_000, n_new: int = 8_000, seed: int = 42) -> DemoHistory:
    """The labelled portfolio, the twelve monthly batches of new applications and the known outcomes.

    Deterministic given the arguments. Ids: labelled from ``FIRST_LABELLED_ID``, new applications
    right after them, both in date order.
    """
    train, test = shipped_params("application_train"), shipped_params("application_test")
    model = train["target_model"]
    seed_new, seed_dates = (int(s) for s in np.random.SeedSequence([seed, 1]).generate_state(2))
    sizes = np.array([len(part) for part in np.array_split(np.arange(n_new), NEW_MONTHS)])
    test_like = np.rint(sizes * np.arange(1, NEW_MONTHS + 1) / NEW_MONTHS).astype(int)
    # one draw from each parameter set (the copula is compiled once per set): the labelled rows, then
    # the new applications that still look like them
    both, y_both = sample_with_outcomes(train, n_labelled + int(n_new - test_like.sum()), seed=seed,
                                        first_id=FIRST_LABELLED_ID)
    drifted, y_drifted = sample_with_outcomes(test, int(test_like.sum()), seed=seed_new, first_id=0,
                                              target_model=model)
    assert y_drifted is not None and y_both is not None  # both drawn with a default model
    labelled = both.iloc[:n_labelled].reset_index(drop=True)
    stable, y_stable = both.iloc[n_labelled:].drop(columns=TARGET_COLUMN).reset_index(drop=True), y_both[n_labelled:]
    parts, outcomes, months = [], [], []
    d_at, s_at = 0, 0
    first = first_new_month().ordinal
    for m, (size, k) in enumerate(zip(sizes, test_like, strict=True)):
        parts += [drifted.iloc[d_at:d_at + k], stable.iloc[s_at:s_at + size - k]]
        outcomes += [y_drifted[d_at:d_at + k], y_stable[s_at:s_at + size - k]]
        months.append(np.full(size, first + m))
        d_at, s_at = d_at + k, s_at + size - k
    new = pd.concat(parts, ignore_index=True) if parts else drifted.iloc[:0]
    y_new = np.concatenate(outcomes) if outcomes else np.zeros(0, dtype=int)

    rng = np.random.default_rng(seed_dates)
    labelled_months = first - LABELLED_MONTHS + np.floor(rng.random(n_labelled) * LABELLED_MONTHS).astype(int)
    labelled, _ = _dated(labelled, labelled_months, rng, FIRST_LABELLED_ID, None)
    new_months = np.concatenate(months) if months else np.zeros(0, dtype=int)
    new, y_sorted = _dated(new, new_months, rng, FIRST_LABELLED_ID + n_labelled, y_new)
    assert y_sorted is not None
    known_until = (DEMO_LAST_MONTH - OUTCOME_DELAY_MONTHS).to_timestamp(how="end")
    known = new[DATE_COLUMN].to_numpy() <= known_until.to_datetime64()
    outcomes_frame = pd.DataFrame({ID_COLUMN: new.loc[known, ID_COLUMN].to_numpy(),
                                   DATE_COLUMN: new.loc[known, DATE_COLUMN].to_numpy(),
                                   TARGET_COLUMN: y_sorted[known]})
    return DemoHistory(to_euros(labelled), to_euros(new), outcomes_frame)
