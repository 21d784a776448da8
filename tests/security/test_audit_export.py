"""The audit page's CSV export: every filtered event (not one page), audited, formula-safe, capped with a
message, managers and admins only (SQLite + PostgreSQL)."""
import base64
import csv
import io
import json

from app.security.audit import EXPORT, LOGIN_FAILED, VIEW_CLIENT, audit_events, record_audit
from app.security.callbacks import callback_specs
from app.security.testing import login_client, request_as
from app.security.web import current_engine
from tests.security.callback_payloads import exact_payload
from tests.security.conftest import engine, probed_app, server  # noqa: F401 - shared fixtures


def _rows(sent) -> list[list[str]]:
    text = base64.b64decode(sent["content"]).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def _text(component) -> str:
    return json.dumps(component.to_plotly_json(), default=lambda o: o.to_plotly_json(), ensure_ascii=False)


def test_export_gives_every_filtered_event_and_is_audited(server):
    from app.pages.audit import PAGE_SIZE, export_update

    with request_as(server, "boss", "manager"):
        engine = current_engine()
        for i in range(PAGE_SIZE + 12):
            record_audit(engine, "alice", VIEW_CLIENT, str(300 + i))
        record_audit(engine, "bob", VIEW_CLIENT, "999")
        sent, message = export_update(" alice ", VIEW_CLIENT, None, "2000-01-01", None, "fr")
        rows = _rows(sent)
        assert rows[0] == ["Date (UTC)", "Utilisateur", "Événement", "Cible", "Détails"]
        assert len(rows) == 1 + PAGE_SIZE + 12 and {r[1] for r in rows[1:]} == {"alice"}  # all pages, bob filtered out
        assert rows[1][3] == str(300 + PAGE_SIZE + 11) and sent["filename"] == "audit.csv"  # newest first
        assert f"{PAGE_SIZE + 12} événements exportés" in _text(message)
        [event] = audit_events(engine, action=EXPORT)
        assert (event.username, event.target, event.details["rows"]) == ("boss", "audit", PAGE_SIZE + 12)
        assert event.details["filter"] == {"user": "alice", "action": VIEW_CLIENT, "client": None,
                                           "from": "2000-01-01", "to": None}


def test_export_escapes_hostile_values(server):
    """A failed sign-in stores the username the attacker typed: it must never run as a spreadsheet formula."""
    from app.pages.audit import export_update

    with request_as(server, "boss", "manager"):
        engine = current_engine()
        record_audit(engine, "=HYPERLINK(\"http://evil\",\"x\")", LOGIN_FAILED, "@SUM(A1)", {"note": "=1+1"})
        record_audit(engine, "+cmd", "-x", "\tTAB")
        sent, _ = export_update(None, None, None, None, None, "en")
        text = base64.b64decode(sent["content"]).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        cells = [cell for row in rows[1:] for cell in row]
        assert "'=HYPERLINK(\"http://evil\",\"x\")" in cells and "'@SUM(A1)" in cells
        assert {"'+cmd", "'-x", "'\tTAB"} <= set(cells)
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_export_over_the_cap_or_with_a_bad_date_is_refused_with_a_message(server, monkeypatch):
    import app.pages.audit as audit_page

    monkeypatch.setattr(audit_page, "MAX_EXPORT_EVENTS", 5)
    with request_as(server, "boss", "manager"):
        engine = current_engine()
        for i in range(6):
            record_audit(engine, "alice", VIEW_CLIENT, str(i))
        sent, message = audit_page.export_update(None, None, None, None, None, "fr")
        assert sent is audit_page.dash.no_update and "retiennent 6 événements" in _text(message)
        assert "au plus 5" in _text(message)
        sent, message = audit_page.export_update("alice", None, "3", None, None, "fr")  # narrowed: fits
        assert len(_rows(sent)) == 2
        sent, message = audit_page.export_update(None, None, None, "31/12/2026", None, "en")
        assert sent is audit_page.dash.no_update and "Invalid date" in _text(message)
        assert len(audit_events(engine, action=EXPORT)) == 1  # only the export that happened


def test_officer_is_refused_the_export_over_http_and_a_manager_gets_it(server):
    login_client(server, "exp-setup", "officer").get("/_dash-layout")
    specs = callback_specs(server.extensions["credit_security"].dash_app.callback_map)
    [spec] = [s for s in specs.values() if any(d.id == "audit-export-download" for d in s.outputs)]
    body = exact_payload(spec, {"audit-export-button.n_clicks": 1})
    officer = login_client(server, "exp-officer", "officer")
    response = officer.post("/_dash-update-component", json=body)
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    manager = login_client(server, "exp-manager", "manager")
    response = manager.post("/_dash-update-component", json=body)
    assert response.status_code == 200 and "audit.csv" in response.get_data(as_text=True)
    with server.app_context():
        assert [e.username for e in audit_events(current_engine(), action=EXPORT)] == ["exp-manager"]
