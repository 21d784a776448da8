"""The simulator, the counter-offer and the client letter on the served (tiny) model: callbacks as plain
functions, the letter routes over HTTP by role, audited, holding no column name nor other client's id."""
from __future__ import annotations

import json
import re
from html import unescape

import plotly.graph_objects as go
import pytest

from app.components import whatif as card
from app.components.client_file import client_file
from app.resources import served
from app.scoring.features import feature_names
from app.scoring.schema import application_schema
from app.security.audit import LETTER, audit_events
from app.security.testing import login_client
from app.security.web import current_engine
from tests.pages.client_support import served_client_model  # noqa: F401 - fixture


def _text(component) -> str:
    return json.dumps(component.to_plotly_json() if hasattr(component, "to_plotly_json") else component,
                      default=lambda o: o.to_plotly_json() if hasattr(o, "to_plotly_json") else str(o),
                      ensure_ascii=False)


@pytest.fixture(scope="module")
def refused(served_client_model, dash_app):
    """(id of a refused client with a counter-offer, id of one without, id of a granted one)."""
    with dash_app.server.app_context():
        model = served()
        frame = model.portfolio.frame
        with_offer = without = None
        for client_id in frame.index[frame["DECISION"] == "refused"][:80]:
            offer = card.client_offer(model, int(client_id))
            if offer is not None and offer.found and with_offer is None:
                with_offer = int(client_id)
            elif offer is not None and not offer.found and without is None:
                without = int(client_id)
        granted = int(frame.index[frame["DECISION"] == "granted"][0])
    assert with_offer is not None, "no refused client of the tiny model has a counter-offer"
    return with_offer, without, granted


def test_opening_a_refused_file_fills_the_simulator_and_states_the_offer(refused, dash_app):
    client_id = refused[0]
    with dash_app.server.app_context():
        credit, months, disabled, goods, intro, bounds, offer, apply_style, letter = card.setup_outputs(
            str(client_id), False, "fr")
        case = card.client_case(served(), client_id)
        counter = card.client_offer(served(), client_id)
    assert float(credit) == pytest.approx(case.original.credit) and disabled is case.pricing.revolving
    sentence = _text(offer)
    assert "le crédit serait accordé" in sentence and "pour un seuil de" in sentence and "€" in sentence
    assert apply_style == {}  # the "load this offer" button is shown
    assert f"/client/{client_id}/letter" in _text(letter) and f"/client/{client_id}/letter.pdf" in _text(letter)
    assert "Limites" in bounds and "prêts accordés" in bounds
    with dash_app.server.app_context():
        loaded = card.setup_outputs(str(client_id), True, "fr")
    assert float(loaded[0]) == pytest.approx(counter.terms.credit)
    assert (loaded[1] == "" and counter.terms.months is None) or int(loaded[1]) == counter.terms.months


def test_simulating_the_offer_grants_and_fills_the_terms_store(refused, dash_app):
    client_id = refused[0]
    with dash_app.server.app_context():
        counter = card.client_offer(served(), client_id)
        file = client_file(served(), client_id)
        t = counter.terms
        result, figure, style, terms = card.simulate_outputs(str(client_id), t.credit, t.months, t.goods, "fr")
    assert isinstance(figure, go.Figure) and style == {}
    table = _text(result)
    assert "recommande d'accorder" in table and "recommande de refuser" in table  # simulation next to the file
    assert f"{100 * counter.proba:.1f}".replace(".", ",") in table
    assert set(terms) == {"AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "CNT_PAYMENT"}
    assert terms["AMT_CREDIT"] == t.credit and terms["CNT_PAYMENT"] == t.months
    assert figure.data[0].x[-1] == pytest.approx(100 * counter.proba)  # the waterfall adds up to the simulation
    assert file.decision == "refused"


def test_the_files_own_terms_give_the_files_score_and_no_modified_terms(refused, dash_app):
    client_id = refused[0]
    with dash_app.server.app_context():
        credit, months, _, goods, *_ = card.setup_outputs(str(client_id), False, "fr")
        result, figure, _, terms = card.simulate_outputs(str(client_id), credit, months, goods, "fr")
        file = client_file(served(), client_id)
    assert terms is None
    assert figure.data[0].x[-1] == pytest.approx(100 * file.proba)
    assert "la simulation donne le score du dossier" in _text(result)


@pytest.mark.parametrize("credit, months, expected", [
    ("abc", None, "saisissez un nombre"), ("", None, "saisissez une valeur"), ("1e400", None, "saisissez un nombre"),
    (10 ** 12, None, "hors des limites"), (1, None, "hors des limites"), (None, "12,5", "nombre entier de mois"),
    ("<script>", None, "saisissez un nombre"), (True, None, "saisissez un nombre"),
])
def test_bad_values_give_a_message_and_never_a_score(refused, dash_app, credit, months, expected):
    client_id = refused[0]
    with dash_app.server.app_context():
        case = card.client_case(served(), client_id)
        if case.pricing.revolving and months is not None:
            pytest.skip("a revolving loan has no term")
        credit = case.original.credit if credit is None else credit
        months = case.original.months if months is None else months
        result, figure, style, terms = card.simulate_outputs(str(client_id), credit, months, case.original.goods, "fr")
    assert expected in _text(result)
    assert terms is None and style == card.HIDDEN  # no score, nothing to record


def test_empty_boxes_before_the_file_fills_them_say_nothing(refused, dash_app):
    with dash_app.server.app_context():
        assert card.simulate_outputs(str(refused[0]), "", "", "", "fr")[::2] == (None, card.HIDDEN)


def test_english_readers_get_english_sentences(refused, dash_app):
    with dash_app.server.app_context():
        *_, offer, _, _ = card.setup_outputs(str(refused[0]), False, "en")
    assert "the credit would be granted" in _text(offer)


def test_no_offer_names_what_holds_the_refusal(refused, dash_app):
    if refused[1] is None:
        pytest.skip("every refused client of the tiny model has a counter-offer")
    with dash_app.server.app_context():
        *_, offer, apply_style, _ = card.setup_outputs(str(refused[1]), False, "fr")
    assert "Aucun prêt dans les limites accordées" in _text(offer) and apply_style == card.HIDDEN


def test_hostile_ids_give_nothing(dash_app, served_client_model):
    with dash_app.server.app_context():
        for raw in ("<script>", "12x", "", None, "9" * 40, "123"):
            assert card.setup_outputs(raw, False, "fr")[-1] is None
            assert card.simulate_outputs(raw, 1000, 12, None, "fr")[-1] is None


# --- the letter --------------------------------------------------------------------------------------------
COLUMN_NAME = re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b")


def test_letter_and_pdf_for_every_signed_in_role_audited_and_refused_to_anonymous(refused, dash_app):
    server = dash_app.server
    client_id = refused[0]
    anonymous = server.test_client()
    for path in (f"/client/{client_id}/letter", f"/client/{client_id}/letter.pdf"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    for role in ("officer", "manager", "admin"):
        client = login_client(server, f"letter-{role}", role)
        page = client.get(f"/client/{client_id}/letter")
        assert page.status_code == 200 and page.mimetype == "text/html"
        pdf = client.get(f"/client/{client_id}/letter.pdf")
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
        assert "attachment" in pdf.headers["Content-Disposition"]
        with server.app_context():
            events = audit_events(current_engine(), username=f"letter-{role}", action=LETTER)
        assert {(e.target, e.details["format"]) for e in events} == {(str(client_id), "html"), (str(client_id), "pdf")}
    officer = login_client(server, "letter-officer", "officer")
    for bad in ("123", "abc", "%3Cscript%3E", "1" * 40):
        assert officer.get(f"/client/{bad}/letter").status_code == 404
        assert officer.get(f"/client/{bad}/letter.pdf").status_code == 404


def test_the_letter_holds_no_column_name_no_form_no_navigation_and_no_other_client(refused, dash_app):
    server = dash_app.server
    client_id = refused[0]
    officer = login_client(server, "letter-reader", "officer")
    html = officer.get(f"/client/{client_id}/letter").get_data(as_text=True)
    text = unescape(re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.S))
    names = set(application_schema().names) | set(feature_names(loan_terms=True))
    assert not [n for n in names if re.search(rf"\b{n}\b", text)]
    assert not COLUMN_NAME.findall(text), COLUMN_NAME.findall(text)
    assert "<form" not in html and "<nav" not in html and "navbar" not in html
    assert "@media print" in html and "size: A4" in html and "break-inside: avoid" in html
    with server.app_context():
        others = {str(i) for i in served().portfolio.ids if i != client_id}
    assert not {w for w in re.findall(r"\d{4,}", text) if w in others}
    for words in ("Dossier n°", "Les principales raisons", "Ce qui pourrait changer la décision", "Vos droits",
                  "réexaminée par un conseiller", "point de vue", "Référence de l'évaluation", "le crédit serait accordé"):
        assert words in text, words
    assert "<svg" in html and "<rect" in html  # the reasons chart


def test_the_letter_follows_the_readers_language(refused, dash_app):
    client = login_client(dash_app.server, "letter-en", "officer")
    client.get("/lang/en")
    html = client.get(f"/client/{refused[2]}/letter").get_data(as_text=True)
    assert '<html lang="en">' in html and "Your rights" in html and "is granted" in html
    assert "No single element stands out" in html or "What lowered the estimated risk" in html


def test_the_pdf_embeds_its_font_and_draws_the_chart(refused, dash_app):
    client = login_client(dash_app.server, "letter-pdf", "officer")
    pdf = client.get(f"/client/{refused[0]}/letter.pdf").data
    assert b"/FontFile2" in pdf and b"DejaVuSans" in pdf  # "é" and "€" need the embedded font
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type /Page/") >= 1
    assert len(pdf) < 200_000
