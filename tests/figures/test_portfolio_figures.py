"""Portfolio figure builders: aggregated data in, labelled colour-blind-safe figure out."""
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from app.figures import portfolio as figures
from app.figures.style import BLUE, ORANGE, VERMILLION
from app.scoring.groups import Histogram


def _valid(fig):
    """The builders skip plotly.py's validation for speed: validate here instead (raises on a typo)."""
    go.Figure(fig.to_dict())
    return fig


def test_score_distribution_marks_the_threshold_and_names_both_decisions():
    hist = Histogram(np.array([0, 5, 10, 15, 20.0]), {"granted": np.array([10, 30, 0, 0]), "refused": np.array([0, 0, 8, 2])},
                     {"granted": 40, "refused": 10})
    fig = _valid(figures.score_distribution(hist, 0.10, "fr"))
    granted, refused = fig.data
    assert granted.name == "Accordé (sous le seuil)" and refused.name.startswith("Refusé")
    assert granted.marker.color == BLUE and refused.marker.color == ORANGE and refused.marker.pattern.shape == "/"
    assert list(np.round(granted.y, 6)) == [20, 60, 0, 0]  # % of the whole group
    assert fig.layout.shapes[0].x0 == 10  # threshold line at 10 %
    assert fig.layout.annotations[0].text == "seuil 10,0\u00a0%"
    assert fig.layout.xaxis.title.text == "Probabilité de défaut (%)" and fig.layout.yaxis.title.text == "Clients (% du groupe)"
    assert figures.score_distribution(hist, 0.10, "en").layout.annotations[0].text == "threshold 10.0%"
    assert figures.score_distribution(None, 0.1, "fr").data == ()


def test_segment_rates_write_values_and_counts_and_hide_small_segments():
    table = pd.DataFrame({"segment": ["Working", "Student"], "n": [120, 5], "approval_rate": [0.9, np.nan],
                          "n_known": [100, 3], "default_rate": [0.08, np.nan]})
    fig = _valid(figures.segment_rates(table, "Type de revenu", "fr", {"Working": "Salarié"}))
    approval, default = fig.data
    assert list(approval.x) == ["Salarié", "Student"]
    assert approval.text[0] == "90,0\u00a0%<br>n=120" and approval.text[1] == "—"
    assert default.text[0] == "8,0\u00a0%<br>n=100" and default.marker.color == VERMILLION
    assert any("moins de 20 clients" in a.text for a in fig.layout.annotations)
    assert [row[1] for row in approval.customdata] == ["90,0 %", "—"]  # a hidden rate hovers as "—", not 0,0 %
    assert "%{y" not in approval.hovertemplate
    assert fig.layout.yaxis.title.text == "Taux (%)" and fig.layout.xaxis.title.text == "Type de revenu"


def test_feature_by_outcome_shares_per_outcome():
    hist = Histogram(np.array([0, 1, 2.0]), {"repaid": np.array([30, 70]), "difficulties": np.array([15, 5])},
                     {"repaid": 100, "difficulties": 20})
    fig = _valid(figures.feature_by_outcome(hist, "Montant du crédit (€)", "fr"))
    repaid, difficulties = fig.data
    assert list(repaid.y) == [30, 70] and list(difficulties.y) == [75, 25]
    assert repaid.name == "Remboursé (n=100)" and difficulties.line.dash == "dash"
    assert fig.layout.xaxis.title.text == "Montant du crédit (€)"


def _hover_counts(trace) -> list[str]:
    return [str(row[0]) for row in trace.customdata]


def test_no_hover_writes_a_count_under_the_floor():
    """The tester's leak: the "Difficultés de paiement" hover read "1 clients"; a segment whose rate
    is hidden hovered "— (3 clients)". The builders never write a count of 1 to 19."""
    hist = Histogram(np.array([0, 1, 2.0]), {"repaid": np.array([30, 70]), "difficulties": np.array([19, 1])},
                     {"repaid": 100, "difficulties": 20})
    fig = figures.feature_by_outcome(hist, "x", "fr")
    assert _hover_counts(fig.data[1]) == ["—", "—"] and _hover_counts(fig.data[0]) == ["30", "70"]
    table = pd.DataFrame({"segment": ["Working", "Student"], "n": [120, 3], "approval_rate": [0.9, np.nan],
                          "n_known": [100, 3], "default_rate": [0.08, np.nan]})
    for trace in figures.segment_rates(table, "Type", "fr").data:
        assert trace.customdata[1][0] == "" and trace.customdata[1][1] == "—"
        assert "3" not in "".join(trace.text[1]) and "n=" not in trace.text[1]


def test_merged_bars_keep_their_width_and_show_their_share_per_standard_bin():
    # 4 standard bins of 5 points; the first two merged into one bar of 20 clients out of 100
    hist = Histogram(np.array([0, 10, 15, 20.0]), {"granted": np.array([20, 50, 0]), "refused": np.array([0, 0, 30])},
                     {"granted": 70, "refused": 30}, np.array([False, False, False]), 5.0)
    fig = _valid(figures.score_distribution(hist, 0.15, "fr"))
    granted = fig.data[0]
    assert list(granted.width) == [10, 5, 5] and list(np.round(granted.y, 6)) == [10, 50, 0]
    assert granted.customdata[0][2] == "20,0"  # the hover gives the bar's own share (20 % of the group)
    assert any("élargies" in (a.text or "") for a in fig.layout.annotations)
    assert not any("élargies" in (a.text or "") for a in figures.score_distribution(
        Histogram(hist.edges, hist.counts, hist.totals), 0.15, "fr").layout.annotations)


def test_hidden_bars_say_so_and_hover_no_figure():
    hist = Histogram(np.array([0, 10, 20.0]), {"granted": np.array([40, 0]), "refused": np.array([0, 0])},
                     {"granted": 40, "refused": 5}, np.array([False, True]), 10.0)
    fig = _valid(figures.score_distribution(hist, 0.10, "en"))
    assert _hover_counts(fig.data[1]) == ["0", "—"]
    assert any("Bars hidden" in (a.text or "") for a in fig.layout.annotations)
