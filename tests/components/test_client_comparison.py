"""The comparison panel's engine choice (the PostgreSQL answers are compared with these in
tests/scoring/test_portfolio_sql.py)."""
import pytest

from app.components import client_comparison as component
from app.resources import ServedModel
from tests.model_fixture import small_model_dir  # noqa: F401 - session fixture


def test_a_model_folder_portfolio_is_compared_over_its_arrays(small_model_dir, monkeypatch):
    model = ServedModel(small_model_dir[0])
    engine = component.comparison_engine(model)
    assert isinstance(engine, component.LocalComparison) and model.published is None
    monkeypatch.setattr(component, "served", lambda: model)
    client_id = int(model.local_portfolio.ids[0])
    result = component.client_comparison(client_id, "AGE_YEARS", ())
    assert result.feature == "AGE_YEARS" and result.n_cohort == len(model.local_portfolio.ids) - 1
    with pytest.raises(KeyError):  # not a column: refused as before, never looked up by name elsewhere
        component.client_comparison(client_id, "PASSWORD", ())
