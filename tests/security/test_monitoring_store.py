"""The monitoring tables on SQLite and PostgreSQL: latest run per month, full report, decisions, outcomes."""
import datetime as dt

import pytest

from app.monitoring_store import (
    has_history,
    history,
    latest_report,
    outcomes,
    period_decisions,
    store_outcomes,
    store_run,
)
from app.scoring.history import DecisionRates, InputDrift, PeriodSummary
from app.security.decisions import record_decision


def _summary(period: str, psi: float | None) -> PeriodSummary:
    inputs = () if psi is None else (InputDrift("EXT_SOURCE_3", psi, psi / 0.2, 1.0, psi / 0.2, psi >= 0.2, True),)
    return PeriodSummary(period=period, n_applications=400, reference_rows=1500, mean_proba=0.08, approval_rate=0.9,
                         decisions=DecisionRates(0, None, None), score_psi=psi, score_drift=None if psi is None else 0.3,
                         score_drifted=None if psi is None else False, inputs=inputs)


def test_history_keeps_the_latest_run_of_each_month_of_this_model(engine):
    from app.scoring.drift_report import DriftReport
    from tests.scoring.test_drift_report import _demo  # the committed demo report

    report = DriftReport.from_dict(_demo())
    assert not has_history(engine, "model-a")
    store_run(engine, "model-a", _summary("2026-02", 0.05), source="portfolio-new", reference="ref", report=report)
    store_run(engine, "model-a", _summary("2026-01", 0.30), source="portfolio-new", reference="ref", report=report)
    store_run(engine, "model-a", _summary("2026-02", 0.12), source="batch.csv", reference="ref", report=None)
    store_run(engine, "model-b", _summary("2026-03", 0.90), source="portfolio-new", reference="ref", report=report)
    months = history(engine, "model-a")
    assert [(m.period, m.score_psi) for m in months] == [("2026-01", 0.30), ("2026-02", 0.12)]
    assert months[0].inputs[0].feature == "EXT_SOURCE_3" and months[0].inputs[0].drifted
    period, stored = latest_report(engine, "model-a")
    assert period == "2026-01" and stored == report  # 2026-02's latest run has no report: not a JSON null
    assert has_history(engine, "model-b") and latest_report(engine, "nobody") is None


def test_decision_rates_use_the_latest_decision_per_client(engine):
    at = dt.datetime(2026, 1, 10, tzinfo=dt.UTC)
    first = [record_decision(engine, client_id=i, username="o", model_decision="granted", final_decision="granted",
                             now=at) for i in range(25)]
    for i in range(5):  # 5 clients later revised to an override: their latest decision counts
        record_decision(engine, client_id=i, username="o", model_decision="granted", final_decision="refused",
                        reason="recent_incident", revises_id=first[i].id, revision_reason="new information",
                        now=at + dt.timedelta(days=1))
    rates = period_decisions(engine, list(range(25)) + [999])
    assert rates.n_decisions == 25 and rates.override_rate == pytest.approx(0.2)
    assert rates.granted_rate == pytest.approx(0.8)
    assert period_decisions(engine, list(range(10))).override_rate is None  # under 20 decisions


def test_outcomes_are_replaced_not_doubled(engine):
    row = dict(client_id=1, target=0, outcome_date=dt.date(2026, 5, 1), application_period="2026-01",
               proba_default=0.1, decision="granted", model_key="model-a")
    store_outcomes(engine, [row, dict(row, client_id=2, target=1)])
    store_outcomes(engine, [dict(row, target=1)])
    frame = outcomes(engine, "model-a")
    assert sorted(frame["TARGET"].tolist()) == [1, 1] and len(frame) == 2
    assert outcomes(engine, "model-b").empty
