"""Compute the data-drift report of a model folder, offline (e.g. nightly from cron).

    python scripts/drift_report.py                                   # new applications of the portfolio
    python scripts/drift_report.py --model-dir model/demo --current applications.csv

Reference: the labelled portfolio the model learned on (``portfolio.parquet`` of the model folder,
rebuilt first for the demo model). Current: the portfolio's new applications, or ``--current FILE``
(CSV, zipped CSV or Parquet in the Home Credit application schema, TARGET optional and ignored),
validated like any upload and scored with the model. Writes ``drift_report.json`` (read by the
monitoring page) and ``drift_report.html`` (standalone: plotly.js inlined, opens offline) into the
model folder unless ``--json`` / ``--html`` say otherwise. Both samples need at least
``app.scoring.drift.MIN_DRIFT_SAMPLE`` (300) applications: on fewer, chance reads as drift.

Each run is also stored in the database (``DATABASE_URL``, table ``monitoring_runs``), one row per
month of applications: the monitoring page reads its history there, on every dyno, without restart.
Applications are split by their ``APPLICATION_DATE`` when they have one (the latest month, or
``--period YYYY-MM``, or every month with ``--backfill``); without it they are dated ``--as-of``
(default: today). A month of 20 to 299 applications is stored with its rates but no drift figures
(``--backfill`` only); under 20 it is not described. Exit code 0
on success, 2 on bad input (one ``error:`` line), and 3 with ``--fail-on-drift`` when the dataset
drifted (for schedulers that alert on failure).
"""
from __future__ import annotations

import argparse
import datetime as dt
import html
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from app.cli.history import run_month, split_by_month
from app.cli.paths import file_problem
from app.config import get_settings
from app.figures.drift import distribution_figure, drift_ranking_figure
from app.i18n import normalise_language, translate
from app.presenters.dictionary import data_dictionary
from app.scoring import drift
from app.scoring.bundle import PORTFOLIO_FILE, ModelBundle, ModelNotFoundError
from app.scoring.data import DataValidationError, prepare_applications, read_table
from app.scoring.drift_report import DriftReport
from app.scoring.history import DATE_COLUMN, drift_computable, parse_day, parse_period
from app.scoring.monitoring import (
    PORTFOLIO_CURRENT,
    importance,
    model_drift_report,
    portfolio_samples,
    reference_inputs,
)
from app.security.db import get_engine, init_db

TOP_HTML_FEATURES = 10


def _day(text: str) -> dt.date:
    try:
        return parse_day(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _month(text: str) -> str:
    try:
        return parse_period(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, default=get_settings().model_dir,
                        help="model folder whose portfolio is the reference (default: CREDIT_MODEL_DIR, %(default)s)")
    parser.add_argument("--current", type=Path, help="applications file to compare (default: the portfolio's new applications)")
    parser.add_argument("--json", type=Path, help="output JSON (default: <model-dir>/drift_report.json)")
    parser.add_argument("--html", type=Path, help="output HTML (default: <model-dir>/drift_report.html)")
    parser.add_argument("--lang", default="fr", choices=("fr", "en"), help="language of the HTML report (default: %(default)s)")
    parser.add_argument("--fail-on-drift", action="store_true", help="exit with code 3 when the dataset drifted")
    parser.add_argument("--as-of", type=_day, help="date of the applications when they have no APPLICATION_DATE "
                        "column, YYYY-MM-DD (default: today)")
    parser.add_argument("--period", type=_month, help="month to compute, YYYY-MM, among dated applications "
                        "(default: the latest month)")
    parser.add_argument("--backfill", action="store_true", help="compute and store every month of the applications "
                        "(the JSON/HTML describe the latest)")
    parser.add_argument("--database-url", default=get_settings().database_url,
                        help="database where each run is stored for the monitoring page (default: DATABASE_URL)")
    parser.add_argument("--no-store", action="store_true", help="write the JSON/HTML files only, store nothing")
    return parser.parse_args(argv)


def _label(name: str, lang: str) -> str:
    if name == drift.PREDICTION:
        return translate("monitoring.prediction_label", lang)
    dictionary = data_dictionary()
    return dictionary.label(name, lang) if name in dictionary else name


def _scale(name: str) -> float:
    dictionary = data_dictionary()
    if name == drift.PREDICTION:
        return 100.0
    return 100.0 if name in dictionary and dictionary.info(name).unit == "percent" else 1.0


def render_html(report: DriftReport, lang: str) -> str:
    """A self-contained page: verdict, prediction drift, riskiest drifts, top distributions, table."""
    esc = html.escape
    ds = report.dataset
    verdict = translate("monitoring.verdict.drift" if ds.drift else "monitoring.verdict.stable", lang)
    detail = translate("monitoring.verdict.detail", lang, n=ds.n_drifted, total=ds.n_features,
                       share=f"{100 * ds.share_drifted:.0f} %", limit=f"{100 * report.thresholds.dataset_share:.0f} %")
    figures = []
    if report.prediction is not None:
        figures.append((translate("monitoring.prediction.title", lang),
                        distribution_figure(report.prediction.histogram, _label(drift.PREDICTION, lang) + " (%)",
                                            lang, scale=100.0)))
    risky = report.features[:15]
    figures.append((translate("monitoring.risk.title", lang),
                    drift_ranking_figure(risky, {r.feature: _label(r.feature, lang) for r in risky}, lang)))
    for row in report.features[:TOP_HTML_FEATURES]:
        figures.append((_label(row.feature, lang), distribution_figure(row.histogram, _label(row.feature, lang),
                                                                           lang, scale=_scale(row.feature))))
    parts = [fig.to_html(full_html=False, include_plotlyjs="inline" if i == 0 else False)
             for i, (_, fig) in enumerate(figures)]
    head = ["feature", "method", "statistic", "psi", "score", "importance", "status"]
    rows = "".join(
        "<tr>" + "".join(f"<td>{esc(str(v))}</td>" for v in (
            _label(r.feature, lang), translate(f"monitoring.method.{r.method}", lang),
            f"{r.statistic:.3f}" if r.statistic is not None else "—",
            f"{r.psi:.3f} ({translate('monitoring.psi.' + r.psi_level, lang)})" if r.psi is not None else "—",
            f"{r.drift_score:.2f}" if r.drift_score is not None else "—",
            f"{100 * r.importance:.0f} %" if r.importance is not None else "—",
            ("⚠ " if r.drifted else "") + translate("monitoring.flag." + ("drifted" if r.drifted else "stable"), lang),
        )) + "</tr>" for r in report.features)
    sections = "".join(f"<h2>{esc(title)}</h2>{part}" for (title, _), part in zip(figures, parts, strict=True))
    current = report.current.label if report.current is not None else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{esc(translate('monitoring.heading', lang))}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}}table{{border-collapse:collapse;font-size:.85rem}}
td,th{{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}}.drift{{color:#D55E00}}.ok{{color:#009E73}}</style></head>
<body><h1>{esc(translate('monitoring.heading', lang))}</h1>
<p>{esc(translate('monitoring.intro', lang, ref=report.reference_rows, cur=report.current_rows,
                  source=current, date=report.created_at))}</p>
<p class="{'drift' if ds.drift else 'ok'}"><strong>{esc(verdict)}</strong> {esc(detail)}</p>
{sections}
<h2>{esc(translate('monitoring.risk.table', lang, n=len(report.features)))}</h2>
<table><thead><tr>{''.join(f'<th>{esc(translate("monitoring.col." + h, lang))}</th>' for h in head)}</tr></thead>
<tbody>{rows}</tbody></table></body></html>
"""


def _current(args: argparse.Namespace, new: pd.DataFrame) -> tuple[pd.DataFrame, str, str]:
    """(applications, source, label) to compare: the portfolio's new ones or ``--current FILE``, with
    their ``APPLICATION_DATE`` when the file has one (the validation keeps only the schema's columns)."""
    if args.current is None:
        return new, PORTFOLIO_CURRENT, "new applications of the portfolio"
    raw = read_table(args.current)
    current, warnings = prepare_applications(raw.drop(columns=["TARGET", DATE_COLUMN], errors="ignore"),
                                             source=args.current.name, labelled=False)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    if DATE_COLUMN in raw.columns:
        dates = pd.to_datetime(raw[DATE_COLUMN], errors="coerce")
        bad = raw[DATE_COLUMN].notna() & dates.isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataValidationError(f"{args.current.name}: column {DATE_COLUMN}: {raw[DATE_COLUMN].iloc[row]!r} "
                                      f"(row {row + 1}) is not a date", source=args.current.name, column=DATE_COLUMN)
        by_id = current["SK_ID_CURR"].map(dict(zip(raw["SK_ID_CURR"], dates, strict=True))).rename(DATE_COLUMN)
        current = pd.concat([current, by_id], axis=1)  # one block added, not an insert into ~120
    return current, args.current.name, f"applications of {args.current.name}"


def _months(args: argparse.Namespace, current: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The months to compute: all of them (--backfill), --period, or the latest one."""
    as_of = args.as_of
    undated = DATE_COLUMN not in current.columns or not current[DATE_COLUMN].notna().any()  # column, all empty
    if undated and as_of is None:
        as_of = dt.datetime.now(dt.UTC).date()
        print(f"note: the applications have no {DATE_COLUMN}: dated {as_of.isoformat()} (today); "
              "give --as-of YYYY-MM-DD to date them")
    months = split_by_month(current, as_of)
    if args.backfill:
        return months
    period = args.period or max(months)
    if period not in months:
        raise DataValidationError(f"no application in {period} (months present: {', '.join(sorted(months))})",
                                  source="applications")
    return {period: months[period]}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    lang = normalise_language(args.lang)
    started = time.perf_counter()
    json_path = args.json or args.model_dir / drift.REPORT_FILE
    html_path = args.html or args.model_dir / drift.REPORT_HTML_FILE
    problem = file_problem(json_path, "--json") or file_problem(html_path, "--html")
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    label = "applications"
    try:
        bundle = ModelBundle.load(args.model_dir)
        portfolio = args.model_dir / PORTFOLIO_FILE
        if not portfolio.exists():
            from app.resources import rebuild_demo_portfolio  # demo only

            rebuild_demo_portfolio(bundle, portfolio)
        labelled, new = portfolio_samples(portfolio)
        current, source, label = _current(args, new)
        if not len(current):
            raise DataValidationError("no current applications to compare (the portfolio has no new "
                                      "applications); give them with --current FILE", source=source)
        months = _months(args, current)
        engine = None if args.no_store else get_engine(args.database_url)
        if engine is not None:
            init_db(engine)
        computable = [p for p, rows in months.items() if drift_computable(len(rows))]
        latest = max(computable) if args.backfill and computable else max(months)
        report = None
        prepared = reference_inputs(bundle, labelled) if len(labelled) else None
        weights = importance(bundle)
        for period, rows in months.items():
            # the month written to JSON/HTML must be large enough for a verdict (raises otherwise)
            month_report = (model_drift_report(bundle, labelled, rows, current_source=source, current_label=label,
                                               prepared=prepared, weights=weights)
                            if period == latest or drift_computable(len(rows)) else None)
            if period == latest:
                report = month_report
            if engine is not None:
                stored = run_month(engine, bundle, labelled, rows, period, source=source, label=label,
                                   report=month_report)
                print(f"{period}: {len(rows)} applications " + ("stored" if stored else "(fewer than 20: not described)"))
    except drift.DriftSampleTooSmall as exc:
        print(f"error: {label}: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"error: the monitoring database cannot be written ({type(exc).__name__}: "
              f"{str(exc).splitlines()[0][:200]}); check DATABASE_URL", file=sys.stderr)
        return 2
    except (DataValidationError, ModelNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    assert report is not None  # the latest month's report was computed or DriftSampleTooSmall raised
    try:
        drift.write_report(report, json_path)
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(render_html(report, lang), encoding="utf-8")
    except OSError as exc:  # read-only folder, full disk
        print(f"error: cannot write the report: {exc}", file=sys.stderr)
        return 2
    ds = report.dataset
    top = ", ".join(f"{r.feature} ({r.drift_score:.2f})" for r in report.features[:5])
    print(f"drift {latest}: {ds.n_drifted}/{ds.n_features} features drifted ({ds.share_drifted:.0%}) -> "
          f"{'DATASET DRIFT' if ds.drift else 'no dataset drift'}; riskiest: {top}")
    print(f"written {json_path} and {html_path} in {time.perf_counter() - started:.1f}s")
    return 3 if args.fail_on_drift and ds.drift else 0


if __name__ == "__main__":
    sys.exit(main())
