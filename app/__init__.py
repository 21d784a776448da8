"""Prêt à dépenser credit decision dashboard.

Layers, imported in one direction only:
``app.scoring`` (pure domain: data, features, model, explanations, cohorts, drift; no Dash)
→ ``app.figures`` (pure Plotly figure builders)
→ ``app.pages`` / ``app.shell`` (thin Dash adapters).

This package ``__init__`` deliberately imports nothing so that scripts and tests can use the
domain layer without paying for (or depending on) Dash.
"""
