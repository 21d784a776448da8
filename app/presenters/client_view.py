"""Texts of the client file that depend on the client and the reader's language (pure, no Dash).

The page's callbacks call these and hand the result to a figure builder or a component factory,
so what an officer reads is testable without a browser or a request.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from app.i18n import translate
from app.presenters.client_file import ClientFile, points_text
from app.presenters.dictionary import data_dictionary
from app.presenters.formatting import is_missing
from app.presenters.reasons import check_not_protected, concept_label, feature_label, value_text
from app.scoring.cohorts import CATEGORY_FIELDS
from app.scoring.comparison import SIMILARITY_OPTIONS
from app.scoring.explain import OTHER_FEATURES

#: The two views of the waterfall (the page's switch): one bar per concept, or per model input.
BY_CONCEPT, BY_INPUT = "concept", "input"
#: Direction arrows of the waterfall bars (text carries the direction, not only the colour).
ARROW_UP, ARROW_DOWN = "\u25b2 ", "\u25bc "


@dataclass(frozen=True)
class WaterfallView:
    """Inputs of ``figures.waterfall.waterfall_figure`` for one client in one language."""

    labels: tuple[str, ...]  # "Âge = 35 ans", ..., "Autres caractéristiques (42)"
    points: tuple[float, ...]  # percentage points per step (they add up to proba - base)
    hover: tuple[str, ...]
    base_percent: float
    final_percent: float
    threshold_percent: float
    texts: dict


def step_text(points: float, lang: str) -> str:
    """"▲ +2,3 pts" / "▼ −1,0 pts"; a step that rounds to 0.0 has no arrow and no sign ("0,0 pts")."""
    shown = points_text(points, lang, signed=True)
    arrow = "" if round(abs(points), 1) == 0 else ARROW_UP if points > 0 else ARROW_DOWN
    return translate("client.waterfall.step", lang, arrow=arrow, points=shown)


def waterfall_view(file: ClientFile, lang: str, by: str = BY_CONCEPT) -> WaterfallView:
    """Step labels, hover sentences and the step texts of the waterfall, by concept (the default:
    one bar per thing the officer talks about) or by input (``by="input"``: the detail, the largest
    ten and the rest summed). Both add up exactly to the client's probability."""
    check_not_protected(file.explanation.contributions.index)
    texts = {k: translate(f"client.waterfall.{k}", lang) for k in ("base", "client", "axis", "threshold")}
    if by == BY_CONCEPT:
        labels, hover = [], []
        for key, inputs, points in zip(file.concepts["concept"], file.concepts["inputs"], file.concepts["points"],
                                       strict=True):
            labels.append(concept_label(key, lang))
            hover.append(translate("client.waterfall.hover_concept", lang, label=labels[-1], n=len(inputs),
                                   points=points_text(points, lang, signed=True)))
        return WaterfallView(tuple(labels), tuple(float(p) for p in file.concepts["points"]), tuple(hover),
                             100 * file.explanation.base_proba, 100 * file.proba, 100 * file.threshold, texts)
    steps = file.steps
    n_shown = int((steps["feature"] != OTHER_FEATURES).sum())
    labels, hover = [], []
    for feature, value, points in zip(steps["feature"], steps["value"], steps["points"], strict=True):
        signed = points_text(points, lang, signed=True)
        if feature == OTHER_FEATURES:
            label = translate("client.waterfall.other", lang, n=len(file.explanation.contributions) - n_shown)
            labels.append(label)
            hover.append(translate("client.waterfall.hover_other", lang, label=label, points=signed))
            continue
        label, text = feature_label(feature, lang), value_text(feature, value, lang)
        labels.append(f"{label} = {text}")
        hover.append(translate("client.waterfall.hover", lang, label=label, value=text, points=signed))
    return WaterfallView(tuple(labels), tuple(float(p) for p in steps["points"]), tuple(hover),
                         100 * file.explanation.base_proba, 100 * file.proba, 100 * file.threshold, texts)


def similarity_options(row: pd.Series, lang: str) -> list[tuple[str, str]]:
    """(attribute, "tranche d'âge (35-44 ans)") for each similarity attribute, with the client's value."""
    options = []
    for key in SIMILARITY_OPTIONS:
        column = CATEGORY_FIELDS[key]
        raw = row.get(column)
        if is_missing(raw):
            value = "—"
        elif key == "age_band":
            value = translate("client.age_band_years", lang, band=raw)
        else:
            value = data_dictionary().format_value(column, raw, lang)
        options.append((key, translate(f"client.filter.{key}", lang, value=value)))
    return options
