"""A model folder whose new applications are dated over several months (the demo's contract:
``APPLICATION_DATE`` on every new application), built from the tiny test model.

Months: 2026-01 to 2026-04 with 320 applications each (drift computable), the external scores
(the strongest inputs) halved in 2026-04 only; 2026-05 with 60 (rates, no drift figures); 2026-06 with 10 (not described).
Outcomes are known for the granted and refused applications of 2026-01 and 2026-02 (``TARGET``
drawn from the model's own probabilities, so the model is calibrated on them by construction).
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

MONTHS = {"2026-01": 320, "2026-02": 320, "2026-03": 320, "2026-04": 320, "2026-05": 60, "2026-06": 10}
SHIFTED_MONTH = "2026-04"


@lru_cache(maxsize=1)
def strongest_input() -> str:
    from app.scoring.governance import mean_abs_shap
    from tests.pages.governance_support import tiny_model_dir

    return str(mean_abs_shap(pd.read_parquet(tiny_model_dir() / "shap_sample.parquet")).idxmax())


def dated_applications(first_id: int = 700_000, seed: int = 31) -> pd.DataFrame:
    """Raw new applications with ``APPLICATION_DATE``, the external scores halved in ``SHIFTED_MONTH``."""
    from tests.factories import make_applications

    frames, next_id = [], first_id
    for i, (month, n) in enumerate(MONTHS.items()):
        frame = make_applications(n, seed=seed + i, labelled=False, first_id=next_id)
        days = np.random.default_rng(i).integers(1, 28, n)
        frame["APPLICATION_DATE"] = [f"{month}-{d:02d}" for d in days]
        if month == SHIFTED_MONTH:  # the external scores feed the model's strongest inputs
            for column in ("EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"):
                frame[column] = pd.to_numeric(frame[column], errors="coerce") * 0.5
        frames.append(frame)
        next_id += n
    return pd.concat(frames, ignore_index=True)


@lru_cache(maxsize=1)
def dated_model_dir() -> Path:
    """A copy of the tiny model folder whose portfolio's new applications are :func:`dated_applications`."""
    from app.scoring.bundle import PORTFOLIO_FILE, ModelBundle
    from app.scoring.data import prepare_applications
    from app.scoring.portfolio import build_portfolio, write_portfolio
    from tests.pages.governance_support import tiny_model_dir

    out = Path(tempfile.mkdtemp(prefix="dated-model-")) / "model"
    atexit.register(shutil.rmtree, out, ignore_errors=True)  # one per test session, not one per run left behind
    shutil.copytree(tiny_model_dir(), out)
    old = pd.read_parquet(out / PORTFOLIO_FILE)
    labelled = old[old["IS_LABELLED"]].drop(columns=["IS_LABELLED", "PROBA_DEFAULT", "PROBA_OOF", "DECISION", "GRADE"])
    raw = dated_applications()
    new, _ = prepare_applications(raw, source="dated", labelled=False)  # the loader keeps APPLICATION_DATE
    bundle = ModelBundle.load(out)
    oof = old.loc[old["IS_LABELLED"], ["SK_ID_CURR", "PROBA_OOF"]]
    write_portfolio(build_portfolio(bundle, labelled, new, oof=oof), out / PORTFOLIO_FILE)
    (out / "drift_report.json").unlink(missing_ok=True)
    return out


def outcomes_file(directory: Path, months=("2026-01", "2026-02"), seed: int = 3) -> pd.DataFrame:
    """SK_ID_CURR, TARGET, OUTCOME_DATE of the given months' applications (TARGET ~ Bernoulli(proba))."""
    portfolio = pd.read_parquet(directory / "portfolio.parquet")
    rows = portfolio[portfolio["APPLICATION_DATE"].dt.strftime("%Y-%m").isin(months)]
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"SK_ID_CURR": rows["SK_ID_CURR"].to_numpy(),
                         "TARGET": (rng.random(len(rows)) < rows["PROBA_DEFAULT"].to_numpy()).astype(int),
                         "OUTCOME_DATE": "2026-11-30"})
