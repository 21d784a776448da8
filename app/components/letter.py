"""The client letter's routes: ``GET /client/<id>/letter`` (print-ready page) and ``/client/<id>/letter.pdf``.

Plain Flask routes under the client area, so the app's one access hook (``app.security.web``) decides
them like the client pages: anonymous readers are sent to the login page, every signed-in role from
officer up gets them. Each export is written to the audit trail *before* it is sent (fail closed:
an export that cannot be recorded is not given). The letter is in the reader's language and built
from the served model's cached file, case and counter-offer (``app.components.whatif``).
"""
from __future__ import annotations

import logging

import flask

from app.components.client_file import client_file, reasons_reference
from app.components.whatif import client_case, client_offer
from app.i18n import translate
from app.presenters.client_file import ClientIdError, parse_client_id
from app.presenters.explanation import client_letter
from app.presenters.letter import Letter
from app.presenters.letter_html import letter_html
from app.resources import served
from app.scoring.bundle import ModelNotFoundError
from app.security.audit import LETTER, audit
from app.ui import current_language

log = logging.getLogger(__name__)
LETTER_PATH = "/client/<client_id>/letter"
PDF_PATH = "/client/<client_id>/letter.pdf"


def _letter(raw_id: str, lang: str, kind: str) -> Letter | flask.Response:
    """The letter of the client in the URL, audited; or the answer saying why not (404, 503)."""
    from app.security.error_pages import not_found_page

    try:
        client_id = parse_client_id(raw_id)
        model = served()
        if client_id not in model.portfolio:
            raise ClientIdError("unknown", client_id)
        letter = client_letter(model.bundle, client_file(model, client_id), client_case(model, client_id),
                               client_offer(model, client_id), lang, reasons_reference(model))
    except ClientIdError:
        return not_found_page()
    except (ModelNotFoundError, FileNotFoundError, OSError):
        log.exception("letter of %s unavailable", raw_id)
        return flask.Response(translate("letter.unavailable", lang), status=503, mimetype="text/plain")
    try:
        audit(LETTER, str(client_id), {"format": kind, "lang": lang})
    except Exception:  # fail closed: an unrecorded export is not given
        log.exception("audit of the letter of %s failed", client_id)
        return flask.Response(translate("letter.unavailable", lang), status=503, mimetype="text/plain")
    return letter


def letter_page(client_id: str):
    lang = current_language()
    letter = _letter(client_id, lang, "html")
    if not isinstance(letter, Letter):
        return letter
    return flask.Response(letter_html(letter, translate("letter.print_button", lang)), mimetype="text/html")


def letter_pdf_file(client_id: str):
    lang = current_language()
    letter = _letter(client_id, lang, "pdf")
    if not isinstance(letter, Letter):
        return letter
    # fpdf2 loads in about a second (its font tables): on the first PDF asked for, not at start-up
    from app.figures.letter_pdf import letter_pdf

    response = flask.Response(letter_pdf(letter), mimetype="application/pdf")
    name = f"lettre-{letter.client_id}.pdf" if lang == "fr" else f"letter-{letter.client_id}.pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def register_letter_routes(server: flask.Flask) -> None:
    """Add the two routes (``create_app`` calls it; access is the client area's, via the access hook)."""
    server.add_url_rule(LETTER_PATH, "client_letter", letter_page, methods=["GET"])
    server.add_url_rule(PDF_PATH, "client_letter_pdf", letter_pdf_file, methods=["GET"])
