"""The portfolio view round-trips through the URL; hostile or hand-edited queries never break it."""
import pytest

from app.presenters.group_view import (
    DEFAULT_FEATURE,
    DEFAULT_SEGMENT,
    PortfolioView,
    filter_from_controls,
    view_from_controls,
)
from app.scoring.cohorts import CohortFilter


def test_round_trip_with_two_groups():
    view = PortfolioView(a=CohortFilter(grade=("D", "E"), income=(1000, None)),
                         b=CohortFilter(income_type=("Pensioner",), population="labelled"),
                         compare=True, segment="education", feature="EXT_SOURCE_2")
    query = view.to_query()
    assert query.startswith("grade=D&grade=E&income_min=1000")  # group A keeps the plain cohort keys
    assert PortfolioView.from_query(query) == view
    assert PortfolioView.from_query("?" + query) == view
    assert PortfolioView().to_query() == ""
    # group B is only in the link when comparing
    assert "b=" not in PortfolioView(b=CohortFilter(grade=("A",))).to_query()


def test_dash_pages_query_dict():
    view = PortfolioView.from_query({"grade": ["A", "B"], "compare": "1", "b": "decision=refused", "segment": "grade"})
    assert view.a == CohortFilter(grade=("A", "B")) and view.b == CohortFilter(decision=("refused",))
    assert view.compare and view.segment == "grade"


@pytest.mark.parametrize("query", [
    "segment=__import__&feature=DAYS_BIRTH;drop&compare=maybe&b=%ZZ&credit_min=1e999&credit_max=-inf",
    "b=population%3Droot%26credit_min%3D5%26credit_max%3D1&grade=%3Cscript%3E", "&&&=&==", "x" * 10_000,
    "grade=" + "A&grade=" * 3000, "income_min=abc&income_max=", None, 42,
])
def test_hostile_queries_open_a_valid_view(query):
    view = PortfolioView.from_query(query)
    assert isinstance(view, PortfolioView)
    assert view.segment == DEFAULT_SEGMENT
    assert view.feature == DEFAULT_FEATURE
    PortfolioView.from_query(view.to_query())  # and it can be written back


def test_hostile_b_group_is_sanitised():
    view = PortfolioView.from_query("b=population%3Droot%26credit_min%3D5%26credit_max%3D1&compare=1")
    assert view.b == CohortFilter(credit=(1, 5))


def test_form_values_and_bad_browser_values():
    f = CohortFilter(age_band=("<25",), region_rating=("2",), credit=(None, 2e5), population="new")
    flat = {"age_band": ["<25"], "region_rating": ["2"], "grade": [], "income_min": None, "income_max": "",
            "credit_min": None, "credit_max": 2e5, "population": "new"}
    assert filter_from_controls(flat) == f
    weird = {"grade": "A", "income_type": [{"$ne": 1}, None, "Working"], "credit_min": True, "credit_max": "12",
             "population": ["labelled"], "password": "x"}
    assert filter_from_controls(weird) == CohortFilter(grade=("A",), income_type=("Working",), credit=(None, 12))
    assert filter_from_controls(None) == CohortFilter() and filter_from_controls("grade=A") == CohortFilter()
    view = view_from_controls({"grade": ["B"]}, {"grade": ["E"]}, "yes", "nope", 3)
    assert view.compare is False and view.segment == DEFAULT_SEGMENT and view.feature == DEFAULT_FEATURE
