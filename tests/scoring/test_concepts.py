"""Concepts: every model input in exactly one, and a concept's contribution the exact sum of its inputs."""
import numpy as np
import pytest

from app.config import PROTECTED_ATTRIBUTES
from app.scoring.concepts import CONCEPT_OF, CONCEPTS, Concept, _index, concept_logits, concept_steps, undeclared
from app.scoring.explain import explain_row
from app.scoring.features import feature_names


@pytest.mark.parametrize("loan_terms", [False, True])
def test_every_model_input_has_a_concept(loan_terms):
    """Also the inputs of models trained before the exclusions (social circle): they still load."""
    assert undeclared(feature_names(PROTECTED_ATTRIBUTES, loan_terms=loan_terms)) == []
    assert undeclared(feature_names(loan_terms=loan_terms)) == []


def test_a_concept_declares_only_model_inputs():
    every = set(feature_names(PROTECTED_ATTRIBUTES, loan_terms=True))
    assert set(CONCEPT_OF) == every


def test_an_input_in_two_concepts_is_refused():
    with pytest.raises(ValueError, match="AGE_YEARS belongs to two concepts"):
        _index((*CONCEPTS, Concept("again", ("AGE_YEARS",), actionable=False, headline=())))
    with pytest.raises(ValueError, match="quotes inputs it does not hold"):
        _index((Concept("x", ("AGE_YEARS",), actionable=False, headline=("AMT_CREDIT",)),))


def test_concepts_add_up_exactly_for_trained_clients(small_model_dir):
    from app.scoring.bundle import ModelBundle

    out, _, labelled, _ = small_model_dir
    bundle = ModelBundle.load(out)
    X = bundle.features(labelled.iloc[:40])
    for i in range(0, 40, 7):
        expl = explain_row(bundle, X.iloc[[i]])
        logits = concept_logits(expl)
        for key, value in logits.items():
            members = [f for f in expl.contributions.index if CONCEPT_OF.get(f) and CONCEPT_OF[f].key == key]
            assert value == pytest.approx(float(expl.contributions[members].sum()), abs=1e-12)
        steps = concept_steps(expl)
        assert steps["points"].sum() == pytest.approx(100 * (expl.proba - expl.base_proba), abs=1e-9)
        assert steps["end"].iloc[-1] == pytest.approx(100 * expl.proba, abs=1e-9)
        assert list(steps["logit"].abs()) == sorted(steps["logit"].abs(), reverse=True)
        assert sorted(f for inputs in steps["inputs"] for f in inputs) == sorted(X.columns)
        assert np.isclose(steps["logit"].sum(), expl.logit - expl.base_logit)
