"""Pure domain layer: data loading, synthetic portfolio, features, model, explanations.

No Dash or Plotly import is allowed anywhere under this package (a test enforces it).
"""
