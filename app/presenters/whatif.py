"""The simulator's and the counter-offer's words (pure, no Dash): what an officer reads and says aloud.

The numbers come from ``app.scoring.whatif`` / ``app.scoring.counteroffer`` (the served model on the
modified application); this module only puts them in sentences in the reader's language, with
their units, and builds the simulated file with the same explanation as the client's own file.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.i18n import translate
from app.presenters.client_file import ClientFile, client_file_of_rows, percent_text, points_text
from app.presenters.formatting import category_label, money_text, number_text
from app.presenters.formatting import percent_text as rate_text
from app.presenters.reasons import Reason
from app.scoring.bundle import REFUSED, ModelBundle
from app.scoring.counteroffer import CounterOffer
from app.scoring.whatif import PRODUCT_ANNUAL_RATE, LoanBounds, LoanCase, LoanTerms, WhatIfInputError, with_terms

#: Field names of :class:`WhatIfInputError` -> label key of the input box.
FIELD_LABELS = {"credit": "whatif.credit", "months": "whatif.months", "goods": "whatif.goods"}


def simulated_file(bundle: ModelBundle, case: LoanCase, client_id: int, terms: LoanTerms) -> ClientFile:
    """The client's file under other terms: same feature function, explanation and decision rule."""
    return client_file_of_rows(bundle, client_id, with_terms(case.application, [terms]))


def months_text(months: int | None, lang: str) -> str:
    return "—" if months is None else translate("whatif.months_value", lang, n=int(months))


def intro_text(case: LoanCase, lang: str) -> str:
    """How the monthly payment is computed for this client (their own rate), in one sentence."""
    if case.pricing.revolving:
        return translate("whatif.intro_revolving", lang)
    source = translate(f"whatif.term_source.{case.pricing.term_source}", lang,
                       rate=rate_text(PRODUCT_ANNUAL_RATE, 1, lang))
    return translate("whatif.intro", lang, rate=f"{rate_text(case.pricing.annual_rate, 1, lang)}, {source}")


def bounds_text(bounds: LoanBounds, lang: str) -> str:
    """ "Limites (Prêt d'espèces, ... des 27 159 prêts accordés) : montant de 85 000 € à ..."."""
    months = "" if bounds.months is None else translate(
        "whatif.bounds_months", lang, low=number_text(bounds.months.low, 0, lang),
        high=number_text(bounds.months.high, 0, lang))
    goods = "" if bounds.goods is None else translate(
        "whatif.bounds_goods", lang, low=money_text(bounds.goods.low, lang), high=money_text(bounds.goods.high, lang))
    return translate("whatif.bounds", lang, contract=category_label("NAME_CONTRACT_TYPE", bounds.contract, lang),
                     n=number_text(bounds.n_loans, 0, lang), credit_low=money_text(bounds.credit.low, lang),
                     credit_high=money_text(bounds.credit.high, lang), months=months, goods=goods)


def input_error_text(error: WhatIfInputError, lang: str) -> str:
    """The message for a value that is not scored, naming the field and, out of bounds, the bounds."""
    field = translate(FIELD_LABELS[error.field], lang)
    if error.code == "bounds":
        money = error.field != "months"
        low, high = ((money_text(v, lang) if money else months_text(int(v or 0), lang)) for v in (error.low, error.high))
        return translate("whatif.error.bounds", lang, field=field, low=low, high=high)
    if error.code == "malformed" and error.field == "months":
        return translate("whatif.error.malformed_months", lang, field=field)
    return translate(f"whatif.error.{error.code}", lang, field=field)


def offer_sentence(offer: CounterOffer, threshold: float, lang: str) -> str:
    """The counter-offer in one sentence (the ``found`` case: see :func:`no_offer_sentence` otherwise)."""
    terms = offer.terms
    assert terms is not None and offer.proba is not None
    values = {"credit": money_text(terms.credit, lang), "annuity": money_text(terms.annuity, lang),
              "proba": percent_text(offer.proba, lang), "threshold": percent_text(threshold, lang)}
    if terms.months is None:
        return translate("whatif.offer.found_revolving", lang, **values)
    down = terms.down_payment
    return translate("whatif.offer.found", lang, months=terms.months,
                     down="" if down is None else translate("whatif.offer.down", lang, amount=money_text(down, lang)),
                     **values)


def holding_labels(reasons: list[Reason]) -> list[str]:
    """Labels of the reasons that raise the risk and that the client cannot change: what holds a refusal."""
    return [r.label for r in reasons if r.raises_risk and not r.actionable]


def no_offer_sentence(reasons: list[Reason], threshold: float, lang: str) -> str:
    """No loan within bounds passes: say so, naming the non-actionable reasons that hold the refusal."""
    labels = holding_labels(reasons)
    if labels:
        joined = ", ".join(labels[:-1]) + translate("whatif.offer.and", lang) + labels[-1] if len(labels) > 1 else labels[0]
        held = translate("whatif.offer.cannot_change", lang, labels=joined)
    else:
        held = translate("whatif.offer.none_generic", lang)
    return translate("whatif.offer.none", lang, threshold=percent_text(threshold, lang), reasons=held)


def change_sentence(decision: str, offer: CounterOffer | None, reasons: list[Reason], threshold: float,
                    lang: str) -> str:
    """What could change the decision: the counter-offer, why there is none, or nothing to change."""
    if decision != REFUSED or offer is None:
        return translate("whatif.offer.granted", lang)
    if offer.found:
        return offer_sentence(offer, threshold, lang)
    if offer.reason == "no_bounds":
        return translate("whatif.no_bounds", lang)
    return no_offer_sentence(reasons, threshold, lang)


@dataclass(frozen=True)
class ComparisonRow:
    """One line of the file / simulation table: label, file value, simulated value, difference."""

    label: str
    file: str
    simulated: str
    difference: str


def _money_difference(a: float | None, b: float | None, lang: str) -> str:
    if a is None or b is None or round(a) == round(b):
        return translate("whatif.same", lang)
    sign = "+" if b > a else "\u2212"
    return sign + money_text(abs(b - a), lang)


def comparison_rows(file: ClientFile, original: LoanTerms, simulated: ClientFile, terms: LoanTerms,
                    lang: str) -> list[ComparisonRow]:
    """The simulated values next to the file's, with the difference (points, euros, months)."""
    points = 100 * (simulated.proba - file.proba)
    months_diff = translate("whatif.same", lang)
    if terms.months is not None and original.months is not None and terms.months != original.months:
        months_diff = f"{terms.months - original.months:+d}"

    def decision(value: str) -> str:
        return translate(f"client.score.{value}", lang)

    return [
        ComparisonRow(translate("whatif.row.proba", lang), percent_text(file.proba, lang),
                      percent_text(simulated.proba, lang),
                      translate("whatif.points", lang, points=points_text(points, lang, signed=True))),
        ComparisonRow(translate("whatif.row.decision", lang), decision(file.decision), decision(simulated.decision),
                      translate("whatif.same" if file.decision == simulated.decision else "whatif.changed_decision",
                                lang)),
        ComparisonRow(translate("whatif.row.grade", lang), file.grade, simulated.grade,
                      translate("whatif.same", lang) if file.grade == simulated.grade else f"{file.grade} → {simulated.grade}"),
        ComparisonRow(translate("whatif.row.credit", lang), money_text(original.credit, lang),
                      money_text(terms.credit, lang), _money_difference(original.credit, terms.credit, lang)),
        ComparisonRow(translate("whatif.row.months", lang), months_text(original.months, lang),
                      months_text(terms.months, lang), months_diff),
        ComparisonRow(translate("whatif.row.annuity", lang), money_text(original.annuity, lang),
                      money_text(terms.annuity, lang), _money_difference(original.annuity, terms.annuity, lang)),
        ComparisonRow(translate("whatif.row.down_payment", lang), money_text(original.down_payment or 0, lang),
                      money_text(terms.down_payment or 0, lang),
                      _money_difference(original.down_payment or 0, terms.down_payment or 0, lang)),
    ]
