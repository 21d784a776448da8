"""The letter to the client: the decision, its reasons in plain words, what could change it, the client's rights.

One :class:`Letter` (texts only, in the reader's language) is rendered three ways: the print-ready page
(``app.presenters.letter_html``), the PDF (``app.figures.letter_pdf``) and ``scripts/explain_client.py``.
It holds the client's own file number and nothing about anybody else; no internal code nor column
name reaches it (labels come from the data dictionary, a test checks the texts). The model version is
referenced by the card's date and the start of the model file's SHA-256, so a contested letter can be
traced to the exact model that scored it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.i18n import translate
from app.presenters.client_file import ClientFile, percent_text, points_text
from app.presenters.formatting import money_text
from app.presenters.reasons import Reason
from app.scoring.bundle import MODEL_FILE, REFUSED
from app.scoring.model_card import ModelCard

#: Characters of the model file's SHA-256 quoted as its version reference.
VERSION_CHARS = 12


@dataclass(frozen=True)
class LetterReason:
    """One principal reason, as the client reads it."""

    text: str  # "Score externe moyen : 0,35"
    label: str
    points: float  # percentage points of the estimated risk (+ raises it)
    points_text: str  # "+3,1 points"
    action_text: str  # whether the client can act on it
    raises: bool


@dataclass(frozen=True)
class Letter:
    """Every text of the letter, in one language."""

    lang: str
    client_id: int
    refused: bool
    page_title: str
    lender: str
    file_ref: str
    date: str
    title: str
    decision: str
    score: str
    reasons_title: str
    reasons_intro: str
    reasons: tuple[LetterReason, ...]
    no_reasons: str
    chart_title: str
    raises_word: str
    lowers_word: str
    change_title: str
    change: str
    rights_title: str
    rights: str
    model_ref: str
    footer: str

    def texts(self) -> list[str]:
        """Every text shown, in reading order (the tests look for codes and other clients' ids here)."""
        out = [self.page_title, self.lender, self.file_ref, self.date, self.title, self.decision, self.score,
               self.reasons_title, self.reasons_intro]
        for r in self.reasons:
            out += [r.text, r.points_text, r.action_text]
        if not self.reasons:
            out.append(self.no_reasons)
        return [*out, self.chart_title, self.raises_word, self.lowers_word, self.change_title, self.change,
                self.rights_title, self.rights, self.model_ref, self.footer]


def day_text(day: dt.date, lang: str) -> str:
    """ "02/12/2026" (fr) / "2026-12-02" (en): unambiguous in either language."""
    return day.strftime("%d/%m/%Y" if lang == "fr" else "%Y-%m-%d")


def model_reference(card: ModelCard, lang: str) -> str:
    """ "modèle du 21/11/2026, version e3bbbb6c666d" from the card (the version is the model file's hash)."""
    try:
        created = dt.datetime.fromisoformat(card.created_at).date()
        date = day_text(created, lang)
    except ValueError:
        date = card.created_at[:10]
    digest = (card.checksums or {}).get(MODEL_FILE, "")
    return translate("letter.model_ref", lang, date=date, version=digest[:VERSION_CHARS] or "—")


def letter_reason(reason: Reason, lang: str) -> LetterReason:
    return LetterReason(
        text=reason.sentence, label=reason.label,
        points=reason.points,
        points_text=translate("letter.reason_points", lang, points=points_text(reason.points, lang, signed=True)),
        action_text=translate("letter.can_act" if reason.actionable else "letter.cannot_act", lang),
        raises=reason.raises_risk)


def build_letter(file: ClientFile, reasons: list[Reason], change: str, card: ModelCard, lang: str,
                 today: dt.date) -> Letter:
    """The letter of one client's file: ``reasons`` are the principal reasons (pointing the decision's way),
    ``change`` the sentence saying what could change it (the counter-offer when there is one)."""
    refused = file.decision == REFUSED
    date = day_text(today, lang)
    credit = money_text(file.row.get("AMT_CREDIT"), lang)
    return Letter(
        lang=lang, client_id=file.client_id, refused=refused,
        page_title=translate("letter.page_title", lang, client_id=file.client_id),
        lender=translate("letter.lender", lang), file_ref=translate("letter.file", lang, client_id=file.client_id),
        date=translate("letter.date", lang, date=date), title=translate("letter.title", lang),
        decision=translate("letter.refused" if refused else "letter.granted", lang, credit=credit),
        score=translate("letter.score", lang, proba=percent_text(file.proba, lang),
                        threshold=percent_text(file.threshold, lang)),
        reasons_title=translate("letter.reasons_title", lang),
        reasons_intro=translate("letter.reasons_intro_refused" if refused else "letter.reasons_intro_granted", lang),
        reasons=tuple(letter_reason(r, lang) for r in reasons), no_reasons=translate("letter.no_reasons", lang),
        chart_title=translate("letter.chart_title", lang), raises_word=translate("letter.raises", lang),
        lowers_word=translate("letter.lowers", lang), change_title=translate("letter.change_title", lang),
        change=change, rights_title=translate("letter.rights_title", lang), rights=translate("letter.rights", lang),
        model_ref=model_reference(card, lang), footer=translate("letter.footer", lang, date=date),
    )
