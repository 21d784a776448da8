"""Differences between two groups stated in words (FR default, EN)."""
import pytest

from app.presenters.group_compare import MINUS, describe_differences, difference

A = dict(n=1000, n_known_outcome=800, approval_rate=0.90, mean_proba=0.080, default_rate=0.070,
         cost_per_client=0.50, exposure=5e8, expected_loss=2e7)


def test_default_rate_in_points_french_and_english():
    assert difference("portfolio.kpi.default_rate", 0.070, 0.091, "points") == \
        "Taux de défaut observé : +2,1 points dans B"
    assert difference("portfolio.kpi.default_rate", 0.070, 0.091, "points", "en") == \
        "Observed default rate: +2.1 points in B"
    assert difference("portfolio.kpi.approval_rate", 0.90, 0.89, "points") == \
        f"Taux d'acceptation au seuil : {MINUS}1,0 point dans B"


def test_tiny_differences_are_called_identical_not_zero():
    assert difference("portfolio.kpi.mean_proba", 0.08, 0.0804, "points") == \
        "Probabilité moyenne de défaut : identique dans A et B"


@pytest.mark.parametrize("lang, more, fewer", [("fr", "B compte 250 clients de plus que A", "B compte 250 clients de moins que A"),
                                               ("en", "B has 250 more clients than A", "B has 250 fewer clients than A")])
def test_group_sizes(lang, more, fewer):
    assert difference("portfolio.kpi.n", 1000, 1250, "count", lang) == more
    assert difference("portfolio.kpi.n", 1250, 1000, "count", lang) == fewer


def test_every_figure_is_compared_and_unknown_outcomes_are_not_comparable():
    b = dict(A, n=500, default_rate=None, cost_per_client=None, n_known_outcome=0, exposure=3e8, expected_loss=2e7)
    lines = describe_differences(A, b)
    assert len(lines) == 7
    assert "Taux de défaut observé : non comparable (aucune issue connue dans B)" in lines
    assert "Coût métier par client : non comparable (aucune issue connue dans B)" in lines
    # per client: 600 000 € vs 500 000 € exposure, 40 000 € vs 20 000 € expected loss
    assert "Encours moyen par client : +100\u00a0000\u00a0€ dans B" in lines
    assert "Perte attendue par client : +20\u00a0000\u00a0€ dans B" in lines
    en = describe_differences(b, A, "en")
    assert "Observed default rate: not comparable (no known outcome in A)" in en
    assert f"Mean exposure per client: {MINUS}€100,000 in B" in en


def test_outcome_figures_withheld_under_the_floor_are_said_so():
    b = dict(A, n=500, default_rate=None, cost_per_client=None, n_known_outcome=3)
    lines = describe_differences(A, b)
    assert "Taux de défaut observé : non comparable (moins de 20 clients à l'issue connue dans B)" in lines
    assert "Observed default rate: not comparable (fewer than 20 clients with a known outcome in B)" in \
        describe_differences(A, b, "en")


def test_business_cost_in_euros():
    """The costs are the settings' euros: a difference of cost per client is an amount, never "units"."""
    assert difference("portfolio.kpi.cost_per_client", 250.5, 262.62, "cost") == \
        "Coût métier par client : +12,12\u00a0€ dans B"
    assert difference("portfolio.kpi.cost_per_client", 250.5, 253.0, "cost", "en") == \
        "Business cost per client: +€2.50 in B"
