"""Monthly monitoring runs: split applications by month, compute each month's drift and rates, store.

Shared by ``scripts/drift_report.py`` (one month, or ``--backfill`` every month of the portfolio),
``scripts/record_outcomes.py`` and the first start of the development server (which backfills the
demo's months, so a fresh clone shows a history). Offline code: the web process only reads the rows.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from app.monitoring_store import has_history, model_key, period_decisions, store_outcomes, store_run
from app.scoring.bundle import PORTFOLIO_FILE, ModelBundle
from app.scoring.data import DataValidationError
from app.scoring.drift_report import DriftReport
from app.scoring.history import (
    DATE_COLUMN,
    PeriodSummary,
    application_months,
    describable,
    drift_computable,
    summarise,
)
from app.scoring.monitoring import (
    importance,
    model_drift_report,
    model_signature,
    portfolio_samples,
    reference_inputs,
)

REFERENCE = "portfolio-labelled"


@dataclass(frozen=True)
class MonthRun:
    summary: PeriodSummary
    report: DriftReport | None


def split_by_month(current: pd.DataFrame, as_of: dt.date | None) -> dict[str, pd.DataFrame]:
    """The applications of each month: by their ``APPLICATION_DATE`` when they have one, else all of
    them in the month of ``as_of``. Without either there is no period: ``DataValidationError``."""
    if DATE_COLUMN in current.columns and current[DATE_COLUMN].notna().any():
        months = application_months(current[DATE_COLUMN]).to_numpy()
        return {str(m): current[months == m].reset_index(drop=True) for m in sorted({m for m in months if m})}
    if as_of is None:
        raise DataValidationError(f"the applications have no {DATE_COLUMN} column: give the date they were "
                                  "received with --as-of YYYY-MM-DD", source="applications")
    return {as_of.strftime("%Y-%m"): current}


def run_month(engine: Engine, bundle: ModelBundle, labelled: pd.DataFrame, current: pd.DataFrame, period: str, *,
              source: str, label: str, report: DriftReport | None = None,
              prepared: tuple[pd.DataFrame, np.ndarray] | None = None, weights: pd.Series | None = None,
              ) -> MonthRun | None:
    """Compute (unless ``report`` is given) and store one month; None (nothing stored) under
    ``MIN_COHORT_SIZE`` applications. Drift is computed from ``MIN_DRIFT_SAMPLE`` applications on,
    rates from 20."""
    if not describable(len(current)):
        return None
    if report is None and drift_computable(len(current)) and drift_computable(len(labelled)):
        report = model_drift_report(bundle, labelled, current, current_source=source, current_label=label,
                                    prepared=prepared, weights=weights)
    proba = (current["PROBA_DEFAULT"].to_numpy(float) if "PROBA_DEFAULT" in current
             else bundle.proba(bundle.features(current)))
    decisions = period_decisions(engine, current["SK_ID_CURR"].tolist())
    summary = summarise(period, proba, bundle.threshold, len(labelled), report, decisions)
    store_run(engine, model_key(model_signature(bundle)), summary, source=source, reference=REFERENCE, report=report)
    return MonthRun(summary, report)


def outcome_rows(bundle: ModelBundle, scored: pd.DataFrame, outcomes: pd.DataFrame) -> tuple[list[dict], int]:
    """Rows for ``observed_outcomes``: each outcome joined with the probability and decision given to
    its application (``scored``: portfolio rows). Returns (rows, number of unknown clients)."""
    known = scored.drop_duplicates("SK_ID_CURR").set_index("SK_ID_CURR")
    ids = outcomes["SK_ID_CURR"].astype("int64").to_numpy()
    present = np.isin(ids, known.index.to_numpy())
    matched = known.loc[ids[present]]
    months = (application_months(matched[DATE_COLUMN]).to_numpy() if DATE_COLUMN in matched
              else np.full(len(matched), None))
    dates = (pd.to_datetime(outcomes["OUTCOME_DATE"], errors="coerce")[present] if "OUTCOME_DATE" in outcomes
             else pd.Series(pd.NaT, index=range(int(present.sum()))))
    key = model_key(model_signature(bundle))
    rows = [{"client_id": int(client), "target": int(target), "outcome_date": None if pd.isna(day) else day.date(),
             "application_period": month, "proba_default": float(proba), "decision": str(decision), "model_key": key}
            for client, target, day, month, proba, decision in zip(
                ids[present], outcomes["TARGET"].to_numpy()[present], dates, months,
                matched["PROBA_DEFAULT"].to_numpy(), matched["DECISION"].to_numpy(), strict=True)]
    return rows, int((~present).sum())


def backfill(engine: Engine, bundle: ModelBundle, portfolio: Path | None = None, *,
             log: Callable[[str], None] = print) -> list[MonthRun]:
    """Every month of the portfolio's dated new applications, one stored run each, oldest first; the
    outcomes already known in the portfolio (new applications with a TARGET) are recorded too."""
    path = portfolio or bundle.directory / PORTFOLIO_FILE
    if not path.exists():
        from app.resources import rebuild_demo_portfolio  # demo only

        rebuild_demo_portfolio(bundle, path)
    labelled, new = portfolio_samples(path)
    if DATE_COLUMN not in new.columns or not new[DATE_COLUMN].notna().any():
        log(f"no backfill: the portfolio's new applications have no {DATE_COLUMN}")
        return []
    runs = []
    prepared, weights = reference_inputs(bundle, labelled), importance(bundle)  # once for every month
    for period, rows in split_by_month(new, None).items():
        run = run_month(engine, bundle, labelled, rows, period, source="portfolio-new",
                        label="new applications of the portfolio", prepared=prepared, weights=weights)
        if run is None:
            log(f"{period}: {len(rows)} applications, fewer than 20: not described")
            continue
        runs.append(run)
        s = run.summary
        log(f"{period}: {s.n_applications} applications, score PSI "
            f"{'-' if s.score_psi is None else f'{s.score_psi:.3f}'}")
    labelled_new = new["TARGET"].notna() if "TARGET" in new else pd.Series(False, index=new.index)
    known = new.loc[labelled_new, ["SK_ID_CURR", "TARGET"]] if labelled_new.any() else demo_outcomes(bundle)
    if len(known):
        rows, _ = outcome_rows(bundle, new, known)
        log(f"{store_outcomes(engine, rows)} known outcomes recorded")
    return runs


def demo_outcomes(bundle: ModelBundle) -> pd.DataFrame:
    """The realised outcomes of the demo's older new applications (``SK_ID_CURR, TARGET``), drawn again
    from the generator with the card's own parameters, as ``record_outcomes.py`` would store them from a
    lender's file; empty for a model not trained on the synthetic demo."""
    source = bundle.card.source
    if source.kind != "synthetic-demo" or source.n_labelled is None or source.n_new is None or source.seed is None:
        return pd.DataFrame({"SK_ID_CURR": [], "TARGET": []})
    from app.scoring.synth_history import demo_history

    outcomes = demo_history(source.n_labelled, source.n_new, seed=source.seed).outcomes
    return outcomes[["SK_ID_CURR", "TARGET"]]


def backfill_if_empty(engine: Engine, model_dir: Path, *, log: Callable[[str], None] = print) -> int:
    """First start in development: backfill when this model has no history yet. Returns months stored."""
    bundle = ModelBundle.load(model_dir)
    if has_history(engine, model_key(model_signature(bundle))):
        return 0
    return len(backfill(engine, bundle, log=log))

