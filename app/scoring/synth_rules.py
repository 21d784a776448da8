"""The logical rules every application obeys, and how the synthetic generator keeps them.

A Gaussian copula reproduces each column's distribution and their rank correlations, not the
arithmetic that ties columns together: left alone it produced a 28-year-old employed for 32 years,
married clients living alone, a car age without a car. :data:`RULES` is the one declared list of
those constraints (the README lists them, ``tests/scoring/test_synth_rules.py`` counts zero
violations of each on 356,255 generated clients). Every rule holds on the real application_train
rows too, except where the rule's text says how often the real rows depart from it.

:func:`enforce_rules` repairs a freshly drawn table in place of rejecting rows (rejection would bias
every marginal towards the easy rows): each repair changes only the offending value, drawing a
replacement inside the allowed range so that no artificial spike appears at a bound.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.scoring.schema import DAYS_EMPLOYED_SENTINEL

DAYS_PER_YEAR = 365.25
#: Youngest age at which a job can have started, and at which an ID document / a phone contract is one's own.
EMPLOYMENT_MIN_AGE = 14
ADULT_AGE = 18
#: Applicants' ages (the real rows run from 21 to 69).
MIN_AGE, MAX_AGE = 20, 70
#: Cash loans: goods price between 60 % and 100 % of the credit (the rest finances insurance and fees).
CASH_GOODS_RATIO = (0.6, 1.0)
#: Cash loans: credit / annuity between 8 and 45 monthly instalments (the real range).
CASH_TERM = (8.0, 45.0)
#: Revolving loans: the monthly instalment is 5 % of the credit line (credit / annuity = 20).
REVOLVING_TERM = 20.0
COUPLE_STATUSES = ("Married", "Civil marriage")
#: Amounts are rounded to the cent (annuity) or to whole units (the others): rules compare with this slack.
AMOUNT_TOLERANCE = 0.01


@dataclass(frozen=True)
class Rule:
    """One constraint: ``violations(frame)`` is True on each row that breaks it."""

    name: str
    text: str
    violations: Callable[[pd.DataFrame], np.ndarray]


def _years(df: pd.DataFrame, years: float) -> np.ndarray:
    """The day count (negative, days before the application) at which the applicant was ``years`` old."""
    return df["DAYS_BIRTH"].to_numpy(float) + years * DAYS_PER_YEAR


def _outside(values: pd.Series, low, high, *, missing_ok: bool = True) -> np.ndarray:
    x = values.to_numpy(float)
    bad = (x < low) | (x > high)
    return bad if missing_ok else bad | np.isnan(x)


def _employment(df: pd.DataFrame) -> np.ndarray:
    days = df["DAYS_EMPLOYED"].to_numpy(float)
    employed = days != DAYS_EMPLOYED_SENTINEL
    return employed & ((days > 0) | (days < _years(df, EMPLOYMENT_MIN_AGE)))


def _family(df: pd.DataFrame) -> np.ndarray:
    couple = df["NAME_FAMILY_STATUS"].isin(COUPLE_STATUSES).to_numpy()
    expected = df["CNT_CHILDREN"].to_numpy(float) + np.where(couple, 2, 1)
    members = df["CNT_FAM_MEMBERS"].to_numpy(float)
    return ~np.isnan(members) & (members != expected)


def _cash(df: pd.DataFrame) -> np.ndarray:
    return (df["NAME_CONTRACT_TYPE"] == "Cash loans").to_numpy()


def _revolving(df: pd.DataFrame) -> np.ndarray:
    return (df["NAME_CONTRACT_TYPE"] == "Revolving loans").to_numpy()


def _goods(df: pd.DataFrame) -> np.ndarray:
    credit, goods = df["AMT_CREDIT"].to_numpy(float), df["AMT_GOODS_PRICE"].to_numpy(float)
    low, high = CASH_GOODS_RATIO
    cash_bad = _cash(df) & (np.isnan(goods) | (goods > credit + AMOUNT_TOLERANCE)
                            | (goods < low * credit - 1.0))
    revolving_bad = _revolving(df) & ~np.isnan(goods) & (np.abs(goods - credit) > AMOUNT_TOLERANCE)
    return cash_bad | revolving_bad


def _term(df: pd.DataFrame) -> np.ndarray:
    credit, annuity = df["AMT_CREDIT"].to_numpy(float), df["AMT_ANNUITY"].to_numpy(float)
    low, high = CASH_TERM
    cash_bad = _cash(df) & (np.isnan(annuity) | (annuity * low > credit + 1.0) | (annuity * high < credit - 1.0))
    revolving_bad = _revolving(df) & (np.isnan(annuity)
                                      | (np.abs(annuity - credit / REVOLVING_TERM) > AMOUNT_TOLERANCE))
    return cash_bad | revolving_bad


def _car(df: pd.DataFrame) -> np.ndarray:
    has_car = (df["FLAG_OWN_CAR"] == "Y").to_numpy()
    age = df["OWN_CAR_AGE"].to_numpy(float)
    return (has_car == np.isnan(age)) | (age < 0)


def _ratings(df: pd.DataFrame) -> np.ndarray:
    region, city = df["REGION_RATING_CLIENT"].to_numpy(float), df["REGION_RATING_CLIENT_W_CITY"].to_numpy(float)
    return ~np.isin(region, (1, 2, 3)) | ~np.isin(city, (1, 2, 3)) | (city > region)


_FLAGS = ("FLAG_MOBIL", "FLAG_EMP_PHONE", "FLAG_WORK_PHONE", "FLAG_CONT_MOBILE", "FLAG_PHONE", "FLAG_EMAIL",
          "REG_REGION_NOT_LIVE_REGION", "REG_REGION_NOT_WORK_REGION", "LIVE_REGION_NOT_WORK_REGION",
          "REG_CITY_NOT_LIVE_CITY", "REG_CITY_NOT_WORK_CITY", "LIVE_CITY_NOT_WORK_CITY",
          *(f"FLAG_DOCUMENT_{i}" for i in range(2, 22)))


def _flags(df: pd.DataFrame) -> np.ndarray:
    block = df[list(_FLAGS)].to_numpy(float)
    bad = ~np.isin(block, (0, 1)).all(axis=1)
    # a phone at the work place is the employer's phone: there is none without an employer phone
    return bad | ((df["FLAG_WORK_PHONE"] == 1) & (df["FLAG_EMP_PHONE"] == 0)).to_numpy()


def _social_circle(df: pd.DataFrame) -> np.ndarray:
    bad = np.zeros(len(df), dtype=bool)
    for days in (30, 60):
        observed = df[f"OBS_{days}_CNT_SOCIAL_CIRCLE"].to_numpy(float)
        defaulted = df[f"DEF_{days}_CNT_SOCIAL_CIRCLE"].to_numpy(float)
        bad |= (defaulted > observed) | (defaulted < 0) | (observed < 0)
    return bad


def _unemployed_structure(df: pd.DataFrame) -> np.ndarray:
    sentinel = (df["DAYS_EMPLOYED"] == DAYS_EMPLOYED_SENTINEL).to_numpy()
    no_employer = (df["ORGANIZATION_TYPE"] == "XNA").to_numpy()
    return (sentinel != no_employer) | (sentinel & (df["FLAG_EMP_PHONE"] != 0).to_numpy()) \
        | (sentinel & df["OCCUPATION_TYPE"].notna().to_numpy())


def _amounts(df: pd.DataFrame) -> np.ndarray:
    bad = np.zeros(len(df), dtype=bool)
    for c in ("AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"):
        x = df[c].to_numpy(float)
        bad |= x <= 0
    return bad | np.isnan(df["AMT_INCOME_TOTAL"].to_numpy(float)) | np.isnan(df["AMT_CREDIT"].to_numpy(float))


def _scores(df: pd.DataFrame) -> np.ndarray:
    bad = np.zeros(len(df), dtype=bool)
    for c in ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"):
        bad |= _outside(df[c], 0.0, 1.0)
    return bad


#: The declared rules, in the README's order. Day counts are negative: days before the application.
RULES: tuple[Rule, ...] = (
    Rule("age", f"the applicant is between {MIN_AGE} and {MAX_AGE} years old",
         lambda df: _outside(-df["DAYS_BIRTH"] / DAYS_PER_YEAR, MIN_AGE, MAX_AGE, missing_ok=False)),
    Rule("employment_after_14", "the current job started after the applicant's 14th birthday and not after "
         "the application (DAYS_BIRTH + 14 years <= DAYS_EMPLOYED <= 0), unless DAYS_EMPLOYED is the "
         "not-employed sentinel 365243", _employment),
    Rule("unemployed_structure", "the not-employed sentinel goes with ORGANIZATION_TYPE 'XNA', no employer "
         "phone and no occupation, and only with them", _unemployed_structure),
    Rule("id_publish_adult", "the identity document was issued in adult life (DAYS_BIRTH + 18 years <= "
         "DAYS_ID_PUBLISH <= 0)",
         lambda df: _outside(df["DAYS_ID_PUBLISH"] - _years(df, ADULT_AGE), 0, np.inf, missing_ok=False)
         | (df["DAYS_ID_PUBLISH"] > 0).to_numpy()),
    Rule("phone_change_adult", "the last phone change happened in adult life (DAYS_BIRTH + 18 years <= "
         "DAYS_LAST_PHONE_CHANGE <= 0, or unknown)",
         lambda df: _outside(df["DAYS_LAST_PHONE_CHANGE"] - _years(df, ADULT_AGE), 0, np.inf)
         | (df["DAYS_LAST_PHONE_CHANGE"] > 0).to_numpy()),
    Rule("registration_in_life", "the registration was changed during the applicant's life (DAYS_BIRTH <= "
         "DAYS_REGISTRATION <= 0; 4 % of real registrations date from before 14, parents register children)",
         lambda df: _outside(df["DAYS_REGISTRATION"] - df["DAYS_BIRTH"], 0, np.inf, missing_ok=False)
         | (df["DAYS_REGISTRATION"] > 0).to_numpy()),
    Rule("children_in_family", "CNT_CHILDREN < CNT_FAM_MEMBERS (the applicant is a family member)",
         lambda df: (df["CNT_CHILDREN"] >= df["CNT_FAM_MEMBERS"]).to_numpy() | (df["CNT_CHILDREN"] < 0).to_numpy()),
    Rule("family_status_size", "CNT_FAM_MEMBERS = CNT_CHILDREN + 2 for a married or civil-marriage "
         "applicant, CNT_CHILDREN + 1 otherwise (single, separated, widow)", _family),
    Rule("annuity_below_credit", "0 < AMT_ANNUITY <= AMT_CREDIT",
         lambda df: (df["AMT_ANNUITY"] > df["AMT_CREDIT"] + AMOUNT_TOLERANCE).to_numpy()),
    Rule("amounts_positive", "income and credit are given and every amount is positive", _amounts),
    Rule("goods_price", "cash loans finance goods worth 60 %-100 % of the credit; a revolving line's goods "
         "price, when given, equals the line (98 % of real revolving loans)", _goods),
    Rule("instalments", "cash loans: credit / annuity between 8 and 45 monthly instalments; revolving "
         "loans: the instalment is 5 % of the line (75 % of real revolving loans, the others lower)", _term),
    Rule("car_age_with_car", "OWN_CAR_AGE is given (>= 0) exactly when FLAG_OWN_CAR = 'Y'", _car),
    Rule("region_ratings", "REGION_RATING_CLIENT and REGION_RATING_CLIENT_W_CITY are 1, 2 or 3, and the "
         "city rating is not worse than the region's", _ratings),
    Rule("flags_binary", "every FLAG_* and REG_/LIVE_ mismatch flag is 0 or 1; no work phone without "
         "an employer phone", _flags),
    Rule("social_circle", "defaulted acquaintances <= observed acquaintances (30 and 60 days), none negative",
         _social_circle),
    Rule("external_scores", "external scores lie in [0, 1]", _scores),
)


def count_violations(df: pd.DataFrame) -> dict[str, int]:
    """Rows breaking each rule (a clean table gives zero everywhere)."""
    return {rule.name: int(np.sum(rule.violations(df))) for rule in RULES}


# ----------------------------------------------------------------------------- repairs
def _within(days: np.ndarray, bound: np.ndarray, rng: np.random.Generator, low: float = 0.05) -> np.ndarray:
    """``days`` (<= 0) kept when ``bound <= days <= 0``, else redrawn uniformly in [bound, low * bound]."""
    bad = (days < bound) | (days > 0)
    out = days.copy()
    if bad.any():
        share = rng.uniform(low, 1.0, size=int(bad.sum()))
        out[bad] = np.ceil(bound[bad] * share)
    return out


def enforce_rules(df: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Repair a freshly generated table (in the fitted amounts' unit) so that every rule holds.

    Returns a new frame; rows that already obey a rule keep their values for it.
    """
    df = df.copy()
    birth = np.clip(df["DAYS_BIRTH"].to_numpy(float), -MAX_AGE * DAYS_PER_YEAR + 1, -MIN_AGE * DAYS_PER_YEAR - 1)
    df["DAYS_BIRTH"] = np.rint(birth).astype(np.int64)
    birth = df["DAYS_BIRTH"].to_numpy(float)

    days = df["DAYS_EMPLOYED"].to_numpy(float)
    employed = days != DAYS_EMPLOYED_SENTINEL
    fixed = _within(days, birth + EMPLOYMENT_MIN_AGE * DAYS_PER_YEAR, rng)
    df["DAYS_EMPLOYED"] = np.where(employed, fixed, days).astype(np.int64)

    adult = np.ceil(birth + ADULT_AGE * DAYS_PER_YEAR)
    df["DAYS_ID_PUBLISH"] = _within(df["DAYS_ID_PUBLISH"].to_numpy(float), adult, rng).astype(np.int64)
    phone = df["DAYS_LAST_PHONE_CHANGE"].to_numpy(float)
    df["DAYS_LAST_PHONE_CHANGE"] = np.where(np.isnan(phone), np.nan, _within(np.nan_to_num(phone), adult, rng))
    df["DAYS_REGISTRATION"] = _within(df["DAYS_REGISTRATION"].to_numpy(float), birth, rng, low=0.0)

    couple = df["NAME_FAMILY_STATUS"].isin(COUPLE_STATUSES).to_numpy()
    members = df["CNT_FAM_MEMBERS"].to_numpy(float)
    expected = df["CNT_CHILDREN"].to_numpy(float) + np.where(couple, 2, 1)
    df["CNT_FAM_MEMBERS"] = np.where(np.isnan(members), np.nan, expected)

    # the car: the missingness patterns carry which clients have a car age, the flag follows them
    age = df["OWN_CAR_AGE"].to_numpy(float)
    df["OWN_CAR_AGE"] = np.where(np.isnan(age), np.nan, np.maximum(age, 0))
    df["FLAG_OWN_CAR"] = pd.array(np.where(np.isnan(age), "N", "Y"), dtype="str")

    region = df["REGION_RATING_CLIENT"].to_numpy()
    df["REGION_RATING_CLIENT_W_CITY"] = np.minimum(df["REGION_RATING_CLIENT_W_CITY"].to_numpy(), region)
    df["FLAG_WORK_PHONE"] = np.minimum(df["FLAG_WORK_PHONE"].to_numpy(), df["FLAG_EMP_PHONE"].to_numpy())
    for d in (30, 60):
        observed = df[f"OBS_{d}_CNT_SOCIAL_CIRCLE"].to_numpy(float)
        df[f"DEF_{d}_CNT_SOCIAL_CIRCLE"] = np.fmin(df[f"DEF_{d}_CNT_SOCIAL_CIRCLE"].to_numpy(float), observed)
    for c in ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"):
        df[c] = df[c].clip(0.0, 1.0)
    return enforce_amount_rules(df)


def enforce_amount_rules(df: pd.DataFrame, *, decimals: int = 1) -> pd.DataFrame:
    """The amount rules alone (deterministic, idempotent): run again after a change of currency and rounding.

    Cash loans keep their credit; the annuity is brought within 8-45 instalments and the goods price
    within 60-100 % of the credit (a missing one becomes the credit itself, the commonest real ratio).
    Revolving lines get the 5 % instalment and a goods price equal to the line.
    """
    df = df.copy()
    credit = df["AMT_CREDIT"].to_numpy(float)
    annuity = df["AMT_ANNUITY"].to_numpy(float)
    goods = df["AMT_GOODS_PRICE"].to_numpy(float)
    cash, revolving = _cash(df), _revolving(df)
    step = 10.0 ** -decimals
    low, high = CASH_TERM
    cash_annuity = np.clip(np.where(np.isnan(annuity), credit / 20, annuity),
                           np.ceil(credit / high / step) * step, np.floor(credit / low / step) * step)
    annuity = np.where(cash, cash_annuity, annuity)
    annuity = np.where(revolving, np.round(credit / REVOLVING_TERM, 2), annuity)
    g_low, _ = CASH_GOODS_RATIO
    cash_goods = np.clip(np.where(np.isnan(goods), credit, goods), np.ceil(g_low * credit), credit)
    goods = np.where(cash, cash_goods, goods)
    goods = np.where(revolving & ~np.isnan(goods), credit, goods)
    df["AMT_ANNUITY"], df["AMT_GOODS_PRICE"] = annuity, goods
    return df
