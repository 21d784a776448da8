"""The model card as a manager reads it: what was trained, on what, how, with which libraries.

Built from ``ModelBundle.card`` (written by ``app.scoring.pipeline``); feature names are shown with the
data dictionary's labels, engineered features with the reason they exist. Pure layout factories.
"""
from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
from dash import html

from app.scoring.dictionary import data_dictionary
from app.ui import current_language, t


def _label(name: str, lang: str) -> str:
    dictionary = data_dictionary()
    return dictionary.label(name, lang) if name in dictionary else name


def _date(text: str | None, lang: str) -> str:
    try:
        when = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return str(text or "—")
    return when.strftime("%d/%m/%Y %H:%M UTC" if lang == "fr" else "%Y-%m-%d %H:%M UTC")


def _source(card: dict) -> str:
    source = card.get("source", {})
    kind = source.get("kind", "?")
    if kind == "synthetic-demo":
        return t("model.card.source_synth", labelled=f"{source.get('n_labelled', 0):,}".replace(",", "\u202f"),
                 new=f"{source.get('n_new', 0):,}".replace(",", "\u202f"), seed=source.get("seed"))
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
        _row(t("model.card.date"), _date(card.get("created_at"), lang)),
        _row(t("model.card.source"), _source(card)),
        _row(t("model.card.fingerprint"), t("model.card.fingerprint_value", rows=f"{fp.get('rows', 0):,}".replace(",", "\u202f"),
                                            columns=fp.get("columns", "?"), sha=str(fp.get("sha256", ""))[:16],
                                            rate=f"{100 * card.get('data_fingerprint', {}).get('default_rate', float('nan')):.1f}")),
        _row(t("model.card.type"), model.get("type", "—")),
        _row(t("model.card.params"), t("model.card.params_value", params=params or "—", lr=model.get("learning_rate", "—"),
                                       trees=", ".join(str(x) for x in trees) or "—")),
        _row(t("model.card.calibration"), t("model.card.calibration_value", method=cal.get("method", "—"))),
        _row(t("model.card.decision"), t("model.card.decision_value", threshold=f"{100 * decision.get('threshold', float('nan')):.1f}",
                                         fn=costs.get("cost_fn", "?"), fp=costs.get("cost_fp", "?"))),
        _row(t("model.card.evaluation"), t("model.card.evaluation_value", folds=card.get("config", {}).get("n_folds", "?"))),
        _row(t("model.card.versions"), ", ".join(f"{k} {v}" for k, v in (card.get("versions") or {}).items())),
    ]
    return html.Div([
        dbc.Table(html.Tbody(rows), bordered=False, size="sm", className="mb-2", id="model-card-table"),
        FeatureList(card),
    ])


def FeatureList(card: dict) -> dbc.Accordion:  # noqa: N802 - component factory
    """Features in three lists: raw inputs, engineered (with why), protected attributes excluded."""
    lang = current_language()
    features = card.get("features", {})
    engineered = features.get("engineered", {}) or {}
    names = features.get("names", []) or []
    categorical = set(features.get("categorical", []) or [])
    raw = [n for n in names if n not in engineered]
    raw_items = [html.Li([_label(n, lang), html.Span(f" — {n}" + (" (" + t("model.card.categorical") + ")" if n in categorical else ""),
                                                     className="text-muted small")]) for n in raw]
    # The card records why each engineered feature exists in English; French readers get the label,
    # which already names the computation ("Taux d'endettement : annuité / revenu").
    eng_items = [html.Li([html.Strong(_label(n, lang)), html.Span(f" — {n}" + (f": {why}" if lang == "en" else ""),
                                                                  className="text-muted small")])
                 for n, why in engineered.items()]
    protected = [html.Li([_label(n, lang), html.Span(f" — {n}", className="text-muted small")])
                 for n in features.get("protected_excluded", []) or []]
    return dbc.Accordion([
        dbc.AccordionItem(html.Ul(raw_items, className="columns-2 small mb-0", style={"columnCount": 2}),
                          title=t("model.card.raw_features", n=len(raw))),
        dbc.AccordionItem(html.Ul(eng_items, className="small mb-0"), title=t("model.card.engineered_features", n=len(engineered))),
        dbc.AccordionItem([html.P(t("model.card.protected_why"), className="small"), html.Ul(protected, className="small mb-0")],
                          title=t("model.card.protected_features", n=len(protected))),
    ], start_collapsed=True, always_open=True, id="model-card-features")
