"""Group analysis of the portfolio page against hand-computed values and a brute-force pandas sort."""
import numpy as np
import pandas as pd
import pytest

from app.scoring.cohorts import MIN_COHORT_SIZE, CohortFilter, add_derived_columns
from app.scoring.groups import EMPTY, OK, TOO_SMALL, PortfolioAnalysis
from app.scoring.metrics import CostModel


def served_frame(n: int = 100, seed: int = 0) -> pd.DataFrame:
    """A served-like frame (category text, float32 numbers): 60 labelled then 40 new clients."""
    rng = np.random.default_rng(seed)
    labelled = np.arange(n) < int(n * 0.6)
    proba = rng.uniform(0, 0.5, n)
    target = np.where(labelled, (rng.uniform(size=n) < proba).astype(float), np.nan)
    frame = pd.DataFrame({
        "SK_ID_CURR": np.arange(100_000, 100_000 + n),
        "DAYS_BIRTH": -rng.uniform(20, 70, n) * 365.25, "DAYS_EMPLOYED": -rng.uniform(0, 20, n) * 365.25,
        "CODE_GENDER": pd.Categorical(rng.choice(["F", "M"], n)),
        "NAME_INCOME_TYPE": pd.Categorical(np.where(np.arange(n) % 2 == 0, "Working", "Pensioner")),
        "NAME_EDUCATION_TYPE": pd.Categorical(["Higher education"] * n),
        "NAME_FAMILY_STATUS": pd.Categorical(["Married"] * n), "NAME_CONTRACT_TYPE": pd.Categorical(["Cash loans"] * n),
        "NAME_HOUSING_TYPE": pd.Categorical(["House / apartment"] * n),
        "REGION_RATING_CLIENT": rng.choice([1.0, 2.0, 3.0], n).astype("float32"),
        "AMT_INCOME_TOTAL": rng.uniform(3e4, 3e5, n).astype("float32"),
        "AMT_CREDIT": np.round(rng.uniform(5e4, 1e6, n), 0).astype("float32"),
        "AMT_ANNUITY": rng.uniform(5e3, 5e4, n).astype("float32"),
        "EXT_SOURCE_1": rng.uniform(size=n).astype("float32"), "EXT_SOURCE_2": rng.uniform(size=n).astype("float32"),
        "EXT_SOURCE_3": np.where(rng.uniform(size=n) < 0.2, np.nan, rng.uniform(size=n)).astype("float32"),
        "PROBA_DEFAULT": proba.astype("float32"),
        "PROBA_OOF": np.where(labelled, np.clip(proba + rng.normal(0, 0.05, n), 0, 1), np.nan).astype("float32"),
        "TARGET": target, "IS_LABELLED": labelled,
    })
    frame["DECISION"] = pd.Categorical(np.where(proba >= 0.2, "refused", "granted"))
    frame["GRADE"] = pd.Categorical(np.select([proba < 0.08, proba < 0.14, proba < 0.2, proba < 0.4], list("ABCD"), "E"))
    return add_derived_columns(frame).set_index("SK_ID_CURR")


@pytest.fixture(scope="module")
def frame():
    return served_frame()


@pytest.fixture(scope="module")
def an(frame):
    return PortfolioAnalysis(frame, 0.2, CostModel(10, 1))


def test_summary_status_and_hand_computed_kpis(an, frame):
    assert an.summary(CohortFilter(income_type=("Nobody",))).status == EMPTY
    small = CohortFilter(grade=("A",), income_type=("Working",))
    n_small = int(((frame["GRADE"] == "A") & (frame["NAME_INCOME_TYPE"] == "Working")).sum())
    assert 0 < n_small < MIN_COHORT_SIZE
    s = an.summary(small)
    assert s.status == TOO_SMALL and s.n == n_small and s.kpis is None
    workers = an.summary(CohortFilter(income_type=("Working",)))
    sub = frame[frame["NAME_INCOME_TYPE"] == "Working"]
    assert workers.status == OK and workers.kpis["n"] == 50
    assert workers.kpis["approval_rate"] == pytest.approx((sub["PROBA_DEFAULT"] < 0.2).mean())
    known = sub[sub["IS_LABELLED"]]
    assert workers.kpis["default_rate"] == pytest.approx(known["TARGET"].mean())
    y, p = known["TARGET"].to_numpy(), known["PROBA_OOF"].to_numpy(dtype=float)
    expected_cost = (10 * np.sum((p < 0.2) & (y == 1)) + np.sum((p >= 0.2) & (y == 0))) / len(known)
    assert workers.kpis["cost_per_client"] == pytest.approx(expected_cost)
    assert workers.kpis["expected_loss"] == pytest.approx(float((sub["PROBA_DEFAULT"].astype(float) * sub["AMT_CREDIT"]).sum()), rel=1e-5)


def test_group_without_known_outcome_has_no_default_rate_nor_cost(an):
    s = an.summary(CohortFilter(population="new"))
    assert s.status == OK and s.kpis["n"] == 40 and s.kpis["n_known_outcome"] == 0
    assert s.kpis["default_rate"] is None and s.kpis["cost_per_client"] is None
    assert an.feature_by_outcome(CohortFilter(population="new"), "AGE_YEARS") is None
    rates = an.segment_rates(CohortFilter(population="new"), "income_type")
    assert rates["default_rate"].isna().all() and rates["n"].sum() == 40


def few_known_frame() -> pd.DataFrame:
    """``served_frame`` whose last 45 clients (5 labelled, then the 40 new ones) rent their home."""
    frame = served_frame()
    housing = np.where(np.arange(len(frame)) >= 55, "Rented apartment", "House / apartment")
    return frame.assign(NAME_HOUSING_TYPE=pd.Categorical(housing))


def test_group_with_few_known_outcomes_has_no_default_rate_nor_cost():
    an = PortfolioAnalysis(few_known_frame(), 0.2, CostModel(10, 1))
    s = an.summary(CohortFilter(housing=("Rented apartment",)))
    assert s.status == OK and s.kpis["n"] == 45 and s.kpis["n_known_outcome"] == 5
    assert s.kpis["default_rate"] is None and s.kpis["cost_per_client"] is None
    assert s.kpis["approval_rate"] is not None  # about all 45 clients


def test_groups_that_few_clients_tell_apart_are_not_compared(an, frame):
    from app.scoring.privacy import DifferencingRisk

    workers = CohortFilter(income_type=("Working",))
    credits = np.sort(frame.loc[frame["NAME_INCOME_TYPE"] == "Working", "AMT_CREDIT"].to_numpy(dtype=float))
    all_but_7 = CohortFilter(income_type=("Working",), credit=(None, float(credits[-8])))
    assert an.summary(all_but_7).n == 43
    assert an.comparison_risk(workers, all_but_7) == DifferencingRisk(7, False)
    assert an.comparison_risk(workers, workers) is None
    assert an.comparison_risk(workers, CohortFilter(income_type=("Pensioner",))) is None  # 50 apart on each side
    few = PortfolioAnalysis(few_known_frame(), 0.2)
    # everyone vs the 55 house owners: 45 clients apart, but only 5 of them with a known outcome
    assert few.comparison_risk(CohortFilter(), CohortFilter(housing=("House / apartment",))) == DifferencingRisk(5, True)


def test_memoised_by_filter_and_read_only(an):
    f = CohortFilter(income_type=("Pensioner",))
    assert an.mask(f) is an.mask(CohortFilter(income_type=("Pensioner",)))
    with pytest.raises(ValueError):
        an.mask(f)[0] = True


def test_score_histogram_splits_exactly_at_the_threshold(an, frame):
    h = an.score_histogram(CohortFilter())
    assert np.any(np.isclose(h.edges, 20.0))
    assert h.totals == {"granted": int((frame["PROBA_DEFAULT"] < 0.2).sum()), "refused": int((frame["PROBA_DEFAULT"] >= 0.2).sum())}
    centres = (h.edges[:-1] + h.edges[1:]) / 2
    assert h.counts["granted"][centres > 20].sum() == 0 and h.counts["refused"][centres < 20].sum() == 0
    assert an.score_histogram(CohortFilter(income_type=("Nobody",))) is None


def test_segment_rates_hand_computed_and_small_segments_hidden(an, frame):
    rates = an.segment_rates(CohortFilter(), "income_type").set_index("segment")
    pens = frame[frame["NAME_INCOME_TYPE"] == "Pensioner"]
    assert rates.loc["Pensioner", "n"] == len(pens)
    assert rates.loc["Pensioner", "approval_rate"] == pytest.approx((pens["PROBA_DEFAULT"] < 0.2).mean())
    assert rates.loc["Pensioner", "default_rate"] == pytest.approx(pens.loc[pens["IS_LABELLED"], "TARGET"].mean())
    by_grade = an.segment_rates(CohortFilter(), "grade").set_index("segment")
    for _grade, row in by_grade.iterrows():
        assert np.isnan(row["approval_rate"]) == (row["n"] < MIN_COHORT_SIZE)
        assert np.isnan(row["default_rate"]) == (row["n_known"] < MIN_COHORT_SIZE)
    ratings = an.segment_rates(CohortFilter(), "region_rating")
    assert set(ratings["segment"]) <= {"1", "2", "3"}  # float32 ratings named as the filters spell them
    with pytest.raises(KeyError):
        an.segment_rates(CohortFilter(), "shoe_size")


def test_segment_rates_do_not_give_a_hidden_segment_back_by_subtraction():
    # housing: 40 owners (all known), 25 municipal (20 known), 5 renters and 30 with parents (all new)
    housing = np.repeat(["House / apartment", "Municipal apartment", "Rented apartment", "With parents"], [40, 25, 5, 30])
    frame = served_frame().assign(NAME_HOUSING_TYPE=pd.Categorical(housing))
    rates = PortfolioAnalysis(frame, 0.2).segment_rates(CohortFilter(), "housing").set_index("segment")
    assert rates["n"].tolist() == [40, 25, 5, 30] and rates["n_known"].tolist() == [40, 20, 0, 0]
    # the 5 renters' approval rate hidden alone would be (100 x group rate - the three others) / 5:
    # the smallest shown segment (25 municipal) is hidden with it
    assert rates["approval_rate"].isna().tolist() == [False, True, True, False]
    assert rates["default_rate"].isna().tolist() == [False, False, True, True]  # nothing known to give back


def test_feature_by_outcome_counts_every_known_client():
    frame = served_frame(400, seed=1)
    an = PortfolioAnalysis(frame, 0.2)
    h = an.feature_by_outcome(CohortFilter(), "AGE_YEARS")
    known = frame[frame["IS_LABELLED"]]
    assert h.totals == {"repaid": int((known["TARGET"] == 0).sum()), "difficulties": int((known["TARGET"] == 1).sum())}
    h3 = an.feature_by_outcome(CohortFilter(), "EXT_SOURCE_3")  # missing values are left out, not binned
    assert sum(h3.totals.values()) == int(known["EXT_SOURCE_3"].notna().sum())
    with pytest.raises(KeyError):
        an.feature_by_outcome(CohortFilter(), "DAYS_BIRTH")
    assert an.feature_by_outcome(CohortFilter(grade=("A",)), "AGE_YEARS") is None  # < 20 defaulters: not shown


@pytest.mark.parametrize("column", ["AMT_CREDIT", "PROBA_DEFAULT", "AMT_INCOME_TOTAL", "GRADE", "OUTCOME", "SK_ID_CURR"])
@pytest.mark.parametrize("descending", [False, True])
def test_pages_match_a_full_sort(column, descending):
    frame = served_frame(500, seed=3)
    frame["AMT_CREDIT"] = np.round(frame["AMT_CREDIT"] / 1e5).astype("float32") * 1e5  # many ties
    frame.loc[frame.index[::7], "AMT_INCOME_TOTAL"] = np.nan  # missing values
    an = PortfolioAnalysis(frame, 0.2)
    f = CohortFilter(income_type=("Working",))
    sub = frame[f.mask(frame)].reset_index()
    key = {"OUTCOME": "TARGET", "SK_ID_CURR": "SK_ID_CURR"}.get(column, column)
    values = sub[key].cat.codes.replace(-1, np.nan) if isinstance(sub[key].dtype, pd.CategoricalDtype) else sub[key]
    sub = sub.assign(_key=values.astype(float), _missing=values.isna())
    present = sub[~sub["_missing"]].sort_values(["_key", "SK_ID_CURR"], ascending=not descending)
    expected = present["SK_ID_CURR"].tolist() + sorted(sub.loc[sub["_missing"], "SK_ID_CURR"])  # missing: last, by id
    seen = []
    for page in range(0, 30):
        rows, total = an.page(f, column, descending, page, 20)
        assert total == len(sub)
        seen.extend(frame.index[rows].tolist())
    assert seen == expected  # every client once, in order, missing values last


def test_categories_sort_alphabetically_whatever_their_stored_order():
    frame = served_frame(120, seed=5)
    frame["GRADE"] = frame["GRADE"].cat.reorder_categories(["C", "E", "A", "D", "B"])  # e.g. read as a dictionary
    an = PortfolioAnalysis(frame, 0.2)
    rows, _ = an.page(CohortFilter(), "GRADE", False, 0, 120)
    grades = frame["GRADE"].iloc[rows].astype(str).tolist()
    assert grades == sorted(grades)


def test_page_bounds(an):
    rows, total = an.page(CohortFilter(), None, False, 99, 20)
    assert len(rows) == 0 and total == 100
    rows, _ = an.page(CohortFilter(), None, False, -3, 10_000)
    assert len(rows) == 100
    with pytest.raises(KeyError):
        an.page(CohortFilter(), "PASSWORD", False, 0, 20)


def test_clients_of_a_group_below_the_floor_are_not_listed(an, frame):
    small = CohortFilter(grade=("A",), income_type=("Working",))
    assert an.summary(small).status == TOO_SMALL and an.mask(small).sum() > 0
    rows, total = an.page(small, "OUTCOME", False, 0, 20)
    assert len(rows) == 0 and total == 0
    assert len(an.members(small)) == 0
    workers = CohortFilter(income_type=("Working",))
    assert frame.index[an.members(workers)].tolist() == frame.index[frame["NAME_INCOME_TYPE"] == "Working"].tolist()


def test_sort_ranks_are_built_once_at_construction_and_read_only(an):
    from app.scoring.group_arrays import SORTABLE

    ranks = an._ranks
    assert set(ranks) == set(SORTABLE)  # nothing left to fill lazily by concurrent threads
    with pytest.raises(TypeError):
        ranks["AMT_CREDIT"] = np.zeros(1)  # type: ignore[index]
    for column in SORTABLE:
        rank = an.rank(column)
        assert rank is ranks[column] and not rank.flags.writeable
        assert sorted(rank.tolist()) == list(range(len(an.frame)))
    with pytest.raises(KeyError):
        an.rank("__dict__")


# -- every cell of a chart (bar, bin, segment) holds 0 or at least MIN_COHORT_SIZE clients ----------------
def _safe(counts) -> bool:
    counts = np.asarray(counts)
    return bool(np.all((counts == 0) | (counts >= MIN_COHORT_SIZE)))


def test_feature_bins_of_each_outcome_hold_zero_or_twenty_known_outcomes():
    """The tester's per-bin leak: a bin of the "payment difficulties" line read "1 clients"."""
    frame = served_frame(400, seed=1)
    an = PortfolioAnalysis(frame, 0.2)
    for feature in ("AGE_YEARS", "AMT_INCOME_TOTAL", "EMPLOYED_YEARS", "EXT_SOURCE_1"):
        h = an.feature_by_outcome(CohortFilter(), feature)
        assert h.totals["difficulties"] >= MIN_COHORT_SIZE
        for key, counts in h.counts.items():
            assert _safe(counts), (feature, key, counts.tolist())
            assert counts.sum() == h.totals[key]  # merged, not dropped: every client still counted
        assert h.edges[0] == an.feature_edges[feature][0] and h.edges[-1] == an.feature_edges[feature][-1]
        assert set(h.edges) <= set(an.feature_edges[feature])  # wider bars on the same axis


def test_score_bins_hold_zero_or_twenty_clients_and_stay_on_one_side_of_the_threshold(an, frame):
    h = an.score_histogram(CohortFilter(income_type=("Working",)))
    assert all(_safe(c) for c in h.counts.values())
    assert np.any(np.isclose(h.edges, 20.0))
    centres = (h.edges[:-1] + h.edges[1:]) / 2
    assert h.counts["granted"][centres > 20].sum() == 0 and h.counts["refused"][centres < 20].sum() == 0
    workers = frame[frame["NAME_INCOME_TYPE"] == "Working"]
    shown = h.counts["granted"].sum() + h.counts["refused"].sum()
    assert shown == len(workers) or h.hidden.any()


def nested_frame() -> pd.DataFrame:
    """200 clients, all with a known outcome. 22 have a small credit: 2 commercial associates and
    20 pensioners. A = everyone, B = credit >= 100,000 € (the 22 left out: the groups differ by 22,
    enough to be compared). In the "Commercial associate" cell A holds 42 clients and B 40."""
    frame = served_frame(200, seed=2)
    income = np.array(["Commercial associate"] * 2 + ["Pensioner"] * 20 + ["Commercial associate"] * 40
                      + ["Working"] * 78 + ["Pensioner"] * 60)
    credit = np.where(np.arange(200) < 22, 50_000.0, 500_000.0).astype("float32")
    return frame.assign(NAME_INCOME_TYPE=pd.Categorical(income), AMT_CREDIT=credit, IS_LABELLED=True,
                        TARGET=(np.arange(200) % 5 == 0).astype(float))


def test_segments_of_two_groups_compared_differ_by_zero_or_twenty_clients():
    """The tester's A/B leak: A's and B's whole groups differ by 22 clients (allowed), but their
    "Commercial associate" bars by 2, whose approval and default rates were the difference."""
    an = PortfolioAnalysis(nested_frame(), 0.2)
    a, b = CohortFilter(), CohortFilter(credit=(100_000.0, None))
    assert an.comparison_risk(a, b) is None
    tables = {"a": an.segment_rates(a, "income_type", other=b).set_index("segment"),
              "b": an.segment_rates(b, "income_type", other=a).set_index("segment")}
    for rate, n in (("approval_rate", "n"), ("default_rate", "n_known")):
        both = tables["a"][rate].notna() & tables["b"][rate].reindex(tables["a"].index).notna()
        gaps = (tables["a"].loc[both, n] - tables["b"].loc[both.index[both], n]).abs()
        assert _safe(gaps), (rate, gaps.to_dict())
        assert not both.get("Commercial associate", False)
        # hidden in one, hidden in the other: B's bar cannot undo A's secondary suppression
        hidden_a = set(tables["a"].index[tables["a"][rate].isna()])
        hidden_b = set(tables["b"].index[tables["b"][rate].isna()])
        assert hidden_a & set(tables["b"].index) == hidden_b & set(tables["a"].index)
    # alone, each group shows all of its segments (they are large enough)
    assert an.segment_rates(a, "income_type")["approval_rate"].notna().all()


def test_histograms_of_two_groups_compared_differ_by_zero_or_twenty_per_bin():
    an = PortfolioAnalysis(nested_frame(), 0.2)
    a, b = CohortFilter(), CohortFilter(credit=(100_000.0, None))
    for name, ask in (("score", lambda f, o: an.score_histogram(f, other=o)),
                      ("age", lambda f, o: an.feature_by_outcome(f, "AGE_YEARS", other=o))):
        ha, hb = ask(a, b), ask(b, a)
        if ha is None or hb is None:
            continue
        assert np.array_equal(ha.edges, hb.edges), name  # the same bars on both sides
        assert np.array_equal(ha.hidden, hb.hidden), name
        for key in ha.counts:
            assert _safe(ha.counts[key]) and _safe(hb.counts[key]), name
            assert _safe(np.abs(ha.counts[key] - hb.counts[key])), (name, key)
