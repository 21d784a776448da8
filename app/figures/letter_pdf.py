"""The letter as a PDF, made server-side with fpdf2 (pure Python: no browser, no system library).

Why fpdf2: a small pure-Python wheel, so the PaaS build needs nothing beyond pip. Its built-in fonts
know only Latin-1 (no "€", no "−"), so subsets of DejaVu Sans (``fonts/``, 70 KB, free licence) are
embedded; fpdf2 embeds only the glyphs used. The reasons chart is drawn natively (rectangles and
text, not an image): bars scaled to the largest reason, the direction written beside each bar with
an arrow and a sign, in a colour-blind-safe pair. Sections are kept whole: a section that would not
fit in the rest of the page starts on the next one.
"""
from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from app.presenters.letter import Letter

FONT_DIR = Path(__file__).with_name("fonts")
FONT = "DejaVu"
#: Okabe-Ito vermillion and blue, as in the dashboard (never the only carrier of the meaning).
RAISES_RGB, LOWERS_RGB = (213, 94, 0), (0, 114, 178)
MARGIN = 20.0  # mm
LINE = 5.2  # mm per line of body text


class _LetterPDF(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, "", 8)
        self.set_text_color(80, 80, 80)
        self.cell(0, 4, f"{self.footer_text} — {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def _keep_together(pdf: FPDF, height: float) -> None:
    """Start a new page when ``height`` mm would not fit in what is left of this one."""
    if pdf.get_y() + height > pdf.h - MARGIN:
        pdf.add_page()


def _paragraph(pdf: FPDF, text: str, size: float = 10.5, style: str = "") -> None:
    pdf.set_font(FONT, style, size)
    pdf.multi_cell(0, LINE, text, align="L", new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: FPDF, text: str) -> None:
    _keep_together(pdf, 22)  # a heading never ends a page alone
    pdf.ln(3)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")


def _chart(pdf: FPDF, letter: Letter) -> None:
    """Horizontal bars of the reasons' points: label | bar | "▲ +3,1 points"."""
    rows = letter.reasons
    row_h, label_w, value_w = 7.0, 70.0, 34.0
    _keep_together(pdf, 8 + row_h * len(rows))
    pdf.set_font(FONT, "", 9)
    pdf.cell(0, 5, letter.chart_title, new_x="LMARGIN", new_y="NEXT")
    bar_w = pdf.w - 2 * MARGIN - label_w - value_w
    top = max(abs(r.points) for r in rows) or 1.0
    y = pdf.get_y() + 1
    for r in rows:
        x = MARGIN
        pdf.set_xy(x, y)
        pdf.set_font(FONT, "", 8.5)
        label = r.label if pdf.get_string_width(r.label) <= label_w - 2 else _shorten(pdf, r.label, label_w - 2)
        pdf.cell(label_w, row_h - 1, label)
        length = max(0.8, bar_w * abs(r.points) / top)
        pdf.set_fill_color(*(RAISES_RGB if r.raises else LOWERS_RGB))
        pdf.rect(x + label_w, y + 1, length, row_h - 3, style="F")
        pdf.set_xy(x + label_w + length + 1.5, y)
        pdf.cell(value_w, row_h - 1, ("\u25b2 " if r.raises else "\u25bc ") + r.points_text)
        y += row_h
    pdf.set_y(y + 2)


def _shorten(pdf: FPDF, text: str, width: float) -> str:
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def letter_pdf(letter: Letter) -> bytes:
    """The PDF document of ``letter`` (A4, fonts embedded)."""
    pdf = _LetterPDF(letter.footer)
    pdf.set_title(letter.page_title)
    pdf.set_author(letter.lender)
    pdf.set_lang(letter.lang)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.cell(100, 8, letter.lender)
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(0, 5, f"{letter.file_ref}\n{letter.date}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_line_width(0.5)
    pdf.line(MARGIN, pdf.get_y() + 1, pdf.w - MARGIN, pdf.get_y() + 1)
    pdf.ln(5)
    pdf.set_font(FONT, "B", 15)
    pdf.cell(0, 9, letter.title, new_x="LMARGIN", new_y="NEXT")
    _paragraph(pdf, letter.decision)
    pdf.ln(1)
    _paragraph(pdf, letter.score)
    _heading(pdf, letter.reasons_title)
    _paragraph(pdf, letter.reasons_intro)
    if letter.reasons:
        for i, r in enumerate(letter.reasons, start=1):
            _keep_together(pdf, 2 * LINE + 2)
            direction = letter.raises_word if r.raises else letter.lowers_word
            _paragraph(pdf, f"{i}. {r.text} — {direction} ({r.points_text})")
            pdf.set_text_color(70, 70, 70)
            pdf.set_x(MARGIN + 5)
            _paragraph(pdf, r.action_text, size=9)
            pdf.set_text_color(0, 0, 0)
        pdf.ln(2)
        _chart(pdf, letter)
    else:
        _paragraph(pdf, letter.no_reasons)
    _heading(pdf, letter.change_title)
    _paragraph(pdf, letter.change, style="B")
    _heading(pdf, letter.rights_title)
    _paragraph(pdf, letter.rights)
    pdf.ln(4)
    _keep_together(pdf, 10)
    _paragraph(pdf, letter.model_ref, size=8.5)
    return bytes(pdf.output())
