"""Key-figure tiles of the portfolio page, built from the pure group analysis (no browser)."""
from app.components.portfolio_panels import KpiBlock
from app.scoring.cohorts import CohortFilter
from app.scoring.groups import PortfolioAnalysis
from app.scoring.metrics import CostModel
from tests.pages.governance_support import component_text
from tests.scoring.test_groups import few_known_frame


def _block(filter_: CohortFilter, lang: str = "fr") -> tuple[dict[str, str], str]:
    """(value of each tile by its key, every text of the block) for one group of ``few_known_frame``."""
    an = PortfolioAnalysis(few_known_frame(), 0.2, CostModel(10, 1))
    block = KpiBlock("a", an.summary(filter_), an.threshold, an.costs, lang)
    values = {}

    def walk(node):
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
        elif hasattr(node, "children"):
            if str(getattr(node, "id", "")).startswith("portfolio-a-kpi-"):
                values[node.id.removeprefix("portfolio-a-kpi-")] = node.children
            walk(node.children)

    walk(block)
    return values, component_text(block)


def test_default_rate_of_a_few_known_outcomes_is_withheld_and_says_why():
    # 45 clients of whom 5 have a known outcome: "100,0 % sur 5 clients" must not appear
    values, text = _block(CohortFilter(housing=("Rented apartment",)))
    assert values["n"] == "45" and values["default"] == "—" and values["cost"] == "—"
    assert "seulement 5 clients à l'issue connue" in text and "au moins 20" in text
    assert "sur 5 clients" not in text
    _, en = _block(CohortFilter(housing=("Rented apartment",)), "en")
    assert "only 5 clients with a known outcome" in en


def test_group_without_any_known_outcome_keeps_its_own_note():
    values, text = _block(CohortFilter(population="new"))
    assert values["default"] == "—" and "aucune issue connue" in text
