"""The letter as a print-ready HTML page: A4, no navigation, no form, nothing cut at a page break.

A standalone document (not a Dash page): nothing to run in the browser, every text escaped, the
reasons chart drawn as inline SVG bars (direction written beside each bar: colour is never needed),
and ``@media print`` / ``@page`` rules so that printing gives one clean A4 page per letter, each
section kept whole (``break-inside: avoid``). The print button is hidden on paper.
"""
from __future__ import annotations

from html import escape

from app.presenters.letter import Letter, LetterReason

#: Colour-blind-safe pair (Okabe-Ito vermillion / blue), always with a word and a sign beside.
RAISES_COLOUR, LOWERS_COLOUR = "#D55E00", "#0072B2"

CSS = """
@page { size: A4; margin: 18mm 18mm 20mm 18mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #111; margin: 0; background: #eee; }
.sheet { width: 210mm; min-height: 297mm; margin: 12px auto; padding: 18mm; background: #fff; }
header { display: flex; justify-content: space-between; border-bottom: 2px solid #111; padding-bottom: 6px; }
.lender { font-weight: bold; font-size: 16pt; }
.meta { text-align: right; font-size: 10pt; }
h1 { font-size: 15pt; margin: 14px 0 8px; }
h2 { font-size: 12pt; margin: 14px 0 6px; }
p, li { font-size: 10.5pt; line-height: 1.45; }
section, figure, li { break-inside: avoid; page-break-inside: avoid; }
ol { padding-left: 18px; margin: 4px 0; }
.points { white-space: nowrap; font-weight: bold; }
.act { color: #444; font-size: 9.5pt; }
figure { margin: 8px 0; }
figcaption { font-size: 9.5pt; color: #333; margin-bottom: 4px; }
.change { border-left: 4px solid #111; padding: 4px 10px; background: #f6f6f6; }
.ref, footer { font-size: 9pt; color: #333; }
footer { border-top: 1px solid #999; margin-top: 18px; padding-top: 4px; }
.toolbar { text-align: center; margin: 10px; font-family: sans-serif; }
.toolbar button { font-size: 11pt; padding: 6px 14px; }
@media print {
  body { background: #fff; }
  .sheet { width: auto; min-height: 0; margin: 0; padding: 0; }
  .toolbar { display: none; }
}
"""


def _chart(letter: Letter) -> str:
    """Horizontal bars of the reasons' points, scaled to the largest; labels and signed values as text."""
    if not letter.reasons:
        return ""
    width, row_h, label_w, value_w = 640, 26, 300, 110
    bar_w = width - label_w - value_w
    top = max(abs(r.points) for r in letter.reasons) or 1.0
    parts = []
    for i, r in enumerate(letter.reasons):
        y = i * row_h
        length = max(2.0, bar_w * abs(r.points) / top)
        colour = RAISES_COLOUR if r.raises else LOWERS_COLOUR
        arrow = "\u25b2" if r.raises else "\u25bc"
        label = r.label if len(r.label) <= 42 else r.label[:41] + "…"
        parts.append(
            f'<text x="0" y="{y + 17}" font-size="12">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 5}" width="{length:.1f}" height="15" fill="{colour}"/>'
            f'<text x="{label_w + length + 6:.1f}" y="{y + 17}" font-size="12">{arrow} {escape(r.points_text)}</text>')
    height = row_h * len(letter.reasons)
    return (f'<figure><figcaption>{escape(letter.chart_title)}</figcaption>'
            f'<svg role="img" aria-label="{escape(letter.chart_title)}" viewBox="0 0 {width} {height}" '
            f'width="100%" style="max-width:{width}px">{"".join(parts)}</svg></figure>')


def _reason_item(r: LetterReason, letter: Letter) -> str:
    direction = letter.raises_word if r.raises else letter.lowers_word
    return (f'<li>{escape(r.text)} — {escape(direction)} <span class="points">({escape(r.points_text)})</span>'
            f'<br><span class="act">{escape(r.action_text)}</span></li>')


def letter_html(letter: Letter, print_label: str = "Imprimer") -> str:
    """The whole page (UTF-8 HTML); ``print_label`` is the on-screen print button's text."""
    reasons = ("<ol>" + "".join(_reason_item(r, letter) for r in letter.reasons) + "</ol>" + _chart(letter)
               if letter.reasons else f"<p>{escape(letter.no_reasons)}</p>")
    return f"""<!DOCTYPE html>
<html lang="{letter.lang}"><head><meta charset="utf-8"><title>{escape(letter.page_title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body><div class="toolbar"><button type="button" id="letter-print">{escape(print_label)}</button></div>
<main class="sheet">
<header><div class="lender">{escape(letter.lender)}</div>
<div class="meta">{escape(letter.file_ref)}<br>{escape(letter.date)}</div></header>
<h1>{escape(letter.title)}</h1>
<section><p>{escape(letter.decision)}</p><p>{escape(letter.score)}</p></section>
<section><h2>{escape(letter.reasons_title)}</h2><p>{escape(letter.reasons_intro)}</p>{reasons}</section>
<section><h2>{escape(letter.change_title)}</h2><p class="change">{escape(letter.change)}</p></section>
<section><h2>{escape(letter.rights_title)}</h2><p>{escape(letter.rights)}</p></section>
<p class="ref">{escape(letter.model_ref)}</p>
<footer>{escape(letter.footer)}</footer>
</main><script src="/assets/letter_print.js"></script></body></html>"""
