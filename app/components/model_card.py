"""The model card as a manager reads it: what was trained, on what, how, with which libraries.

Built from ``ModelBundle.card`` (a :class:`~app.scoring.model_card.ModelCard`); feature names are shown with the
data dictionary's labels, engineered features with the reason they exist. Pure layout factories.
"""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from app.i18n import translate
from app.presenters.dictionary import data_dictionary
from app.presenters.formatting import (
    cost_setting_text,
    count_text,
    money_text,
    number_text,
    percent_text,
)
from app.scoring.model_card import Features, ModelCard, Source
from app.ui import date_text

CARD_TABLE_ID = "model-card-table"
FEATURES_ID = "model-card-features"


def _source(source: Source, lang: str) -> str:
    if source.kind == "synthetic-demo":
        return translate("model.card.source_synth", lang, labelled=count_text(source.n_labelled, lang),
                 new=count_text(source.n_new, lang), seed=source.seed)
    if source.kind == "home-credit" and source.files is not None:
        files = ", ".join(f"{f.name} (sha256 {f.sha256[:12]}…)" for f in source.files.values())
        return translate("model.card.source_real", lang, files=files)
    return source.kind


def _tracking(card: ModelCard, lang: str) -> str:
    """The MLflow run and registered version that recorded the training, or a plain "not tracked"."""
    info = card.tracking
    if info is None:  # trained with --no-tracking, or before tracking existed
        return translate("model.card.tracking_none", lang)
    return translate("model.card.tracking_value", lang, run=info.run_id, version=info.version,
                     name=info.registered_model)


def _row(label: str, value) -> html.Tr:
    return html.Tr([html.Th(label, scope="row", className="fw-normal text-muted w-25"), html.Td(value)])


def ModelCardTable(card: ModelCard, lang: str) -> html.Div:
    """Key facts of the card in a two-column table, then the features (accordion) and versions."""
    fp, model, decision = card.data_fingerprint.labelled, card.model, card.decision
    params = ", ".join(f"{k} = {v}" for k, v in model.params.items())
    rows = [
        _row(translate("model.card.date", lang), date_text(card.created_at, lang)),
        _row(translate("model.card.source", lang), _source(card.source, lang)),
        _row(translate("model.card.fingerprint", lang), translate("model.card.fingerprint_value", lang, rows=count_text(fp.rows, lang),
                                            columns=fp.columns, sha=fp.sha256[:16],
                                            rate=percent_text(card.data_fingerprint.default_rate, 1, lang))),
        _row(translate("model.card.type", lang), model.type),
        _row(translate("model.card.params", lang), translate("model.card.params_value", lang, params=params or "—", lr=model.learning_rate,
                                       trees=", ".join(str(x) for x in model.trees_per_fold) or "—")),
        _row(translate("model.card.calibration", lang), translate("model.card.calibration_value", lang, method=card.calibration.method)),
        _row(translate("model.card.decision", lang), translate("model.card.decision_value", lang, threshold=percent_text(decision.threshold, 1, lang),
                                         fn=cost_setting_text(decision.costs.cost_fn, lang),
                                         fp=cost_setting_text(decision.costs.cost_fp, lang))),
        _row(translate("model.card.evaluation", lang), translate("model.card.evaluation_value", lang, folds=card.config.n_folds)),
        _row(translate("model.card.tracking", lang), _tracking(card, lang)),
        _row(translate("model.card.versions", lang), ", ".join(f"{k} {v}" for k, v in card.versions.items())),
    ]
    term_model = card.features.term_model
    if term_model is not None:  # only models trained with previous applications have it
        rows.insert(4, _row(translate("model.card.term_model", lang), translate(
            "model.card.term_model_value", lang, loans=count_text(term_model.trained_on, lang),
            error=number_text(term_model.mae_months, 1, lang))))
    return html.Div([
        dbc.Table(html.Tbody(rows), bordered=False, size="sm", className="mb-2", id=CARD_TABLE_ID),
        FeatureList(card.features, lang),
    ])


def FeatureList(features: Features, lang: str) -> dbc.Accordion:
    """Features in three lists: raw inputs, engineered (with why), protected attributes excluded."""
    label = data_dictionary().label_or_name
    engineered, categorical = features.engineered, set(features.categorical)
    raw = [n for n in features.names if n not in engineered]
    raw_items = [html.Li([label(n, lang), html.Span(f" — {n}" + (" (" + translate("model.card.categorical", lang) + ")" if n in categorical else ""),
                                                     className="text-muted small")]) for n in raw]
    # The card records why each engineered feature exists in English; French readers get the label,
    # which already names the computation ("Taux d'endettement (mensualité / revenu)").
    eng_items = [html.Li([html.Strong(label(n, lang)), html.Span(f" — {n}" + (f": {why}" if lang == "en" else ""),
                                                                  className="text-muted small")])
                 for n, why in engineered.items()]
    protected = [html.Li([label(n, lang), html.Span(f" — {n}", className="text-muted small")])
                 for n in features.protected_excluded]
    never = [html.Li([label(n, lang), html.Span(f" — {n}", className="text-muted small")]) for n in features.excluded]
    directions = [html.Li([label(n, lang), html.Span(f" — {n} : ", className="text-muted small"),
                           translate("model.card.monotone_down" if d < 0 else "model.card.monotone_up", lang)])
                  for n, d in features.monotone.items()]
    return dbc.Accordion([
        dbc.AccordionItem(html.Ul(raw_items, className="columns-2 small mb-0", style={"columnCount": 2}),
                          title=translate("model.card.raw_features", lang, n=len(raw))),
        dbc.AccordionItem(html.Ul(eng_items, className="small mb-0"), title=translate("model.card.engineered_features", lang, n=len(engineered))),
        dbc.AccordionItem([html.P(translate("model.card.protected_why", lang), className="small"), html.Ul(protected, className="small mb-0")],
                          title=translate("model.card.protected_features", lang, n=len(protected))),
        dbc.AccordionItem([html.P(translate("model.card.excluded_why", lang), className="small"),
                           html.Ul(never, className="small mb-0")],
                          title=translate("model.card.excluded_features", lang, n=len(never))),
        dbc.AccordionItem([html.P(translate("model.card.monotone_why", lang), className="small"),
                           html.Ul(directions, className="small mb-0")],
                          title=translate("model.card.monotone_features", lang, n=len(directions))),
    ], start_collapsed=True, always_open=True, id=FEATURES_ID)


def ComparisonTable(card: ModelCard, lang: str) -> dbc.Table:
    """The model's cross-validated figures beside its baselines' (one row each, the model's in bold)."""
    def num(value, lang):
        return number_text(value, 3, lang)

    def pct(value, lang):
        return percent_text(value, 1, lang)

    models = {"model": card.metrics.cross_validated, **card.baselines}
    columns = [("roc_auc", translate("model.compare.auc", lang), num),
               ("average_precision", translate("model.compare.ap", lang), num),
               ("brier", translate("model.compare.brier", lang), num), ("ece", translate("model.compare.ece", lang), pct),
               ("threshold", translate("model.compare.threshold", lang), pct),
               ("approval_rate", translate("model.compare.approval", lang), pct),
               ("cost_per_client", translate("model.compare.cost", lang), money_text)]
    header = html.Thead(html.Tr([html.Th(translate("model.compare.name", lang))] + [html.Th(h) for _, h, _ in columns]))
    body = html.Tbody([html.Tr([html.Th(translate("model.fig.policy_" + name, lang), scope="row",
                                        className="fw-bold" if name == "model" else "fw-normal")]
                               + [html.Td(fmt(getattr(m, col), lang)) for col, _, fmt in columns])
                       for name, m in models.items()])
    return dbc.Table([header, body], size="sm", striped=True, responsive=True, className="small mt-3")
