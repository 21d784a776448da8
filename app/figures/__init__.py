"""Pure Plotly figure builders: data in, ``go.Figure`` out (no dash import, no file or network access)."""
