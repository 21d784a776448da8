"""One client's explanation as a whole — decision, reasons, counter-offer, application — for the letter,
the page and ``scripts/explain_client.py`` alike (pure: no Dash, no Flask).

:func:`file_reasons` is the ONE call site of the reasons function (``app.presenters.reasons.
decision_reasons``: concepts pointing the way of the decision, a refusal's raise the risk) for the
letter, the counter-offer's "why not" and the export, so the page, the letter and the JSON give the same
reasons with the same portfolio reference.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

from app.presenters.client_file import ClientFile
from app.presenters.letter import Letter, build_letter
from app.presenters.reasons import Reason, decision_reasons
from app.presenters.whatif import change_sentence
from app.scoring.bundle import REFUSED, ModelBundle
from app.scoring.concepts import PortfolioReference
from app.scoring.counteroffer import CounterOffer, counter_offer
from app.scoring.features import MISSING_CATEGORY
from app.scoring.schema import TARGET_COLUMN, application_schema
from app.scoring.whatif import LoanCase


def file_reasons(file: ClientFile, reference: PortfolioReference | None, lang: str) -> list[Reason]:
    """The principal reasons of the file's decision (see the module docstring); ``reference``: what
    granted clients look like (``ServedModel.reference``), None for sentences without a comparison."""
    return decision_reasons(file.explanation, file.decision, reference, lang)


def offer_for(bundle: ModelBundle, file: ClientFile, case: LoanCase) -> CounterOffer | None:
    """The counter-offer of a refused file (None when granted: nothing to change)."""
    if file.decision != REFUSED:
        return None
    return counter_offer(bundle, case.application, case.original, case.pricing, case.bounds)


def client_letter(bundle: ModelBundle, file: ClientFile, case: LoanCase, offer: CounterOffer | None, lang: str,
                  reference: PortfolioReference | None, today: dt.date | None = None) -> Letter:
    """The letter of a client's file in ``lang`` (today's date unless given)."""
    reasons = file_reasons(file, reference, lang)
    change = change_sentence(file.decision, offer, reasons, file.threshold, lang)
    return build_letter(file, reasons, change, bundle.card, lang, today or dt.date.today())


def _json_value(value: Any) -> Any:
    """A cell of the application row as JSON: numbers as numbers, missing as null."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str) and value == MISSING_CATEGORY:
        return None
    return value


def explanation_dict(bundle: ModelBundle, file: ClientFile, case: LoanCase, offer: CounterOffer | None,
                     lang: str, reference: PortfolioReference | None) -> dict[str, Any]:
    """The JSON of ``scripts/explain_client.py`` (keys documented there)."""
    reasons = file_reasons(file, reference, lang)
    columns = [c for c in application_schema().names if c != TARGET_COLUMN and c in case.application.columns]
    application = {c: _json_value(case.application.iloc[0][c]) for c in columns}
    out: dict[str, Any] = {
        "client_id": file.client_id,
        "proba_default": round(file.proba, 6),
        "decision": file.decision,
        "grade": file.grade,
        "threshold": round(file.threshold, 6),
        "reasons": [{**r.to_dict(), "points": round(r.points, 3)} for r in reasons],
        "application": application,
        "counter_offer": None,
    }
    if offer is not None and offer.found and offer.terms is not None and offer.proba is not None:
        row = case.application.iloc[0]
        changes = {k: v for k, v in offer.terms.columns().items() if k in row.index and _json_value(row[k]) != v}
        out["counter_offer"] = {"changes": changes, "months": offer.terms.months, "proba_default": round(offer.proba, 6),
                                "decision": str(bundle.decide(offer.proba)), "cost": round(offer.cost or 0.0, 4)}
    else:
        out["counter_offer_reason"] = ("granted" if offer is None else offer.reason or "none_in_bounds")
    out["counter_offer_text"] = change_sentence(file.decision, offer, reasons, file.threshold, lang)
    return out
