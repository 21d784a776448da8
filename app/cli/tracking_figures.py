"""The calibration and cost curves of a trained folder, as self-contained HTML for its MLflow run.

The same builders as the model page (``app.figures.model``), fed from the folder's card and out-of-fold
file, so the run shows the figures a manager sees. Here, not in ``app.training``: the training layer
draws nothing (``tests/test_layering.py``). plotly.js is inlined so a figure opens offline in the
MLflow UI (about 5 MB each; the store is local and git-ignored).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from app.figures.model import calibration_figure, cost_figure
from app.scoring import bundle as files
from app.scoring.metrics import cost_curve, shown_reliability
from app.scoring.model_card import ModelCard


def run_figures(card: ModelCard, out_dir: Path, lang: str) -> dict[str, str]:
    """``{"calibration": html, "cost_curve": html}`` of the model folder ``out_dir``."""
    oof = pd.read_parquet(Path(out_dir) / files.OOF_FILE, columns=["TARGET", "PROBA_OOF"])
    threshold = card.decision.threshold
    curve = cost_curve(oof["TARGET"].to_numpy(), oof["PROBA_OOF"].to_numpy(), card.decision.costs)
    figures = {
        # bins under the privacy floor lose their rates, as on the model page
        "calibration": calibration_figure(shown_reliability([b.to_dict() for b in card.calibration.reliability]),
                                          lang),
        "cost_curve": cost_figure(curve, threshold, threshold, threshold, lang),
    }
    return {name: fig.to_html(include_plotlyjs=True, full_html=True) for name, fig in figures.items()}
