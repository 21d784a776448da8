"""Counter-offer: the closest loan the model would grant a refused client, within what the lender grants.

A minimal counterfactual on the *actionable* loan parameters only (the credit amount down — with the
goods price kept, a bigger down payment — and the term up), never on what the client cannot change.
Why this way:

- **Cheapest first.** The cost of a candidate is its relative change, summed over the parameters
  (``(C0 - C) / C0 + (n - n0) / n0``): 10 % less credit costs as much as a term 10 % longer. The
  cheapest candidate whose probability is below the threshold wins (ties: the larger credit, then the
  shorter term).
- **Real model, one batch.** Every candidate of the grid is scored at once by the served model
  through the same feature function (``app.scoring.whatif.score_terms``): the probability shown is the
  one scoring that modified application gives, with no surrogate, and a client costs one batched
  prediction (~200 rows) instead of a search loop.
- **Within bounds.** Amounts and terms come from the portfolio's bounds (``whatif.portfolio_bounds``);
  amounts are rounded *down* to a readable step (never below the lower bound), so no proposed loan
  is one the lender does not grant.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.scoring.bundle import ModelBundle
from app.scoring.whatif import LoanBounds, LoanTerms, Pricing, priced_terms, score_terms

#: Credit reductions tried, as fractions of the requested amount (5 % steps, down to the lower bound).
CREDIT_STEP = 0.05
#: Terms tried above the application's: multiples of this many months, up to the upper bound.
MONTHS_STEP = 6


@dataclass(frozen=True)
class CounterOffer:
    """The closest acceptable loan, or why there is none (``terms`` None and ``reason`` set)."""

    terms: LoanTerms | None
    proba: float | None
    cost: float | None
    reason: str | None  # "no_bounds" (contract type without bounds), "none_in_bounds"
    n_candidates: int

    @property
    def found(self) -> bool:
        return self.terms is not None


def round_down(amount: float, low: float) -> float:
    """A readable amount at most ``amount``: to the thousand (hundred under 20,000), never below ``low``."""
    step = 1000.0 if amount >= 20_000 else 100.0
    rounded = math.floor(amount / step) * step
    return rounded if rounded >= low else min(math.ceil(low / step) * step, amount)


def credit_candidates(credit: float, bounds: LoanBounds) -> list[float]:
    """Amounts from the requested one (or the upper bound) down to the lower bound, in 5 % steps."""
    top = min(credit, bounds.credit.high)
    if top < bounds.credit.low:
        return []
    values = {round_down(top, bounds.credit.low) if top < credit else top}
    k = 1
    while True:
        value = credit * (1 - k * CREDIT_STEP)
        if value < bounds.credit.low:
            break
        values.add(round_down(value, bounds.credit.low))
        k += 1
    values.add(round_down(bounds.credit.low, bounds.credit.low))  # the smallest loan granted
    return sorted((v for v in values if bounds.credit.low <= v <= min(credit, bounds.credit.high)), reverse=True)


def months_candidates(months: int | None, bounds: LoanBounds) -> Sequence[int | None]:
    """The application's term (clamped into the bounds) and longer ones in 6-month steps."""
    if months is None or bounds.months is None:
        return [months]
    low, high = int(math.ceil(bounds.months.low)), int(math.floor(bounds.months.high))
    start = min(max(months, low), high)
    values = {start, high}
    values.update(range((start // MONTHS_STEP + 1) * MONTHS_STEP, high + 1, MONTHS_STEP))
    return [v for v in sorted(values) if low <= v <= high]


def candidate_grid(original: LoanTerms, pricing: Pricing, bounds: LoanBounds) -> tuple[list[LoanTerms], np.ndarray]:
    """Every candidate loan within bounds other than the application itself, and its cost."""
    goods = original.goods
    if goods is not None and bounds.goods is not None and goods not in bounds.goods:
        goods = min(max(goods, bounds.goods.low), bounds.goods.high)
    terms, costs = [], []
    for credit in credit_candidates(original.credit, bounds):
        for months in months_candidates(original.months, bounds):
            if credit == original.credit and months == original.months and goods == original.goods:
                continue
            terms.append(priced_terms(pricing, credit, months, goods))
            cost = abs(original.credit - credit) / original.credit
            if months is not None and original.months:
                cost += abs(months - original.months) / original.months
            if goods is not None and original.goods:
                cost += abs(goods - original.goods) / original.goods
            costs.append(cost)
    return terms, np.asarray(costs, dtype="float64")


def counter_offer(bundle: ModelBundle, application: pd.DataFrame, original: LoanTerms, pricing: Pricing,
                  bounds: LoanBounds | None) -> CounterOffer:
    """The cheapest candidate loan the model grants (see the module docstring)."""
    if bounds is None:
        return CounterOffer(None, None, None, "no_bounds", 0)
    terms, costs = candidate_grid(original, pricing, bounds)
    if not terms:
        return CounterOffer(None, None, None, "none_in_bounds", 0)
    proba = score_terms(bundle, application, terms)
    accepted = np.flatnonzero(proba < bundle.threshold)
    if not len(accepted):
        return CounterOffer(None, None, None, "none_in_bounds", len(terms))
    best = min((int(i) for i in accepted), key=lambda i: (round(float(costs[i]), 9), -terms[i].credit, terms[i].months or 0))
    return CounterOffer(terms[best], float(proba[best]), float(costs[best]), None, len(terms))
