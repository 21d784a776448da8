"""Reasons of a decision by concept: in the decision's direction only, largest first, at most four,
one sentence with the client's value and a reference from at least 20 granted clients."""
import numpy as np
import pandas as pd
import pytest

from app.config import PROTECTED_ATTRIBUTES
from app.presenters.reasons import (
    N_REASONS,
    ProtectedReasonError,
    actionable_text,
    decision_reasons,
    points_sentence,
)
from app.scoring.concepts import PortfolioReference
from app.scoring.explain import Explanation
from app.scoring.privacy import MIN_COHORT_SIZE

#: input -> (client's value, contribution in log-odds). The refusal of client 1000010 gave, among
#: its four "main reasons", two that *lowered* the risk, and a social-circle count among them.
INPUTS = {
    "EXT_SOURCE_MEAN": (0.21, 0.50), "EXT_SOURCE_MIN": (0.12, 0.20), "EXT_SOURCE_MAX": (0.35, 0.10),
    "EXT_SOURCE_3": (0.12, 0.10),
    "ANNUITY_INCOME_RATIO": (0.32, 0.30), "CREDIT_INCOME_RATIO": (4.1, 0.05),
    "AGE_YEARS": (27.4, -0.60),  # lowers the risk a lot: never a reason of a refusal
    "CREDIT_TERM": (24.0, -0.40), "AMT_CREDIT": (500000.0, -0.10),
    "DEF_30_CNT_SOCIAL_CIRCLE": (2.0, 0.45),  # a fact about other people: never a reason
    "OCCUPATION_TYPE": ("Laborers", 0.08), "EMPLOYED_YEARS": (np.nan, 0.02),
    "HOUR_APPR_PROCESS_START": (10.0, 0.0001),  # rounds to 0.0 points: not a reason
}


def explanation(inputs=INPUTS, base_logit=-2.4) -> Explanation:
    contributions = pd.Series({k: v[1] for k, v in inputs.items()})
    values = pd.Series({k: v[0] for k, v in inputs.items()}, dtype=object)
    return Explanation(base_logit, contributions, values, base_logit + float(contributions.sum()))


def reference(n_granted=40) -> PortfolioReference:
    rng = np.random.default_rng(0)
    inputs = pd.DataFrame({
        "ANNUITY_INCOME_RATIO": np.r_[np.full(n_granted, 0.18), np.full(30, 0.40)],
        "EXT_SOURCE_MEAN": np.r_[np.full(n_granted, 0.57), np.full(30, 0.20)],
        "OCCUPATION_TYPE": ["Laborers"] * (n_granted // 2) + ["Sales staff"] * (n_granted - n_granted // 2)
        + ["Drivers"] * 30,
        "AGE_YEARS": rng.uniform(20, 70, n_granted + 30),
    })
    granted = np.r_[np.ones(n_granted, bool), np.zeros(30, bool)]
    return PortfolioReference.build(inputs, granted, MIN_COHORT_SIZE)


def test_a_refusal_gives_only_concepts_that_raised_the_risk_largest_first():
    reasons = decision_reasons(explanation(), "refused", reference(), "fr")
    assert [r.concept for r in reasons] == ["external_scores", "repayment_burden", "employment_income"]
    assert all(r.points > 0 for r in reasons)
    assert [r.points for r in reasons] == sorted((r.points for r in reasons), reverse=True)
    assert all(r.concept not in ("age", "loan", "social_circle", "other", "application") for r in reasons)


def test_a_grant_gives_the_concepts_that_lowered_the_risk_most():
    reasons = decision_reasons(explanation(), "granted", reference(), "fr")
    assert [r.concept for r in reasons] == ["age", "loan"] and all(r.points < 0 for r in reasons)
    assert points_sentence(reasons[0], "fr").startswith("réduit le risque de ")


def test_a_concept_is_the_exact_sum_of_its_inputs():
    reasons = decision_reasons(explanation(), "refused", None, "fr")
    scores = reasons[0]
    assert set(scores.features) == {"EXT_SOURCE_MEAN", "EXT_SOURCE_MIN", "EXT_SOURCE_MAX", "EXT_SOURCE_3"}
    # the first step of the concept waterfall: from the base probability, the sum of the four inputs
    base = 1 / (1 + np.exp(2.4))
    after = 1 / (1 + np.exp(2.4 - 0.9))
    assert scores.points == pytest.approx(100 * (after - base))


def test_at_most_four_reasons():
    many = {f"EXT_SOURCE_{i}": (0.1, 0.1) for i in (1, 2, 3)} | {
        "ANNUITY_INCOME_RATIO": (0.3, 0.2), "AGE_YEARS": (30.0, 0.2), "DOCUMENT_COUNT": (0.0, 0.2),
        "AMT_REQ_CREDIT_BUREAU_YEAR": (5.0, 0.2), "NAME_HOUSING_TYPE": ("With parents", 0.2), "AMT_CREDIT": (1e6, 0.2)}
    assert len(decision_reasons(explanation(many), "refused", None, "fr")) == N_REASONS


def test_sentences_hold_the_value_and_a_reference_from_granted_clients():
    reasons = {r.concept: r for r in decision_reasons(explanation(), "refused", reference(), "fr")}
    assert reasons["repayment_burden"].sentence == (
        "Taux d'endettement (mensualité / revenu) : 32\u00a0% — contre 18\u00a0% en médiane chez les clients accordés")
    assert reasons["external_scores"].sentence.startswith("Score externe moyen : 0,21 — contre 0,57 en médiane")
    # a category: the share of granted clients in it; a missing value is never quoted when another is known
    assert reasons["employment_income"].sentence == "Profession : Ouvriers — comme 50\u00a0% des clients accordés"
    en = {r.concept: r for r in decision_reasons(explanation(), "refused", reference(), "en")}
    assert en["repayment_burden"].sentence == (
        "Debt-service ratio (instalment / income): 32% — against a median of 18% among granted clients")


def test_no_reference_from_fewer_than_20_clients():
    small = reference(n_granted=MIN_COHORT_SIZE - 1)
    reasons = {r.concept: r for r in decision_reasons(explanation(), "refused", small, "fr")}
    assert reasons["repayment_burden"].sentence == "Taux d'endettement (mensualité / revenu) : 32\u00a0%"
    assert "clients accordés" not in reasons["employment_income"].sentence


def test_actionable_comes_from_the_concept():
    reasons = {r.concept: r for r in decision_reasons(explanation(), "refused", None, "fr")}
    assert reasons["repayment_burden"].actionable and not reasons["external_scores"].actionable
    assert actionable_text(reasons["external_scores"], "fr") == "Le client ne peut pas le changer"


def test_json_form_for_the_letter_and_the_script():
    reason = decision_reasons(explanation(), "refused", reference(), "en")[0]
    assert set(reason.to_dict()) == {"concept", "label", "points", "actionable", "features", "sentence"}
    assert reason.to_dict()["label"] == "External credit scores"


@pytest.mark.parametrize("protected", PROTECTED_ATTRIBUTES)
def test_protected_attribute_is_refused(protected):
    with pytest.raises(ProtectedReasonError):
        decision_reasons(explanation({"AGE_YEARS": (30.0, 0.1), protected: ("F", 0.2)}), "refused", None, "fr")


def test_refusals_of_a_trained_model_never_give_a_reason_that_lowers_the_risk(small_model_dir):
    from app.scoring.bundle import ModelBundle
    from app.scoring.explain import explain_row

    out, _, labelled, _ = small_model_dir
    bundle = ModelBundle.load(out)
    X = bundle.features(labelled.iloc[:300])
    proba = bundle.proba(X)
    seen = {"refused": 0, "granted": 0}
    for i in np.argsort(proba)[[*range(5), *range(-25, 0)]]:
        expl = explain_row(bundle, X.iloc[[i]])
        decision = str(bundle.decide(expl.proba))
        reasons = decision_reasons(expl, decision, None, "fr")
        assert reasons and len(reasons) <= N_REASONS
        assert all((r.points > 0) == (decision == "refused") for r in reasons)
        seen[decision] += 1
    assert seen["refused"] and seen["granted"]


def test_the_sentence_quotes_the_input_that_moved_the_concept():
    """Client 1000006: "Demandes au bureau (dernier trimestre) : 0 — contre 0" explained a rise due to
    the week's enquiry; the sentence now quotes the input that raised the risk."""
    inputs = {"AMT_REQ_CREDIT_BUREAU_QRT": (0.0, 0.01), "AMT_REQ_CREDIT_BUREAU_WEEK": (1.0, 0.3),
              "AMT_REQ_CREDIT_BUREAU_YEAR": (2.0, -0.05)}
    (reason,) = decision_reasons(explanation(inputs), "refused", None, "fr")
    assert reason.headline == "AMT_REQ_CREDIT_BUREAU_WEEK"
    assert reason.sentence == "Demandes au bureau de crédit (dernière semaine) : 1"
