"""Reader-facing text built from the domain: formatting, the data dictionary, reasons, client and group views.

This layer turns numbers into labelled, unit-bearing words in the reader's language (``app.i18n``); it sits
between the domain (``app.scoring``) and the figure builders and pages, and loads no Dash, Flask or Plotly.
"""
