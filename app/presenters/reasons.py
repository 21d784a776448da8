"""The reasons of a decision, by concept, in plain sentences an officer can read to the client.

One function gives them: :func:`decision_reasons` (the client file, the client letter and
``scripts/explain_client.py`` all call it). Why it is built this way:

- **By concept** (``app.scoring.concepts``): four variants of the external scores are one reason,
  not four. A reason's weight is the concept's exact share of the probability (the sum of its
  inputs' SHAP values, in percentage points), the step the concept waterfall shows.
- **Never against the decision**: a refusal's reasons are the concepts that *raised* the risk,
  largest first; a grant's those that lowered it most. A concept that pushed the other way is not a
  reason of this decision, however large; "Autres caractéristiques (42)" is a sum, never a reason;
  nor is a concept built on inputs a client must never be refused for (``NEVER_REFUSED_FOR``).
- **One sentence each, with a reference**: the client's value of the concept's most influential
  readable input, next to what granted clients of the portfolio have ("Taux d'endettement (mensualité / revenu) : 32 % —
  contre 18 % en médiane chez les clients accordés"), from at least 20 clients
  (``PortfolioReference``), and whether the client can act on it.

Protected attributes are not model inputs (``app.config``); a reason naming one would mean the
feature function was bypassed, so it is refused loudly rather than shown.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.config import PROTECTED_ATTRIBUTES
from app.i18n import translate
from app.presenters.client_file import plain_label, points_text
from app.presenters.dictionary import data_dictionary
from app.presenters.formatting import MISSING_TEXT, is_missing, number_text
from app.scoring.bundle import REFUSED
from app.scoring.concepts import BY_KEY, PortfolioReference, concept_steps, headline_input
from app.scoring.explain import Explanation
from app.scoring.features import MISSING_CATEGORY

N_REASONS = 4


class ProtectedReasonError(ValueError):
    """A protected attribute reached an explanation: never show it, fix the model inputs."""


@dataclass(frozen=True)
class Reason:
    """One reason of a decision: a concept that pushed the probability the way the decision went."""

    concept: str  # key of app.scoring.concepts.CONCEPTS
    label: str  # the concept in the reader's language
    points: float  # percentage points of probability of default (+ raises the risk)
    actionable: bool
    features: tuple[str, ...]  # the model inputs of the concept (Home Credit / engineered names)
    sentence: str  # "Taux d'endettement (mensualité / revenu) : 32 % — contre 18 % en médiane ..."
    headline: str | None = None  # the input the sentence quotes

    @property
    def raises_risk(self) -> bool:
        return self.points > 0

    def to_dict(self) -> dict:
        """JSON-able form (``scripts/explain_client.py``)."""
        return {"concept": self.concept, "label": self.label, "points": self.points, "actionable": self.actionable,
                "features": list(self.features), "sentence": self.sentence}


def feature_label(name: str, lang: str = "fr") -> str:
    """The feature's label for a sentence or an axis, without the unit the value already shows."""
    return plain_label(name, lang)


def concept_label(key: str, lang: str = "fr") -> str:
    """ "Scores de crédit externes": a concept as the officer says it."""
    return translate(f"client.concept.{key}", lang)


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


def whole_percent(share: float, lang: str = "fr") -> str:
    """A share as a whole percentage, "21 %" / "21%" (a reference needs no decimal)."""
    value = number_text(100.0 * share, 0, lang)
    return f"{value}\u00a0%" if lang == "fr" else f"{value}%"


def reason_sentence(feature: str | None, value: object, reference: PortfolioReference | None, concept: str,
                    lang: str = "fr") -> str:
    """The sentence of one reason: the quoted input, the client's value and the portfolio's reference."""
    if feature is None:
        return concept_label(concept, lang)
    label, shown = feature_label(feature, lang), value_text(feature, value, lang)
    missing = is_missing(value) or value == MISSING_CATEGORY
    if reference is not None and not missing:
        median = reference.median(feature)
        if median is not None:
            return translate("client.reason.sentence_median", lang, label=label, value=shown,
                             reference=value_text(feature, median, lang))
        share = reference.share(feature, value)
        if share is not None:
            return translate("client.reason.sentence_share", lang, label=label, value=shown,
                             share=whole_percent(share, lang))
    return translate("client.reason.sentence_plain", lang, label=label, value=shown)


def decision_reasons(explanation: Explanation, decision: str, reference: PortfolioReference | None,
                     lang: str = "fr", n: int = N_REASONS) -> list[Reason]:
    """The principal reasons of ``decision`` ("granted" / "refused") for this explanation.

    Refused: the concepts that raised the probability of default, largest first; granted: those
    that lowered it most. At most ``n``; a step that rounds to 0.0 points is no reason; concepts
    flagged ``reason=False`` (excluded inputs, undeclared ones) never are. ``reference``: what granted
    clients look like (``None``: sentences without a reference).
    """
    check_not_protected(explanation.contributions.index)
    refused = decision == REFUSED
    steps = concept_steps(explanation)
    wanted = steps[(steps["points"] > 0) if refused else (steps["points"] < 0)]
    wanted = wanted.sort_values("points", ascending=not refused, kind="stable")
    reasons: list[Reason] = []
    for key, inputs, points in zip(wanted["concept"], wanted["inputs"], wanted["points"], strict=True):
        concept = BY_KEY[key]
        if not concept.reason or round(abs(float(points)), 1) == 0.0:
            continue
        feature = headline_input(concept, explanation, 1 if refused else -1)
        value = None if feature is None else explanation.values[feature]
        reasons.append(Reason(concept=key, label=concept_label(key, lang), points=float(points),
                              actionable=concept.actionable, features=tuple(inputs),
                              sentence=reason_sentence(feature, value, reference, key, lang), headline=feature))
        if len(reasons) == n:
            break
    return reasons


def points_sentence(reason: Reason, lang: str = "fr") -> str:
    """ "augmente le risque de 3,1 points" / "réduit le risque de 1,2 point(s)"."""
    key = "client.reason.points_raises" if reason.raises_risk else "client.reason.points_lowers"
    return translate(key, lang, points=points_text(reason.points, lang))


def actionable_text(reason: Reason, lang: str = "fr") -> str:
    """Whether the client can act on the reason, in words (shown next to the sentence)."""
    return translate("client.reason.actionable" if reason.actionable else "client.reason.not_actionable", lang)
