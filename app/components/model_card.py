"""The model card as a manager reads it: what was trained, on what, how, with which libraries.

Built from ``ModelBundle.card`` (written by ``app.scoring.pipeline``); feature names are shown with the
data dictionary's labels, engineered features with the reason they exist. Pure layout factories.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from app.scoring.dictionary import data_dictionary
from app.scoring.formatting import count_text, number_text, percent_text, short_number_text
from app.ui import current_language, date_text, t

CARD_TABLE_ID = "model-card-table"
FEATURES_ID = "model-card-features"


def _source(card: dict, lang: str) -> str:
    source = card.get("source", {})
    kind = source.get("kind", "?")
    if kind == "synthetic-demo":
        return t("model.card.source_synth", labelled=count_text(source.get("n_labelled"), lang),
                 new=count_text(source.get("n_new"), lang), seed=source.get("seed"))
    if kind == "home-credit":
        files = ", ".join(f"{v.get('name')} (sha256 {str(v.get('sha256'))[:12]}…)" for v in source.get("files", {}).values())
        return t("model.card.source_real", files=files)
    return str(kind)


def _row(label: str, value) -> html.Tr:
    return html.Tr([html.Th(label, scope="row", className="fw-normal text-muted w-25"), html.Td(value)])


def ModelCardTable(card: dict) -> html.Div:  # noqa: N802 - component factory
    """Key facts of the card in a two-column table, then the features (accordion) and versions."""
    lang = current_language()
    fp = card.get("data_fingerprint", {}).get("labelled", {}) or {}
    model = card.get("model", {})
    decision = card.get("decision", {})
    costs = decision.get("costs", {})
    cal = card.get("calibration", {})
    params = ", ".join(f"{k} = {v}" for k, v in (model.get("params") or {}).items())
    trees = model.get("trees_per_fold") or []
    rows = [
        _row(t("model.card.date"), date_text(card.get("created_at"), lang)),
        _row(t("model.card.source"), _source(card, lang)),
        _row(t("model.card.fingerprint"), t("model.card.fingerprint_value", rows=count_text(fp.get("rows"), lang),
                                            columns=fp.get("columns", "?"), sha=str(fp.get("sha256", ""))[:16],
                                            rate=percent_text(card.get("data_fingerprint", {}).get("default_rate"), 1, lang))),
        _row(t("model.card.type"), model.get("type", "—")),
        _row(t("model.card.params"), t("model.card.params_value", params=params or "—", lr=model.get("learning_rate", "—"),
                                       trees=", ".join(str(x) for x in trees) or "—")),
        _row(t("model.card.calibration"), t("model.card.calibration_value", method=cal.get("method", "—"))),
        _row(t("model.card.decision"), t("model.card.decision_value", threshold=percent_text(decision.get("threshold"), 1, lang),
                                         fn=short_number_text(costs.get("cost_fn"), lang),
                                         fp=short_number_text(costs.get("cost_fp"), lang))),
        _row(t("model.card.evaluation"), t("model.card.evaluation_value", folds=card.get("config", {}).get("n_folds", "?"))),
        _row(t("model.card.versions"), ", ".join(f"{k} {v}" for k, v in (card.get("versions") or {}).items())),
    ]
    term_model = card.get("features", {}).get("term_model")
    if term_model:  # only models trained with previous applications have it
        rows.insert(4, _row(t("model.card.term_model"), t(
            "model.card.term_model_value", loans=count_text(term_model.get("trained_on"), lang),
            error=number_text(term_model.get("mae_months"), 1, lang))))
    return html.Div([
        dbc.Table(html.Tbody(rows), bordered=False, size="sm", className="mb-2", id=CARD_TABLE_ID),
        FeatureList(card),
    ])


def FeatureList(card: dict) -> dbc.Accordion:  # noqa: N802 - component factory
    """Features in three lists: raw inputs, engineered (with why), protected attributes excluded."""
    lang = current_language()
    label = data_dictionary().label_or_name
    features = card.get("features", {})
    engineered = features.get("engineered", {}) or {}
    names = features.get("names", []) or []
    categorical = set(features.get("categorical", []) or [])
    raw = [n for n in names if n not in engineered]
    raw_items = [html.Li([label(n, lang), html.Span(f" — {n}" + (" (" + t("model.card.categorical") + ")" if n in categorical else ""),
                                                     className="text-muted small")]) for n in raw]
    # The card records why each engineered feature exists in English; French readers get the label,
    # which already names the computation ("Taux d'endettement : annuité / revenu").
    eng_items = [html.Li([html.Strong(label(n, lang)), html.Span(f" — {n}" + (f": {why}" if lang == "en" else ""),
                                                                  className="text-muted small")])
                 for n, why in engineered.items()]
    protected = [html.Li([label(n, lang), html.Span(f" — {n}", className="text-muted small")])
                 for n in features.get("protected_excluded", []) or []]
    return dbc.Accordion([
        dbc.AccordionItem(html.Ul(raw_items, className="columns-2 small mb-0", style={"columnCount": 2}),
                          title=t("model.card.raw_features", n=len(raw))),
        dbc.AccordionItem(html.Ul(eng_items, className="small mb-0"), title=t("model.card.engineered_features", n=len(engineered))),
        dbc.AccordionItem([html.P(t("model.card.protected_why"), className="small"), html.Ul(protected, className="small mb-0")],
                          title=t("model.card.protected_features", n=len(protected))),
    ], start_collapsed=True, always_open=True, id=FEATURES_ID)
