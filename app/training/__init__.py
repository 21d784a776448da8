"""Offline training: cross-validated search, baselines, the training pipeline, the synthetic-portfolio fit.

Imported only by the command-line tools (``app/cli``) and the tests: the web process serves a trained
model folder through ``app.scoring`` and never fits anything (a test checks that no page or server module
imports this package).
"""
