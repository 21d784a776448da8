"""What-if: the same client with other loan terms, scored by the served model, and the bounds the lender grants.

An officer changes what a client can change — the credit amount, the number of monthly instalments,
the price of the goods (so the down payment) — and sees the calibrated probability the model gives
*that* application. Why it is built this way:

- **One scoring path.** A modified application is the client's own row with the loan columns
  replaced, passed through ``ModelBundle.features`` (the training feature function, loan-term
  estimate included) and ``ModelBundle.proba``: the figure shown is exactly what
  ``scripts/predict.py`` gives for that row (a test checks it).
- **The annuity follows from the terms.** Home Credit applications give the credit and the annuity,
  not the term nor the rate. The client's *own* rate is the one their application implies at its
  estimated term: the term comes from the folder's loan-term estimator (``app.scoring.loan_terms``)
  when the model has one, else from the annuity formula at :data:`PRODUCT_ANNUAL_RATE`, the
  documented product rate (the median nominal rate implied by the 32,901 fixed-term previous loans of
  the real Home Credit files, whose amounts and terms are all known: 40.0 %; at most 60 months). The term is rounded up
  so that the annuities at least repay the principal, and the rate is then solved exactly at that
  whole term, so the unchanged terms give back the application's own annuity. A new amount or term
  is priced at that rate. Revolving loans have no term: their monthly payment stays the application's
  share of the limit.
- **Bounds from the portfolio.** Amounts, goods prices and terms the lender actually grants: the
  1st–99th percentiles over the labelled portfolio (granted loans), by contract type (terms
  estimated as above on a fixed sample). A value outside them, or one that is no number, raises
  :class:`WhatIfInputError`; it is never scored. A contract type with fewer clients than the privacy
  floor has no bounds, hence no what-if.
- **Nothing is written.** These functions read the served model and return values.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.scoring.bundle import ModelBundle
from app.scoring.loan_terms import REVOLVING, implied_annual_rate
from app.scoring.privacy import MIN_COHORT_SIZE

#: Documented product rate, used only to estimate the term of an application when the model folder has
#: no loan-term estimator (see the module docstring for where 40.0 % comes from).
PRODUCT_ANNUAL_RATE = 0.40
#: Longest term of the product (months): the 99th percentile of the terms of the real fixed-term previous
#: cash loans. Caps the product-rate estimate, which is unbounded when an annuity barely pays the interest.
PRODUCT_MAX_MONTHS = 60
#: Percentiles of granted loans that bound what the simulator and the counter-offer accept.
BOUND_QUANTILES = (0.01, 0.99)
#: Loans per contract type whose term is estimated to bound the terms (deterministic sample).
BOUNDS_SAMPLE = 20_000
LOAN_COLUMNS = ("AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "CNT_PAYMENT")
#: Longest term searched for when solving the annuity formula (months).
_MAX_MONTHS = 600


class WhatIfInputError(ValueError):
    """A what-if value that cannot be scored; ``code`` is "missing", "malformed" or "bounds"."""

    def __init__(self, field: str, code: str, low: float | None = None, high: float | None = None) -> None:
        super().__init__(f"{field}: {code}")
        self.field, self.code, self.low, self.high = field, code, low, high


@dataclass(frozen=True)
class Range:
    """Closed interval of accepted values."""

    low: float
    high: float

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class LoanBounds:
    """What the lender grants for one contract type (``months`` is None for revolving loans)."""

    contract: str
    credit: Range
    goods: Range | None
    months: Range | None
    n_loans: int


@dataclass(frozen=True)
class Pricing:
    """The client's own pricing: the term of the application and the annual rate it implies."""

    months: int | None  # None: revolving loan, no term
    annual_rate: float  # nominal (12 x monthly), 0 when the annuities only repay the principal
    annuity_share: float  # annuity / credit of the application (revolving loans keep it)
    term_source: str  # "estimator" (the folder's loan-term model) or "product_rate"
    rate_implied: bool = True  # False: no rate explains the annuity (then the product rate prices new terms)

    @property
    def revolving(self) -> bool:
        return self.months is None


@dataclass(frozen=True)
class LoanTerms:
    """One loan: credit amount, term, goods price and the annuity that follows."""

    credit: float
    months: int | None
    goods: float | None
    annuity: float

    @property
    def down_payment(self) -> float | None:
        """Part of the goods price the client pays himself (None without a goods price or when the
        credit covers it)."""
        if self.goods is None or self.goods <= self.credit:
            return None
        return self.goods - self.credit

    def columns(self) -> dict[str, float | None]:
        """The application columns these terms set (Home Credit names; ``CNT_PAYMENT`` as in
        ``previous_application``), as the what-if store and the explanation's JSON carry them."""
        return {"AMT_CREDIT": float(self.credit), "AMT_ANNUITY": round(float(self.annuity), 2),
                "AMT_GOODS_PRICE": None if self.goods is None else float(self.goods),
                "CNT_PAYMENT": None if self.months is None else int(self.months)}


# --- annuity formula ------------------------------------------------------------------------------
def annuity_for(credit, months, annual_rate) -> np.ndarray:
    """Monthly annuity repaying ``credit`` in ``months`` at ``annual_rate`` (nominal), vectorised."""
    credit, months = np.asarray(credit, dtype="float64"), np.asarray(months, dtype="float64")
    r = np.asarray(annual_rate, dtype="float64") / 12
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        priced = credit * r / (1 - (1 + r) ** -months)
    return np.where(r > 0, priced, credit / months)


def months_at_rate(credit, annuity, annual_rate) -> np.ndarray:
    """Number of instalments (real) at which ``annuity`` repays ``credit`` at ``annual_rate``;
    infinite when the annuity does not even pay the interest, missing when an input is not positive."""
    credit, annuity = np.asarray(credit, dtype="float64"), np.asarray(annuity, dtype="float64")
    r = annual_rate / 12
    with np.errstate(divide="ignore", invalid="ignore"):
        x = 1 - r * credit / annuity
        months = np.where(x > 0, -np.log(np.where(x > 0, x, 1.0)) / math.log1p(r), np.inf)
    return np.where((credit > 0) & (annuity > 0), months, np.nan)


def estimated_months(bundle: ModelBundle, applications: pd.DataFrame) -> np.ndarray:
    """Whole number of instalments of each application (NaN for revolving loans or no amounts).

    From the folder's loan-term estimator when it has one, else from the annuity formula at the
    product rate (at most :data:`PRODUCT_MAX_MONTHS`); never fewer than credit / annuity (the annuities
    repay at least the principal).
    """
    credit, annuity, goods = (pd.to_numeric(applications[c], errors="coerce").to_numpy(dtype="float64")
                              for c in ("AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"))
    if bundle.term_model is not None:
        raw = bundle.term_model.months(credit, annuity, goods)
    else:
        raw = np.fmin(months_at_rate(credit, annuity, PRODUCT_ANNUAL_RATE), PRODUCT_MAX_MONTHS)
    with np.errstate(divide="ignore", invalid="ignore"):
        floor = np.ceil(credit / annuity - 1e-9)
    months = np.clip(np.fmax(np.round(raw), floor), 1, _MAX_MONTHS)
    revolving = (applications["NAME_CONTRACT_TYPE"].astype("object") == REVOLVING).to_numpy()
    usable = (credit > 0) & (annuity > 0) & ~revolving
    return np.where(usable, months, np.nan)


def client_pricing(bundle: ModelBundle, application: pd.DataFrame) -> Pricing:
    """The pricing of a one-row prepared application (see the module docstring)."""
    row = application.iloc[0]
    credit, annuity = float(row["AMT_CREDIT"]), float(row["AMT_ANNUITY"])
    share = annuity / credit if credit > 0 and annuity > 0 else float("nan")
    source = "estimator" if bundle.term_model is not None else "product_rate"
    months = estimated_months(bundle, application)[0]
    if not np.isfinite(months):
        return Pricing(months=None, annual_rate=float("nan"), annuity_share=share, term_source=source)
    rate = float(np.ravel(implied_annual_rate([credit], [annuity], [months]))[0])
    implied = bool(np.isfinite(rate))
    return Pricing(months=int(months), annual_rate=rate if implied else PRODUCT_ANNUAL_RATE,
                   annuity_share=share, term_source=source, rate_implied=implied)


def priced_terms(pricing: Pricing, credit: float, months: int | None, goods: float | None) -> LoanTerms:
    """The loan ``credit`` over ``months`` at the client's own rate (revolving: the same payment share)."""
    if pricing.revolving or months is None:
        return LoanTerms(credit, None, goods, float(credit * pricing.annuity_share))
    return LoanTerms(credit, int(months), goods, float(annuity_for(credit, months, pricing.annual_rate)))


def original_terms(application: pd.DataFrame, pricing: Pricing) -> LoanTerms:
    """The application's own terms, its annuity as written (not re-priced)."""
    row = application.iloc[0]
    goods = row.get("AMT_GOODS_PRICE")
    return LoanTerms(float(row["AMT_CREDIT"]), pricing.months, None if pd.isna(goods) else float(goods),
                     float(row["AMT_ANNUITY"]))


# --- bounds ----------------------------------------------------------------------------------------
def portfolio_bounds(bundle: ModelBundle, granted: pd.DataFrame) -> dict[str, LoanBounds]:
    """Bounds by contract type from the granted loans ``granted`` (the labelled portfolio's rows,
    with the contract type and the three amounts). Contract types under the privacy floor are left out."""
    low_q, high_q = BOUND_QUANTILES
    out: dict[str, LoanBounds] = {}
    contracts = granted["NAME_CONTRACT_TYPE"].astype("object")
    for contract in sorted(contracts.dropna().unique()):
        group = granted[(contracts == contract).to_numpy()]
        credit = pd.to_numeric(group["AMT_CREDIT"], errors="coerce").dropna()
        if len(credit) < MIN_COHORT_SIZE:
            continue
        goods = pd.to_numeric(group["AMT_GOODS_PRICE"], errors="coerce").dropna()
        months_range = None
        if contract != REVOLVING:
            sample = group if len(group) <= BOUNDS_SAMPLE else group.sample(BOUNDS_SAMPLE, random_state=0)
            months = pd.Series(estimated_months(bundle, sample)).dropna()
            if len(months) >= MIN_COHORT_SIZE:
                months_range = Range(float(np.floor(months.quantile(low_q))), float(np.ceil(months.quantile(high_q))))
        out[str(contract)] = LoanBounds(
            contract=str(contract),
            credit=Range(float(credit.quantile(low_q)), float(credit.quantile(high_q))),
            goods=Range(float(goods.quantile(low_q)), float(goods.quantile(high_q))) if len(goods) >= MIN_COHORT_SIZE else None,
            months=months_range, n_loans=int(len(credit)))
    return out


# --- reading what the officer typed ------------------------------------------------------------------
def parse_number(field: str, raw: object) -> float | None:
    """A finite number from an input box (a number, or text such as "250 000" / "250000,5");
    None when empty; :class:`WhatIfInputError` ("malformed") for anything else."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise WhatIfInputError(field, "malformed")
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str) and len(raw) <= 30:
        text = raw.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("€", "").replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            raise WhatIfInputError(field, "malformed") from None
    else:
        raise WhatIfInputError(field, "malformed")
    if not math.isfinite(value):
        raise WhatIfInputError(field, "malformed")
    return value


def _bounded(field: str, value: float | None, bounds: Range | None) -> float:
    if value is None:
        raise WhatIfInputError(field, "missing")
    if bounds is not None and value not in bounds:
        raise WhatIfInputError(field, "bounds", bounds.low, bounds.high)
    return value


def terms_from_input(credit: object, months: object, goods: object, pricing: Pricing, bounds: LoanBounds,
                     original: LoanTerms) -> LoanTerms:
    """The terms the officer typed, priced, or :class:`WhatIfInputError` naming the first bad field.

    Unchanged values give back the application's own terms (its annuity as written), so simulating
    the file as it is shows exactly the file's score.
    """
    credit_value = parse_number("credit", credit)
    months_value = None if pricing.revolving else parse_number("months", months)
    if months_value is not None and months_value != int(months_value):
        raise WhatIfInputError("months", "malformed")
    goods_value = parse_number("goods", goods)
    typed = (credit_value, None if months_value is None else int(months_value), goods_value)
    if typed == (original.credit, original.months, original.goods):
        return original  # the application as filed (scored as it is, even outside today's bounds)
    credit_value = _bounded("credit", credit_value, bounds.credit)
    if not pricing.revolving:
        months_value = _bounded("months", months_value, bounds.months)
    if goods_value is not None or original.goods is not None:
        goods_value = _bounded("goods", goods_value, bounds.goods)
    months_value = None if months_value is None else int(months_value)
    return priced_terms(pricing, credit_value, months_value, goods_value)


# --- scoring ------------------------------------------------------------------------------------------
def with_terms(application: pd.DataFrame, terms: list[LoanTerms]) -> pd.DataFrame:
    """One copy of the one-row ``application`` per loan, its loan columns replaced (vectorised)."""
    rows = application.iloc[np.zeros(len(terms), dtype=int)].reset_index(drop=True)
    rows["AMT_CREDIT"] = np.array([t.credit for t in terms], dtype="float64")
    rows["AMT_ANNUITY"] = np.array([t.annuity for t in terms], dtype="float64")
    rows["AMT_GOODS_PRICE"] = np.array([np.nan if t.goods is None else t.goods for t in terms], dtype="float64")
    return rows


def score_terms(bundle: ModelBundle, application: pd.DataFrame, terms: list[LoanTerms]) -> np.ndarray:
    """Calibrated probability of default of the application under each loan, in one batch."""
    if not terms:
        return np.empty(0)
    return bundle.proba(bundle.features(with_terms(application, terms)))


# --- one client's case ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoanCase:
    """What the simulator needs about one client: the application row, its pricing, its own terms and
    the bounds of its contract type (None when that type has none: no simulation)."""

    application: pd.DataFrame  # one prepared row, every application column
    pricing: Pricing
    original: LoanTerms
    bounds: LoanBounds | None

    @property
    def contract(self) -> str:
        return str(self.application["NAME_CONTRACT_TYPE"].iloc[0])


def loan_case(bundle: ModelBundle, application: pd.DataFrame, bounds: dict[str, LoanBounds]) -> LoanCase:
    """The case of a one-row prepared application (see :class:`LoanCase`)."""
    pricing = client_pricing(bundle, application)
    contract = str(application["NAME_CONTRACT_TYPE"].iloc[0])
    return LoanCase(application.reset_index(drop=True), pricing, original_terms(application, pricing),
                    bounds.get(contract))


def bounds_to_json(bounds: dict[str, LoanBounds]) -> dict:
    """The bounds as JSON (published with a portfolio in a database: ``portfolio_sql``)."""
    return {k: dataclasses.asdict(b) for k, b in bounds.items()}


def bounds_from_json(data: dict) -> dict[str, LoanBounds]:
    def rng(r: dict | None) -> Range | None:
        return None if r is None else Range(float(r["low"]), float(r["high"]))

    return {k: LoanBounds(b["contract"], Range(float(b["credit"]["low"]), float(b["credit"]["high"])), rng(b["goods"]),
                          rng(b["months"]), int(b["n_loans"])) for k, b in data.items()}


def granted_loans(frame: pd.DataFrame) -> pd.DataFrame:
    """The labelled portfolio's loans (contract type and amounts) from a served portfolio frame: the
    loans the lender granted, which :func:`portfolio_bounds` reads."""
    labelled = frame["IS_LABELLED"].astype(bool).to_numpy() if "IS_LABELLED" in frame else np.ones(len(frame), bool)
    return frame.loc[labelled, ["NAME_CONTRACT_TYPE", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"]]
