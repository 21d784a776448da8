"""Reasons of a decision: largest contributions first, plain sentences, actionable flag, no protected attribute."""
import pandas as pd
import pytest

from app.config import PROTECTED_ATTRIBUTES
from app.presenters.reasons import ProtectedReasonError, actionable_text, reason_sentence, top_reasons
from app.scoring.explain import OTHER_FEATURES


def steps(rows):
    return pd.DataFrame(rows, columns=["feature", "value", "points"])


STEPS = steps([("EXT_SOURCE_MEAN", 0.21, 4.0), ("ANNUITY_INCOME_RATIO", 0.32, 3.1), ("AGE_YEARS", 27.4, -1.2),
               ("AMT_CREDIT", 500000.0, 0.01), ("CREDIT_TERM", 24.0, -2.5), (OTHER_FEATURES, None, 9.0)])


def test_largest_contributions_first_skipping_other_and_zero():
    reasons = top_reasons(STEPS, "fr")
    assert [r.feature for r in reasons] == ["EXT_SOURCE_MEAN", "ANNUITY_INCOME_RATIO", "CREDIT_TERM", "AGE_YEARS"]
    assert all(r.feature != OTHER_FEATURES for r in top_reasons(STEPS, "fr", n=10))
    assert "AMT_CREDIT" not in [r.feature for r in top_reasons(STEPS, "fr", n=10)]  # rounds to 0.0 points


def test_sentences_in_french_and_english_with_units_and_signed_points():
    reason = top_reasons(STEPS, "fr")[1]
    assert reason_sentence(reason, "fr") == "Taux d'endettement : annuité / revenu = 32\u00a0% — augmente le risque (+3,1 points)"
    en = top_reasons(STEPS, "en")[1]
    assert reason_sentence(en, "en") == "Debt-service ratio: annuity / income = 32% — raises the risk (+3.1 points)"
    age = top_reasons(STEPS, "fr")[3]
    assert reason_sentence(age, "fr").startswith("Âge = 27 ans — diminue le risque (\u22121,2 points)")


def test_actionable_flag_comes_from_the_dictionary():
    by_feature = {r.feature: r for r in top_reasons(STEPS, "fr")}
    assert by_feature["ANNUITY_INCOME_RATIO"].actionable and not by_feature["AGE_YEARS"].actionable
    assert actionable_text(by_feature["AGE_YEARS"], "fr") == "Le client ne peut pas le changer"


def test_missing_value_reads_in_words():
    reason = top_reasons(steps([("OCCUPATION_TYPE", "MISSING", 1.0)]), "fr")[0]
    assert "= non renseigné —" in reason_sentence(reason, "fr")


@pytest.mark.parametrize("protected", PROTECTED_ATTRIBUTES)
def test_protected_attribute_is_refused(protected):
    with pytest.raises(ProtectedReasonError):
        top_reasons(steps([("AGE_YEARS", 30.0, 1.0), (protected, "F", 2.0)]), "fr")
