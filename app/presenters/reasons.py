"""The reasons of a decision in plain sentences, for an officer talking with a client.

Built from the SHAP waterfall (percentage points of probability of default), so a reason's weight
is exactly the step shown on the chart. Each reason says whether the client can act on it (amount,
term, annuity...) or not (age, external scores), from the data dictionary, so the conversation
turns to what can change. Protected attributes are not model inputs (app.config); a reason naming
one would mean the feature function was bypassed, so it is refused loudly rather than shown.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from app.config import PROTECTED_ATTRIBUTES
from app.i18n import translate
from app.presenters.client_file import plain_label, points_text
from app.presenters.dictionary import data_dictionary
from app.presenters.formatting import MISSING_TEXT
from app.scoring.explain import OTHER_FEATURES
from app.scoring.features import MISSING_CATEGORY

N_REASONS = 4


class ProtectedReasonError(ValueError):
    """A protected attribute reached an explanation: never show it, fix the model inputs."""


@dataclass(frozen=True)
class Reason:
    """One contribution to the client's probability of default."""

    feature: str
    label: str  # in the reader's language, without a repeated unit
    value_text: str  # the client's value with its unit ("32 %", "35 ans", "—")
    points: float  # percentage points of probability of default (+ raises the risk)
    actionable: bool

    @property
    def raises_risk(self) -> bool:
        return self.points > 0


def feature_label(name: str, lang: str = "fr") -> str:
    """The feature's label for a sentence or an axis, without the unit the value already shows."""
    return plain_label(name, lang)


def value_text(name: str, value: object, lang: str = "fr") -> str:
    """The client's value of a model input with its unit; missing (also the model's "MISSING"
    category) reads "non renseigné" / "not provided" in a sentence, not a bare dash."""
    if isinstance(value, str) and value == MISSING_CATEGORY:
        value = None
    text = data_dictionary().format_value(name, value, lang)
    return translate("client.value.missing", lang) if text == MISSING_TEXT else text


def check_not_protected(features) -> None:
    """Raise :class:`ProtectedReasonError` if any feature is a protected attribute."""
    leaked = sorted(set(features) & set(PROTECTED_ATTRIBUTES))
    if leaked:
        raise ProtectedReasonError(f"protected attributes in an explanation: {', '.join(leaked)}")


def top_reasons(steps: pd.DataFrame, lang: str = "fr", n: int = N_REASONS) -> list[Reason]:
    """The ``n`` largest contributions of a waterfall (``explain.waterfall_steps``), largest first.

    The "other features" row is a sum, not a reason, and is skipped; contributions that round to
    0.0 points are not reasons either.
    """
    features = [f for f in steps["feature"] if f != OTHER_FEATURES]
    check_not_protected(features)
    rows = steps[steps["feature"] != OTHER_FEATURES]
    rows = rows.reindex(rows["points"].abs().sort_values(ascending=False, kind="stable").index)
    dictionary = data_dictionary()
    reasons = []
    for feature, value, points in zip(rows["feature"], rows["value"], rows["points"], strict=True):
        if round(abs(float(points)), 1) == 0.0:
            continue
        reasons.append(Reason(feature=str(feature), label=feature_label(feature, lang),
                              value_text=value_text(feature, value, lang), points=float(points),
                              actionable=dictionary.info(feature).actionable))
        if len(reasons) == n:
            break
    return reasons


def reason_sentence(reason: Reason, lang: str = "fr") -> str:
    """ "Taux d'endettement : annuité / revenu = 32 % — augmente le risque (+3,1 points)"."""
    key = "client.reason.raises" if reason.raises_risk else "client.reason.lowers"
    return translate(key, lang, label=reason.label, value=reason.value_text,
                     points=points_text(reason.points, lang, signed=True))


def actionable_text(reason: Reason, lang: str = "fr") -> str:
    """Whether the client can act on the reason, in words (shown next to the sentence)."""
    return translate("client.reason.actionable" if reason.actionable else "client.reason.not_actionable", lang)
