"""Differences between two client groups, stated in words ("taux de défaut +2,1 points dans B").

A manager comparing two groups reads sentences, not two columns of numbers to subtract in their
head. Rates are compared in percentage points (a difference of rates), amounts per client (two
groups of different sizes cannot be compared on totals). A difference too small to show at the
displayed precision is called "identical" rather than "+0,0". A figure that one group lacks (no
known outcome, or too few to be shown) is said to be not comparable, never treated as 0.
Pure: strings come from ``app.i18n`` (the one catalog), numbers from ``app.presenters.formatting``.
"""
from __future__ import annotations

from app.i18n import normalise_language, translate
from app.presenters.formatting import NBSP, number_text
from app.scoring.privacy import MIN_COHORT_SIZE

MINUS = "\u2212"

#: (kpi key, catalog key of its name, kind): "points" for rates, "eur" for amounts per client,
#: "cost" for the unitless business cost per client, "count" for group sizes.
COMPARED: tuple[tuple[str, str, str], ...] = (
    ("n", "portfolio.kpi.n", "count"),
    ("approval_rate", "portfolio.kpi.approval_rate", "points"),
    ("default_rate", "portfolio.kpi.default_rate", "points"),
    ("mean_proba", "portfolio.kpi.mean_proba", "points"),
    ("cost_per_client", "portfolio.kpi.cost_per_client", "cost"),
    ("exposure_per_client", "portfolio.kpi.exposure_per_client", "eur"),
    ("expected_loss_per_client", "portfolio.kpi.expected_loss_per_client", "eur"),
)
_DECIMALS = {"points": 1, "cost": 2, "eur": 0, "count": 0}


def per_client(k: dict) -> dict:
    """``k`` plus exposure and expected loss per client (None for an empty group, or when the
    total itself is withheld under the privacy floor)."""
    out = dict(k)
    n = k.get("n") or 0
    for total in ("exposure", "expected_loss"):
        out[f"{total}_per_client"] = k[total] / n if n and k[total] is not None else None
    return out


def _not_comparable(name: str, a: dict, b: dict, va, vb, lang: str) -> str:
    """Why a figure that one group lacks is not compared: no known outcome at all in that group, or
    too few to be shown (``cohorts.kpis`` withholds outcome figures under the privacy floor)."""
    which = "A" if va is None and vb is not None else "B" if vb is None and va is not None else "A, B"
    lacking = [k for k, v in ((a, va), (b, vb)) if v is None]
    if any(k.get("n_known_outcome") for k in lacking):
        return translate("portfolio.diff.too_few_outcomes", lang, name=name, group=which, min=MIN_COHORT_SIZE)
    return translate("portfolio.diff.unknown", lang, name=name, group=which)


def _signed(value: float, decimals: int, lang: str) -> str:
    sign = "+" if value > 0 else MINUS
    return sign + number_text(abs(value), decimals, lang)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def difference(key: str, a: float, b: float, kind: str, lang: str = "fr") -> str:
    """One sentence: how B differs from A on one figure (both known)."""
    lang = normalise_language(lang)
    name = _capitalised(translate(key, lang))
    delta = (b - a) * (100 if kind == "points" else 1)
    decimals = _DECIMALS[kind]
    if round(delta, decimals) == 0:
        return translate("portfolio.diff.same", lang, name=name)
    if kind == "count":
        key = "portfolio.diff.count" if delta > 0 else "portfolio.diff.count_less"
        return translate(key, lang, n=number_text(abs(delta), 0, lang))
    text = _signed(delta, decimals, lang)
    if kind == "points":
        plural = abs(round(delta, decimals)) >= 2 if lang == "fr" else abs(round(delta, decimals)) != 1
        unit = translate("portfolio.diff.points" if plural else "portfolio.diff.point", lang)
        amount = f"{text} {unit}"
    else:  # amounts, and the business cost: euros (cost_fn per missed defaulter, cost_fp per refused good client)
        amount = f"{text}{NBSP}€" if lang == "fr" else f"{text[0]}€{text[1:]}"
    return translate("portfolio.diff.sentence", lang, name=name, amount=amount)


def describe_differences(a: dict, b: dict, lang: str = "fr") -> list[str]:
    """Sentences comparing group B to group A (``cohorts.kpis`` dicts of two described groups)."""
    a, b = per_client(a), per_client(b)
    out = []
    for key, name_key, kind in COMPARED:
        va, vb = a.get(key), b.get(key)
        if va is None or vb is None:
            out.append(_not_comparable(_capitalised(translate(name_key, lang)), a, b, va, vb, lang))
        else:
            out.append(difference(name_key, float(va), float(vb), kind, lang))
    return out
