"""Comparison charts of the client file: the client among all clients and among similar clients.

Aggregates only (histogram bars computed server-side) and anonymous sampled points: no identifier
is ever sent to the browser. Outcome groups differ by colour AND by hatching; a group too small to
split by outcome is drawn as one bar series, named as such; the client's position is a labelled
line or a labelled star, never a colour alone. Hover values carry their unit (€, %, years...).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from app.figures.client_layout import NBSP, layout_spec, percent_suffix, plain_layout
from app.figures.style import BLACK, BLUE, GREY, ORANGE
from app.i18n import translate
from app.presenters.formatting import format_display

#: Colour-blind-safe sequential scale for risk (Cividis: blue -> yellow, readable in grey too).
RISK_SCALE = "Cividis"


def value_hover(kind: str, ref: str, lang: str = "fr") -> str:
    """Plotly hover template of a value of unit ``kind`` (``comparison.COMPARISON_FEATURES``):
    "%{x:,.0f} €" / "€%{x:,.0f}", "%{x:.1f} %", "%{x:.1f} ans"... (layout separators localise it)."""
    value = "%{" + ref + "}"
    if kind == "eur":
        value = "%{" + ref + ":,.0f}"
        return f"{value}{NBSP}€" if lang == "fr" else f"€{value}"
    if kind == "percent":
        return "%{" + ref + ":.1f}" + percent_suffix(lang)
    if kind == "ratio":
        return "%{" + ref + ":.2f}" + (f"{NBSP}×" if lang == "fr" else "×")
    if kind == "years":
        return "%{" + ref + ":.1f} " + translate("client.unit.years", lang)
    if kind == "instalments":
        return "%{" + ref + ":.1f} " + translate("client.unit.instalments", lang)
    if kind == "score":
        return "%{" + ref + ":.2f}"
    return value


def distribution_figure(panels: Sequence[tuple], client_value: float | None, client_text: str, *,
                        texts: dict[str, str], lang: str = "fr", kind: str = "count") -> go.Figure:
    """One histogram panel per group, the client's value as a labelled vertical line.

    Bars are those of each Distribution (merged by ``comparison.merge_panels`` so that each holds 0
    or at least 20 clients): a wider bar is drawn at its width, its height being its share per
    standard bin. ``panels``: (title, Distribution) or (title, Distribution, split); split (default) draws the
    two outcome groups side by side, otherwise one series of all the group's clients (a group
    whose outcome groups are too small to be shown apart). ``texts``: "repaid", "difficulties",
    "x", "y" and, for unsplit panels, "everyone". ``kind``: unit of the feature, for the hover.
    """
    # Built as one dict and validated once: make_subplots and plotly's update calls re-walk the figure
    # at every step (~75 ms for two panels; ~10 ms this way), and this chart follows every filter click.
    layout = layout_spec(height=380, lang=lang, margin={"l": 60, "r": 20, "t": 80, "b": 50})
    axis = {**layout.pop("xaxis")}
    layout.pop("yaxis")
    layout.update(barmode="overlay", legend={"orientation": "h", "y": 1.18, "x": 0, "yanchor": "bottom"},
                  shapes=[], annotations=[])
    suffix = percent_suffix(lang)
    spacing = 0.08
    panel_width = (1.0 - spacing * (len(panels) - 1)) / len(panels)
    traces: list[dict] = []
    shown_names: set[str] = set()
    for col, (title, dist, *rest) in enumerate(panels, start=1):
        x_ref, y_ref = ("x", "y") if col == 1 else (f"x{col}", f"y{col}")
        left = (col - 1) * (panel_width + spacing)
        layout["xaxis" if col == 1 else f"xaxis{col}"] = {**axis, "domain": [left, left + panel_width],
                                                           "anchor": y_ref, "title": {"text": texts["x"]}}
        layout["yaxis" if col == 1 else f"yaxis{col}"] = {
            **axis, "anchor": x_ref, "ticksuffix": suffix, **({"title": {"text": texts["y"]}} if col == 1 else {})}
        layout["annotations"].append({"text": title, "x": left + panel_width / 2, "y": 1.0, "xref": "paper",
                                      "yref": "paper", "xanchor": "center", "yanchor": "bottom",
                                      "showarrow": False, "font": {"size": 16}})
        split = rest[0] if rest else True
        centres = (dist.edges[:-1] + dist.edges[1:]) / 2
        steps = np.diff(dist.edges)
        base = float(dist.base_width or steps.min())
        bins = [f"{format_display(kind, float(lo), lang)} – {format_display(kind, float(hi), lang)}"
                for lo, hi in zip(dist.edges[:-1], dist.edges[1:], strict=True)]
        width = steps * (0.45 if split else 0.9)
        series = ((texts["repaid"], dist.repaid, BLUE, "", -width / 2),
                  (texts["difficulties"], dist.difficulties, ORANGE, "/", width / 2)) if split else \
            ((texts["everyone"], dist.everyone, GREY, ".", 0.0),)
        for name, shares, colour, pattern, offset in series:
            # a bar merged for privacy keeps its true width; its height is its share per standard bin
            # (the hover gives the bar's own share), so merging does not inflate the shape
            traces.append({
                "type": "bar", "xaxis": x_ref, "yaxis": y_ref,
                "x": centres + offset, "y": np.asarray(shares) * base / steps, "width": width, "name": name,
                "legendgroup": name, "showlegend": name not in shown_names, "hoverinfo": "text",
                "marker": {"color": colour,
                           "pattern": {"shape": pattern, "fgcolor": BLACK, "size": 6, "fillmode": "overlay"}},
                "hovertext": [f"{name}<br>{bin_text}<br>{format_display('percent', float(share), lang)}"
                              for bin_text, share in zip(bins, shares, strict=True)],
            })
            shown_names.add(name)
        if client_value is not None and np.isfinite(client_value):
            x = float(np.clip(client_value, dist.edges[0], dist.edges[-1]))
            layout["shapes"].append({"type": "line", "xref": x_ref, "yref": f"{y_ref} domain", "x0": x, "x1": x,
                                     "y0": 0, "y1": 1, "line": {"color": BLACK, "width": 3}})
            layout["annotations"].append({"text": client_text, "xref": x_ref, "yref": f"{y_ref} domain", "x": x,
                                          "y": 1, "xanchor": "center", "yanchor": "bottom", "showarrow": False,
                                          "font": {"size": 12}})
    return go.Figure({"data": traces, "layout": layout})


def cohort_scatter(points, client_x: float | None, client_y: float | None, *, texts: dict[str, str],
                   lang: str = "fr", kinds: tuple[str, str] = ("", "")) -> go.Figure:
    """Anonymous clients of the cohort (``points``: columns x, y, risk in %) coloured by risk, and
    the client as a labelled star. ``texts``: "x", "y" (axis titles, with their unit), "risk" (the
    colour bar's title), "cohort", "client", optional "title" and "x_hover" / "y_hover" / "risk_hover"
    (names without a unit: the hover value carries it). ``kinds``: unit kinds of x and y."""
    x_name, y_name = texts.get("x_hover", texts["x"]), texts.get("y_hover", texts["y"])
    risk_name = texts.get("risk_hover", texts["risk"])
    suffix = percent_suffix(lang)
    fig = go.Figure(layout={"template": None}).add_trace(go.Scatter(
        x=points["x"], y=points["y"], mode="markers", name=texts["cohort"],
        marker={"color": points["risk"], "colorscale": RISK_SCALE, "size": 5, "opacity": 0.6,
                "colorbar": {"title": {"text": texts["risk"]}, "ticksuffix": suffix}},
        hovertemplate=f"{x_name} : {value_hover(kinds[0], 'x', lang)}<br>{y_name} : {value_hover(kinds[1], 'y', lang)}<br>"
                      f"{risk_name} : %{{marker.color:.1f}}{suffix}<extra></extra>" if lang == "fr" else
                      f"{x_name}: {value_hover(kinds[0], 'x', lang)}<br>{y_name}: {value_hover(kinds[1], 'y', lang)}<br>"
                      f"{risk_name}: %{{marker.color:.1f}}{suffix}<extra></extra>",
    ))
    if client_x is not None and client_y is not None and np.isfinite(client_x) and np.isfinite(client_y):
        fig.add_trace(go.Scatter(
            x=[client_x], y=[client_y], mode="markers+text", name=texts["client"], text=[texts["client"]],
            textposition="top center", textfont={"size": 13, "color": BLACK},
            marker={"symbol": "star", "size": 18, "color": "#FFFFFF", "line": {"color": BLACK, "width": 2}},
            hovertemplate=f"{texts['client']}<extra></extra>",
        ))
    plain_layout(fig, title=texts.get("title"), x_title=texts["x"], y_title=texts["y"], height=420, lang=lang)
    return fig
