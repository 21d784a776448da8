"""Exclusions and monotone directions: configured, recorded in the card, obeyed by the served model."""
import json

import numpy as np
import pytest

from app.config import NEVER_REFUSED_FOR, PROTECTED_ATTRIBUTES
from app.scoring.bundle import CARD_FILE, ModelBundle
from app.scoring.features import MODEL_EXCLUSIONS, excluded_inputs, feature_names
from app.scoring.schema import application_schema
from app.training.model import MONOTONE_DIRECTIONS, applicable_directions


def test_social_circle_counts_are_never_model_inputs():
    social = [n for n in application_schema().names if n.endswith("_SOCIAL_CIRCLE")]
    assert len(social) == 4 and set(social) <= set(excluded_inputs())
    assert not set(social) & set(feature_names(loan_terms=True))
    assert set(PROTECTED_ATTRIBUTES) <= set(MODEL_EXCLUSIONS) and "*_SOCIAL_CIRCLE" in NEVER_REFUSED_FOR


def test_an_exclusion_that_matches_nothing_is_an_error():
    with pytest.raises(ValueError, match="matches no application column"):
        excluded_inputs(("*_SOCIAL_CIRCLES",))


def test_directions_apply_to_numeric_inputs_present_only():
    assert applicable_directions({"EXT_SOURCE_1": -1, "INTEREST_RATE_EST": 1}, ["EXT_SOURCE_1", "AGE_YEARS"], []) \
        == {"EXT_SOURCE_1": -1}
    with pytest.raises(ValueError, match="OCCUPATION_TYPE"):
        applicable_directions({"OCCUPATION_TYPE": 1}, ["OCCUPATION_TYPE"], ["OCCUPATION_TYPE"])
    with pytest.raises(ValueError, match="AGE_YEARS"):
        applicable_directions({"AGE_YEARS": 2}, ["AGE_YEARS"], [])


def test_the_card_records_exclusions_and_directions(small_model_dir):
    out, card, _, _ = small_model_dir
    assert card.format_version == 2
    assert card.features.excluded == excluded_inputs()
    assert dict(card.features.monotone) == {k: v for k, v in MONOTONE_DIRECTIONS.items() if k in card.features.names}
    assert len(card.features.monotone) >= 8
    raw = json.loads((out / CARD_FILE).read_text(encoding="utf-8"))
    assert raw["features"]["excluded"] == list(excluded_inputs())
    bundle = ModelBundle.load(out)
    assert set(bundle.protected) == set(MODEL_EXCLUSIONS) and not set(bundle.protected) & set(bundle.feature_names)


def test_the_served_model_is_monotone_in_each_constrained_input(small_model_dir):
    """Probability along a grid of each constrained input, every other input of the client fixed."""
    out, card, labelled, _ = small_model_dir
    bundle = ModelBundle.load(out)
    X = bundle.features(labelled.iloc[:60])
    for feature, direction in card.features.monotone.items():
        known = X[feature].dropna()
        grid = np.linspace(known.quantile(0.01), known.quantile(0.99), 25)
        for i in range(0, 60, 6):
            rows = X.iloc[[i] * len(grid)].copy()
            rows[feature] = grid
            steps = np.diff(bundle.proba(rows)) * direction
            assert (steps >= -1e-12).all(), f"{feature} is not monotone ({direction:+d}) for row {i}"
