"""The model page says in words which model is better on which figure."""
from __future__ import annotations

from dataclasses import replace

from app.presenters.model_verdict import verdict_sentences
from app.scoring.model_card import Scores

OURS = Scores(roc_auc=0.7578, average_precision=0.25, log_loss=0.24, brier=0.0676, ece=0.002, ece_quantile=0.003,
              threshold=0.09, cost_per_client=261.7, approval_rate=0.7)


def test_each_figure_names_the_better_model_with_both_values():
    logistic = replace(OURS, roc_auc=0.7469, cost_per_client=271.7, brier=0.0676)
    auc, cost, brier = verdict_sentences(OURS, {"logistic_regression": logistic}, "fr")
    assert auc.startswith("Pouvoir de séparation") and "ce modèle fait mieux" in auc and "0,758 contre 0,747" in auc
    assert "ce modèle fait mieux" in cost and "262\u00a0€ contre 272\u00a0€" in cost
    assert "jeu égal" in brier  # equal once rounded as shown: not reported as a difference


def test_a_worse_model_is_said_to_be_worse():
    logistic = replace(OURS, roc_auc=0.7700, cost_per_client=250.0)
    auc, cost, _ = verdict_sentences(OURS, {"logistic_regression": logistic}, "en")
    assert auc.startswith("Separation (AUC") and "the logistic regression does better" in auc
    assert "(0.770 against 0.758)" in auc
    assert "the logistic regression does better" in cost and "€250 against €262" in cost


def test_no_baseline_no_sentence():
    assert verdict_sentences(OURS, {}, "fr") == []
