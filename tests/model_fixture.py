"""A small trained model folder shared by the domain, training and presenter tests (trained once per session)."""
import pytest

from app.scoring.data import prepare_applications
from app.scoring.metrics import CostModel
from app.training.model import SEARCH_SPACE, TrainConfig
from app.training.pipeline import run_training
from tests.factories import make_applications

SMALL_CONFIG = TrainConfig(seed=7, n_folds=3, max_iterations=150, early_stopping_rounds=30, learning_rate=0.1,
                           search_space=SEARCH_SPACE[:2], search_budget_seconds=1e9,  # never cut: deterministic
                           thread_count=2,
                           costs=CostModel(10, 1))


@pytest.fixture(scope="session")
def small_model_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("model")
    labelled, _ = prepare_applications(make_applications(1500, seed=11), source="train", labelled=True)
    new, _ = prepare_applications(make_applications(300, seed=12, labelled=False, first_id=900_000),
                                  source="new", labelled=False)
    card = run_training(labelled, new, out, config=SMALL_CONFIG, source={"kind": "test"}, log=lambda m: None)
    return out, card, labelled, new
