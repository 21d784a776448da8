"""Which model is better on which figure, in words: the model card's comparison as sentences.

The comparison table holds the numbers; a manager asking "is the CatBoost worth it?" should not have
to know which way each column goes. Figures that round to the same shown value are called level:
a difference the page does not show is not a difference to report.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

from app.i18n import translate
from app.presenters.formatting import money_text, number_text
from app.scoring.model_card import Scores

#: (attribute, higher is better, label key, formatter)
FIGURES = (
    ("roc_auc", True, "model.verdict.figure.auc", lambda v, lang: number_text(v, 3, lang)),
    ("cost_per_client", False, "model.verdict.figure.cost", money_text),
    ("brier", False, "model.verdict.figure.brier", lambda v, lang: number_text(v, 4, lang)),
)


def verdict_sentences(model: Scores, baselines: Mapping[str, Scores], lang: str) -> list[str]:
    """One sentence per figure comparing the served model with the logistic regression baseline."""
    baseline = baselines.get("logistic_regression")
    if baseline is None:
        return []
    out = []
    for attribute, higher, label, fmt in FIGURES:
        ours, theirs = getattr(model, attribute), getattr(baseline, attribute)
        if not (math.isfinite(ours) and math.isfinite(theirs)):
            continue
        shown_ours, shown_theirs = fmt(ours, lang), fmt(theirs, lang)
        if shown_ours == shown_theirs:
            key = "model.verdict.level"
        else:
            key = "model.verdict.better" if (ours > theirs) == higher else "model.verdict.worse"
        out.append(translate(key, lang, figure=translate(label, lang), ours=shown_ours, theirs=shown_theirs))
    return out
