"""Pure domain layer: data loading, the synthetic portfolio, features, the served model, explanations, cohorts.

No Dash, Flask or Plotly import is allowed anywhere under this package, nor any import of the training
(``app.training``) or presenter (``app.presenters``) layers above it; ``tests/test_layering.py`` checks both.
"""
