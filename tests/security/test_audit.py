"""Audit trail: stored with user and UTC time, details as JSON; audit() is a no-op outside a request."""
import json
import logging

from app.security.audit import EXPORT, VIEW_CLIENT, audit, audit_events, record_audit
from app.security.logs import JsonFormatter


def test_record_and_query(engine):
    record_audit(engine, "alice", VIEW_CLIENT, "100002")
    record_audit(engine, "bob", EXPORT, "portfolio", {"filter": {"age_band": "30-40", "limit": 50}, "when": object()})
    events = audit_events(engine)
    assert [(e.username, e.action, e.target) for e in events] == [("bob", EXPORT, "portfolio"), ("alice", VIEW_CLIENT, "100002")]
    assert events[0].details["filter"] == {"age_band": "30-40", "limit": 50}
    assert events[0].at.tzinfo is not None
    assert [e.target for e in audit_events(engine, username="alice")] == ["100002"]


def test_audit_outside_a_request_records_nothing():
    assert audit(VIEW_CLIENT, "100002") is False


def test_audit_log_line_is_json_without_details(engine, caplog):
    with caplog.at_level(logging.INFO, logger="app.events"):
        record_audit(engine, "alice", EXPORT, "portfolio", {"filter": {"name": "Dupont"}})
    line = JsonFormatter().format(caplog.records[-1])
    entry = json.loads(line)
    assert entry["event"] == "audit" and entry["username"] == "alice" and entry["target"] == "portfolio"
    assert "Dupont" not in line and "\n" not in line
