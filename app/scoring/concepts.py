"""Concepts: the few things an officer talks about, each a group of model inputs.

The model sees about fifty inputs, several of which say the same thing in different ways (the three
external scores, their mean, lowest, highest, product...). Explained input by input, a refusal read
"external score mean / lowest / highest / 3", four reasons for one fact. Every input therefore
belongs to exactly one **concept**, declared once here (:data:`CONCEPTS`, next to the data dictionary
of ``app.presenters``, whose labels and units it reuses); a concept's contribution is the exact sum of
its inputs' SHAP values, so the concept waterfall adds up to the client's probability just as the
input one does. The labels are text (``client.concept.<key>`` in ``app.i18n.client``); this module
holds only the mapping, which is domain.

``actionable``: whether the client can change the concept for a new application (the loan asked for,
the documents given), so the reasons say where the conversation can go. ``headline``: the inputs an
officer can read aloud for the concept, the most influential of which gives the value and the
portfolio reference of the reason's sentence. ``reason``: False for concepts that may never be given
as a reason (inputs excluded from the model by ``app.config.NEVER_REFUSED_FOR``, which an older model
folder may still carry).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from app.scoring.explain import Explanation


@dataclass(frozen=True)
class Concept:
    """One concept: its inputs, whether the client can act on it, the inputs its sentence may quote."""

    key: str
    inputs: tuple[str, ...]
    actionable: bool
    headline: tuple[str, ...]
    reason: bool = True


CONCEPTS: tuple[Concept, ...] = (
    Concept("external_scores", (
        "EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3", "EXT_SOURCE_MEAN", "EXT_SOURCE_MIN", "EXT_SOURCE_MAX",
        "EXT_SOURCE_STD", "EXT_SOURCE_PROD", "EXT_SOURCE_MISSING"), actionable=False,
        headline=("EXT_SOURCE_MEAN",)),
    Concept("repayment_burden", ("ANNUITY_INCOME_RATIO", "CREDIT_INCOME_RATIO"), actionable=True,
            headline=("ANNUITY_INCOME_RATIO", "CREDIT_INCOME_RATIO")),
    Concept("loan", (
        "NAME_CONTRACT_TYPE", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "CREDIT_TERM", "GOODS_CREDIT_RATIO",
        "CREDIT_GOODS_GAP", "TERM_MONTHS_EST", "INTEREST_RATE_EST"), actionable=True,
        headline=("CREDIT_TERM", "AMT_CREDIT", "AMT_GOODS_PRICE", "INTEREST_RATE_EST", "GOODS_CREDIT_RATIO",
                  "AMT_ANNUITY")),
    Concept("employment_income", (
        "AMT_INCOME_TOTAL", "NAME_INCOME_TYPE", "OCCUPATION_TYPE", "ORGANIZATION_TYPE", "EMPLOYED_YEARS",
        "EMPLOYED_AGE_RATIO", "NAME_EDUCATION_TYPE"), actionable=False,
        headline=("EMPLOYED_YEARS", "AMT_INCOME_TOTAL", "OCCUPATION_TYPE", "NAME_INCOME_TYPE",
                  "NAME_EDUCATION_TYPE", "ORGANIZATION_TYPE")),
    Concept("age", ("AGE_YEARS",), actionable=False, headline=("AGE_YEARS",)),
    Concept("bureau_enquiries", (
        "AMT_REQ_CREDIT_BUREAU_HOUR", "AMT_REQ_CREDIT_BUREAU_DAY", "AMT_REQ_CREDIT_BUREAU_WEEK",
        "AMT_REQ_CREDIT_BUREAU_MON", "AMT_REQ_CREDIT_BUREAU_QRT", "AMT_REQ_CREDIT_BUREAU_YEAR"), actionable=False,
        headline=("AMT_REQ_CREDIT_BUREAU_YEAR", "AMT_REQ_CREDIT_BUREAU_QRT", "AMT_REQ_CREDIT_BUREAU_MON",
                  "AMT_REQ_CREDIT_BUREAU_WEEK", "AMT_REQ_CREDIT_BUREAU_DAY", "AMT_REQ_CREDIT_BUREAU_HOUR")),
    Concept("housing_region", (
        "NAME_HOUSING_TYPE", "FLAG_OWN_REALTY", "FLAG_OWN_CAR", "OWN_CAR_AGE", "REGION_POPULATION_RELATIVE",
        "REGION_RATING_CLIENT", "REGION_RATING_CLIENT_W_CITY", "REGION_MISMATCH_COUNT", "REGISTRATION_YEARS"),
        actionable=False,
        headline=("REGION_RATING_CLIENT_W_CITY", "NAME_HOUSING_TYPE", "REGISTRATION_YEARS", "REGION_MISMATCH_COUNT",
                  "OWN_CAR_AGE")),
    Concept("documents_contact", ("DOCUMENT_COUNT", "CONTACT_COUNT", "ID_PUBLISH_YEARS", "PHONE_CHANGE_YEARS"),
            actionable=True, headline=("DOCUMENT_COUNT", "CONTACT_COUNT", "ID_PUBLISH_YEARS", "PHONE_CHANGE_YEARS")),
    Concept("application", ("NAME_TYPE_SUITE", "WEEKDAY_APPR_PROCESS_START", "HOUR_APPR_PROCESS_START"),
            actionable=False, headline=("HOUR_APPR_PROCESS_START", "WEEKDAY_APPR_PROCESS_START", "NAME_TYPE_SUITE")),
    Concept("social_circle", (
        "OBS_30_CNT_SOCIAL_CIRCLE", "DEF_30_CNT_SOCIAL_CIRCLE", "OBS_60_CNT_SOCIAL_CIRCLE",
        "DEF_60_CNT_SOCIAL_CIRCLE"), actionable=False, headline=(), reason=False),
)
#: Inputs a model folder may carry that no concept declares (a model trained elsewhere): summed under
#: this key, shown on the chart, never given as a reason.
OTHER_CONCEPT = Concept("other", (), actionable=False, headline=(), reason=False)


def _index(concepts: Iterable[Concept]) -> Mapping[str, Concept]:
    """input -> concept; an input declared twice stops the import (it would be counted twice)."""
    index: dict[str, Concept] = {}
    for concept in concepts:
        for name in concept.inputs:
            if name in index:
                raise ValueError(f"{name} belongs to two concepts: {index[name].key} and {concept.key}")
            index[name] = concept
        stray = set(concept.headline) - set(concept.inputs)
        if stray:
            raise ValueError(f"concept {concept.key} quotes inputs it does not hold: {', '.join(sorted(stray))}")
    return MappingProxyType(index)


CONCEPT_OF: Mapping[str, Concept] = _index(CONCEPTS)
BY_KEY: Mapping[str, Concept] = MappingProxyType({c.key: c for c in (*CONCEPTS, OTHER_CONCEPT)})


def concept_of(feature: str) -> Concept:
    """The concept of a model input (:data:`OTHER_CONCEPT` for one no concept declares)."""
    return CONCEPT_OF.get(feature, OTHER_CONCEPT)


def undeclared(features: Iterable[str]) -> list[str]:
    """The inputs no concept declares (the coverage test expects none for this project's features)."""
    return [f for f in features if f not in CONCEPT_OF]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def sequential_points(logits: Iterable[tuple[str, float]], base_logit: float) -> list[tuple[str, float, float, float]]:
    """(name, points, start %, end %) of each step, in the given order, from the base log-odds.

    Log-odds add up exactly; probabilities do not, so each step is the change of probability it
    makes after the steps before it: the points then add up exactly to ``100 * (p - p_base)``.
    """
    rows, cumulative = [], base_logit
    for name, logit in logits:
        start = _sigmoid(cumulative)
        cumulative += logit
        end = _sigmoid(cumulative)
        rows.append((name, 100 * (end - start), 100 * start, 100 * end))
    return rows


def concept_logits(explanation: Explanation) -> pd.Series:
    """Each concept's contribution in calibrated log-odds: the exact sum of its inputs' SHAP values."""
    contributions = explanation.contributions
    keys = [concept_of(f).key for f in contributions.index]
    return contributions.groupby(np.asarray(keys), sort=False).sum()


def concept_steps(explanation: Explanation) -> pd.DataFrame:
    """The concept waterfall in percentage points, largest contribution first.

    Columns: concept, inputs (tuple of the concept's inputs in this model), logit, points, start,
    end. The points add up exactly to ``100 * (proba - base_proba)``, like ``explain.waterfall_steps``.
    """
    logits = concept_logits(explanation)
    order = logits.abs().sort_values(ascending=False, kind="stable").index
    members: dict[str, list[str]] = {}
    for feature in explanation.contributions.index:
        members.setdefault(concept_of(feature).key, []).append(feature)
    rows = [{"concept": key, "inputs": tuple(members[key]), "logit": float(logits[key]), "points": points,
             "start": start, "end": end}
            for key, points, start, end in sequential_points(((k, float(logits[k])) for k in order),
                                                             explanation.base_logit)]
    return pd.DataFrame(rows, columns=["concept", "inputs", "logit", "points", "start", "end"])


def headline_input(concept: Concept, explanation: Explanation, direction: int = 0) -> str | None:
    """The input the reason's sentence quotes: among the concept's readable inputs, the one that
    pushed the score most in ``direction`` (+1 raised, -1 lowered the risk; 0 either way).

    Inputs with a known value come first: "Âge de la voiture : non renseigné" explains little, and a
    member that pushed the other way from the concept would quote a value that contradicts it.
    """
    present = [f for f in concept.headline if f in explanation.contributions.index]
    if not present:
        return None

    def rank(feature: str) -> tuple[bool, bool, float]:
        contribution = float(explanation.contributions[feature])
        value = explanation.values[feature]
        known = not (value is None or (isinstance(value, float) and math.isnan(value)) or value == "MISSING")
        return known, direction == 0 or contribution * direction > 0, abs(contribution)

    return max(present, key=rank)


@dataclass(frozen=True)
class PortfolioReference:
    """What granted clients look like, for the "contre 18 % en médiane chez les clients accordés" of a
    reason: the median of each numeric input and the share of each category, among granted clients.

    Computed from a sample of portfolio clients with their model inputs (the served model's SHAP
    sample) and their served decisions. An input with fewer than ``min_clients`` known values among
    granted clients has no reference (``app.scoring.privacy.MIN_COHORT_SIZE``: no statistic about
    fewer than 20 clients); neither has a category held by fewer than ``min_clients`` of them.
    """

    medians: Mapping[str, float]
    shares: Mapping[str, Mapping[str, float]]
    n_granted: int

    @classmethod
    def build(cls, inputs: pd.DataFrame, granted, min_clients: int) -> PortfolioReference:
        granted_rows = inputs[np.asarray(granted, dtype=bool)]
        medians: dict[str, float] = {}
        shares: dict[str, Mapping[str, float]] = {}
        for column in granted_rows.columns:
            values = granted_rows[column]
            if pd.api.types.is_numeric_dtype(values.dtype):
                known = values.dropna()
                if len(known) >= min_clients:
                    medians[column] = float(known.median())
            else:
                counts = values.astype(str).value_counts()
                shares[column] = MappingProxyType({str(k): float(n / len(values)) for k, n in counts.items()
                                                   if n >= min_clients})
        return cls(MappingProxyType(medians), MappingProxyType(shares), int(len(granted_rows)))

    def median(self, feature: str) -> float | None:
        return self.medians.get(feature)

    def share(self, feature: str, value: object) -> float | None:
        return self.shares.get(feature, {}).get(str(value))
