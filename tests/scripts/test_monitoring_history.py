"""drift_report.py stores a run per month in the database; record_outcomes.py stores outcomes."""
import datetime as dt

import pandas as pd
import pytest

from app.monitoring_store import history, latest_report, model_key, outcomes
from app.scoring.bundle import ModelBundle
from app.scoring.history import banner
from app.scoring.monitoring import model_signature
from app.security.db import get_engine, init_db
from app.security.decisions import record_decision
from tests.monitoring_support import MONTHS, SHIFTED_MONTH, dated_model_dir, outcomes_file


def _key(directory) -> str:
    return model_key(model_signature(ModelBundle.load(directory)))


def test_backfill_stores_every_described_month_with_rates_drift_and_decisions(tmp_path, _own_database, capsys):
    from app.cli import drift_report

    folder = dated_model_dir()
    engine = get_engine(_own_database)
    init_db(engine)
    january = pd.read_parquet(folder / "portfolio.parquet")
    january = january[january["APPLICATION_DATE"].dt.strftime("%Y-%m") == "2026-01"]["SK_ID_CURR"].head(20)
    for i, client in enumerate(january):  # 5 of 20 logged decisions depart from the model
        model = "granted"
        record_decision(engine, client_id=client, username="officer", model_decision=model,
                        final_decision="refused" if i < 5 else model, reason="recent_incident" if i < 5 else None,
                        now=dt.datetime(2026, 1, 20, tzinfo=dt.UTC))
    assert drift_report.main(["--model-dir", str(folder), "--backfill", "--json", str(tmp_path / "r.json"),
                              "--html", str(tmp_path / "r.html")]) == 0
    months = history(engine, _key(folder))
    assert [m.period for m in months] == [m for m, n in MONTHS.items() if n >= 20]  # 2026-06 (10) not described
    assert [m.n_applications for m in months] == [320, 320, 320, 320, 60]
    assert months[0].decisions.override_rate == pytest.approx(0.25) and months[1].decisions.override_rate is None
    assert months[-1].score_psi is None and not months[-1].inputs and months[-1].approval_rate > 0  # rates only
    shifted = next(m for m in months if m.period == SHIFTED_MONTH)
    assert shifted.score_psi > 0.2 and banner(shifted).level == "alert"
    assert banner(shifted).cause.startswith("EXT_SOURCE")
    period, report = latest_report(engine, _key(folder))
    assert period == SHIFTED_MONTH and report.current_rows == 320  # 2026-05 is too small for a report
    assert "2026-06: 10 applications (fewer than 20: not described)" in capsys.readouterr().out


def test_a_new_run_supersedes_the_month_and_undated_files_take_as_of(tmp_path, _own_database):
    from app.cli import drift_report
    from tests.factories import make_applications

    folder = dated_model_dir()
    batch = tmp_path / "batch.csv"
    make_applications(350, seed=8, labelled=False, first_id=990_000).to_csv(batch, index=False)
    args = ["--model-dir", str(folder), "--current", str(batch), "--json", str(tmp_path / "r.json"),
            "--html", str(tmp_path / "r.html")]
    assert drift_report.main([*args, "--as-of", "2026-07-15"]) == 0
    engine = get_engine(_own_database)
    assert [(m.period, m.n_applications) for m in history(engine, _key(folder))] == [("2026-07", 350)]
    assert latest_report(engine, _key(folder))[1].current.source == "batch.csv"
    with pytest.raises(SystemExit) as exc:
        drift_report.main([*args, "--as-of", "15/07/2026"])
    assert exc.value.code == 2


def test_record_outcomes_stores_each_client_once_with_its_month_and_score(tmp_path, _own_database, capsys):
    from app.cli import record_outcomes

    folder = dated_model_dir()
    frame = outcomes_file(folder)
    frame.loc[len(frame)] = [123, 1, "2026-11-30"]  # not in the portfolio
    path = tmp_path / "outcomes.csv"
    frame.to_csv(path, index=False)
    assert record_outcomes.main(["--input", str(path), "--model-dir", str(folder)]) == 0
    assert record_outcomes.main(["--input", str(path), "--model-dir", str(folder)]) == 0  # replaced, not doubled
    assert "1 of 641 outcomes concern clients absent" in capsys.readouterr().err
    stored = outcomes(get_engine(_own_database), _key(folder))
    assert len(stored) == 640 and set(stored["period"]) == {"2026-01", "2026-02"}
    assert stored["PROBA_DEFAULT"].between(0, 1).all() and set(stored["DECISION"]) <= {"granted", "refused"}


@pytest.mark.parametrize("content, message", [
    ("SK_ID_CURR,TARGET\n700000,2\n", "column TARGET must be 0 or 1"),
    ("SK_ID_CURR\n700000\n", "missing required column TARGET"),
    ("SK_ID_CURR,TARGET,OUTCOME_DATE\n700000,1,yesterday\n", "OUTCOME_DATE must hold dates YYYY-MM-DD; found 'yesterday' at row 1"),
    ("SK_ID_CURR,TARGET\n700000,1\n700000,0\n", "must be unique"),
])
def test_bad_outcome_files_are_refused_with_one_line(tmp_path, capsys, content, message):
    from app.cli import record_outcomes

    path = tmp_path / "bad.csv"
    path.write_text(content)
    assert record_outcomes.main(["--input", str(path), "--model-dir", str(dated_model_dir())]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: bad.csv") and message in err, err


def test_no_store_writes_the_files_only_and_undated_runs_are_dated_today(tmp_path, _own_database, capsys):
    from app.cli import drift_report
    from tests.pages.governance_support import tiny_model_dir

    folder = tiny_model_dir()  # undated portfolio
    files = ["--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html")]
    assert drift_report.main(["--model-dir", str(folder), "--no-store", *files]) == 0
    engine = get_engine(_own_database)
    init_db(engine)
    assert history(engine, _key(folder)) == [] and (tmp_path / "r.json").exists()
    assert drift_report.main(["--model-dir", str(folder), *files]) == 0
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m")
    assert [m.period for m in history(engine, _key(folder))] == [today]
    assert "give --as-of YYYY-MM-DD to date them" in capsys.readouterr().out


def test_first_start_backfill_skips_an_undated_portfolio_and_runs_once(_own_database):
    from app.cli.history import backfill_if_empty
    from tests.pages.governance_support import tiny_model_dir

    engine = get_engine(_own_database)
    init_db(engine)
    said = []
    assert backfill_if_empty(engine, tiny_model_dir(), log=said.append) == 0
    assert said == ["no backfill: the portfolio's new applications have no APPLICATION_DATE"]


def test_the_demo_backfill_knows_the_outcomes_of_its_older_months(tmp_path):
    """A fresh clone's monitoring page shows realised performance: the demo's own older applications
    get their drawn outcomes, as a lender's outcome file would give them; a real-data model gets none."""
    from dataclasses import replace

    from app.cli.history import demo_outcomes
    from app.config import DEFAULT_MODEL_DIR
    from app.scoring.synth_history import demo_history

    bundle = ModelBundle.load(DEFAULT_MODEL_DIR)
    source = bundle.card.source
    known = demo_outcomes(bundle)
    history_ = demo_history(source.n_labelled, source.n_new, seed=source.seed)
    new = history_.new.set_index("SK_ID_CURR")
    assert len(known) >= 20 and set(known["TARGET"]) == {0, 1}
    assert set(known["SK_ID_CURR"]) <= set(new.index)  # outcomes of new applications only
    oldest_unknown = new.drop(index=known["SK_ID_CURR"])["APPLICATION_DATE"].min()
    assert new.loc[known["SK_ID_CURR"], "APPLICATION_DATE"].max() < oldest_unknown  # the older months only
    real = replace(bundle, card=replace(bundle.card, source=replace(source, kind="home-credit")))
    assert demo_outcomes(real).empty


def test_backfill_records_the_generator_outcomes_when_the_new_applications_carry_none(_own_database, monkeypatch):
    """The portfolio's new applications have a TARGET column, all empty: the backfill must then take
    the demo's drawn outcomes (it used to see the empty column and record nothing)."""
    from app.cli import history as backfilling

    folder = dated_model_dir()
    known = outcomes_file(folder)[["SK_ID_CURR", "TARGET"]]
    new = pd.read_parquet(folder / "portfolio.parquet").query("not IS_LABELLED")
    assert "TARGET" not in new or new["TARGET"].isna().all()
    monkeypatch.setattr(backfilling, "demo_outcomes", lambda bundle: known)
    engine = get_engine(_own_database)
    init_db(engine)
    backfilling.backfill(engine, ModelBundle.load(folder), log=lambda m: None)
    stored = outcomes(engine, _key(folder))
    assert len(stored) == len(known) > 20
    assert sorted(stored["period"].unique()) == ["2026-01", "2026-02"]
