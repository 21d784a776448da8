"""Oversight, domain and pages called as plain functions: last admin kept, work queue, audit search,
manager reviews, account administration (SQLite + PostgreSQL)."""
import datetime as dt
import json

import pytest

from app.security.accounts import AccountError, create_user, get_account, login, random_password, set_active, set_role
from app.security.audit import (
    ACCOUNT,
    REVIEW,
    VIEW_CLIENT,
    audit_events,
    first_viewers,
    recent_files,
    record_audit,
    search_events,
)
from app.security.decisions import current_decisions, record_decision
from app.security.testing import request_as
from app.security.web import current_engine
from app.security.worklist import queue_items
from tests.security.conftest import engine, probed_app, server  # noqa: F401 - shared fixtures

PASSWORD = "a long enough passphrase"


def _text(component) -> str:
    return json.dumps(component.to_plotly_json(), default=lambda o: o.to_plotly_json(), ensure_ascii=False)


def test_the_last_active_admin_can_be_neither_disabled_nor_demoted(engine):
    create_user(engine, "root", PASSWORD, "admin")
    for change in (lambda: set_active(engine, "root", False), lambda: set_role(engine, "root", "manager")):
        with pytest.raises(AccountError, match="last active admin"):
            change()
    assert get_account(engine, "root").role == "admin" and get_account(engine, "root").active
    create_user(engine, "second", PASSWORD, "admin")
    set_role(engine, "root", "manager")  # another active admin remains
    with pytest.raises(AccountError, match="last active admin"):
        set_active(engine, "second", False)
    assert len(random_password()) >= 12 and random_password() != random_password()


def test_queue_keeps_files_without_a_final_decision_and_filters_by_assignee(engine):
    import pandas as pd

    apps = pd.DataFrame({"PROBA_DEFAULT": [0.05, 0.30, 0.20, 0.12], "DECISION": ["granted", "refused", "refused", "refused"],
                         "GRADE": ["A", "E", "D", "C"]}, index=pd.Index([1, 2, 3, 4], name="SK_ID_CURR"))
    record_decision(engine, client_id="1", username="alice", model_decision="granted", final_decision="granted")
    record_decision(engine, client_id="2", username="alice", model_decision="refused", final_decision="granted",
                    reason="client_history", four_eyes=True)
    record_audit(engine, "bob", VIEW_CLIENT, "3")
    record_audit(engine, "alice", VIEW_CLIENT, "3")  # bob opened it first: his
    items = queue_items(apps, current_decisions(engine), first_viewers(engine))
    assert [(i.client_id, i.status, i.assigned_to) for i in items] == [
        (2, "pending", "alice"), (3, "undecided", "bob"), (4, "undecided", None)]  # riskiest first, 1 is final
    assert [i.client_id for i in queue_items(apps, current_decisions(engine), first_viewers(engine), username="bob")] == [3]
    assert [c for c, _ in recent_files(engine, "alice")] == ["3"]


def test_audit_search_filters_and_pages(engine):
    for i in range(7):
        record_audit(engine, "alice" if i % 2 else "bob", VIEW_CLIENT if i < 5 else REVIEW, str(100 + i))
    total, page = search_events(engine, username="bob", limit=2)
    assert total == 4 and [e.target for e in page] == ["106", "104"]
    assert search_events(engine, username="bob", offset=2, limit=2)[1][0].target == "102"
    assert search_events(engine, action=REVIEW)[0] == 2 and search_events(engine, target="103")[0] == 1
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert search_events(engine, start=tomorrow)[0] == 0 and search_events(engine, end=tomorrow)[0] == 7


def test_audit_page_filters_pages_and_refuses_a_bad_date(server):
    from app.pages.audit import audit_update  # pages import once the app exists (the server fixture)

    with request_as(server, "boss", "manager"):
        for i in range(60):
            record_audit(current_engine(), "alice", VIEW_CLIENT, str(200 + i))
        table, count, page = audit_update("alice", None, None, None, None, 1, "fr")
        assert "60 événements ; page 2 sur 2" in count and page == 1 and "200" in _text(table)
        table, count, page = audit_update("alice", None, None, None, None, 9, "fr")  # past the end: the last page
        assert page == 1
        table, count, _ = audit_update(None, None, "205", None, None, 0, "fr")
        assert "1 événements" in count
        alert, _, _ = audit_update(None, None, None, "01/12/2026", None, 0, "fr")
        assert "Date invalide" in _text(alert)
        table, count, _ = audit_update(None, None, None, "2999-01-01", None, 0, "en")
        assert "No event" in _text(table)


def test_manager_approves_in_place_never_their_own_override(server):
    from app.pages.decisions import filters_update, review_update
    from app.security.decision_stats import DecisionFilter

    with request_as(server, "alice", "officer"):
        rec = record_decision(current_engine(), client_id="300", username="alice", model_decision="refused",
                              final_decision="granted", reason="client_history", four_eyes=True)
    with request_as(server, "alice2", "manager"):
        feedback, options, *_ = review_update(None, None, None, "fr")
        assert [o["value"] for o in options] == [rec.id] and feedback is None
        feedback, *_ = review_update("approved", rec.id, "", "fr")
        assert "commentaire est obligatoire" in _text(feedback)
        feedback, options, pending, comment, changed = review_update("approved", rec.id, "history checked", "fr")
        assert "validée" in _text(feedback) and options == [] and comment == "" and changed == rec.id
        recent, _, _ = filters_update(DecisionFilter(), 0, "fr")  # the review's "changed" refreshes the table
        assert "Validée par un responsable" in _text(recent)
        [event] = audit_events(current_engine(), action=REVIEW)
        assert (event.username, event.target, event.details["verdict"]) == ("alice2", "300", "approved")
    with request_as(server, "carol", "officer"):
        own = record_decision(current_engine(), client_id="301", username="carol", model_decision="granted",
                              final_decision="refused", reason="recent_incident", four_eyes=True)
    with request_as(server, "carol", "manager"):  # carol, now a manager, reviews her own override
        feedback, *_ = review_update("rejected", own.id, "no", "fr")
        assert "propre dérogation" in _text(feedback)


def test_admin_creates_an_account_shown_once_and_changes_are_audited(server):
    from app.pages.admin import admin_update

    with request_as(server, "root", "admin"):
        feedback, table, options, cleared = admin_update("create", "fr", new_username="New.Officer", new_role="officer")
        text = _text(feedback)
        assert "new.officer" in text and cleared == "" and "new.officer" in _text(table)
        password = text.split("de vive voix) : ")[1].split('"')[0]
        assert login(current_engine(), "new.officer", password, "ip", max_failures=5, max_failures_per_ip=20,
                     window_minutes=15).account is not None
        feedback, *_ = admin_update("create", "fr", new_username="new.officer", new_role="officer")
        assert "already exists" in _text(feedback)
        feedback, *_ = admin_update("set_role", "fr", username="new.officer", role="manager")
        assert get_account(current_engine(), "new.officer").role == "manager"
        feedback, *_ = admin_update("disable", "fr", username=None)
        assert "Choisissez un compte" in _text(feedback)
        admin_update("disable", "fr", username="new.officer")
        assert not get_account(current_engine(), "new.officer").active
        changes = [e.details["change"] for e in audit_events(current_engine(), action=ACCOUNT)]
        assert changes == ["disable", "set_role", "create"]
        assert all(password not in json.dumps(e.details) for e in audit_events(current_engine(), action=ACCOUNT))
        feedback, *_ = admin_update("disable", "fr", username="root")  # the only admin of this database
        assert "last active admin" in _text(feedback) and get_account(current_engine(), "root").active


@pytest.mark.parametrize("hostile", [{"a": 1}, [1], 1e308, True, None])
def test_account_changes_refuse_values_that_are_not_text(server, hostile):
    """Found by the access matrix's hostile values: a non-text username raised AttributeError (a 500)."""
    from app.pages.admin import admin_update

    with request_as(server, "root", "admin"):
        for action, kwargs in (("create", dict(new_username=hostile, new_role=hostile)),
                               ("set_role", dict(username=hostile, role=hostile)), ("reset", dict(username=hostile))):
            feedback, *_ = admin_update(action, "en", **kwargs)
            assert "Refused" in _text(feedback) or "Choose an account" in _text(feedback)


def _many(engine, n, *, username="alice", overridden_every=4, grade="D", month_day=dt.datetime(2026, 11, 5, tzinfo=dt.UTC)):
    from app.security.decisions import ModelBasis

    for i in range(n):
        override = i % overridden_every == 0
        record_decision(engine, client_id=f"{username}-{grade}-{i}", username=username, model_decision="refused",
                        final_decision="granted" if override else "refused", reason="client_history" if override else None,
                        note="=HYPERLINK(\"http://x\")" if i == 0 else "", basis=ModelBasis("v", 0.2, 0.09, grade),
                        now=month_day + dt.timedelta(hours=i))


def test_override_rates_respect_the_floor_and_filters_narrow_them(engine):
    from app.security.decision_stats import DecisionFilter, agreement_by_month, filtered_decisions, override_rates

    _many(engine, 24)  # alice: 24 decisions, 6 overrides
    _many(engine, 5, username="bob", grade="E", month_day=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))  # under the floor
    by_officer = {r.key: r for r in override_rates(engine, DecisionFilter(), "officer")}
    assert (by_officer["alice"].decisions, by_officer["alice"].overrides, by_officer["alice"].rate) == (24, 6, 0.25)
    assert by_officer["bob"].decisions == 5 and by_officer["bob"].rate is None  # "—": too few to give a rate
    assert {r.key: r.decisions for r in override_rates(engine, DecisionFilter(), "grade")} == {"D": 24, "E": 5}
    months = {r.key: (r.decisions, r.overrides) for r in agreement_by_month(engine, DecisionFilter())}
    assert months == {"2026-11": (24, 18), "2026-12": (5, 3)}  # agreements = decisions that followed the model
    assert filtered_decisions(engine, DecisionFilter(month="2026-12"))[0] == 5
    assert filtered_decisions(engine, DecisionFilter(overridden=True, officer="alice"))[0] == 6
    assert filtered_decisions(engine, DecisionFilter(reason="client_history", grade="D"))[0] == 6
    hostile = DecisionFilter.parse({"a": 1}, "maybe", True, "because", 1e308, "2026-13")
    assert hostile == DecisionFilter() and filtered_decisions(engine, hostile)[0] == 29


def test_decisions_export_over_the_cap_is_refused_with_a_message_not_cut(server, monkeypatch):
    """A partial file would read as every decision of the filter (it stopped silently at 100,000)."""
    import app.pages.decisions as page
    from app.security.audit import EXPORT
    from app.security.decision_stats import DecisionFilter

    monkeypatch.setattr(page, "MAX_EXPORT_DECISIONS", 2)
    with request_as(server, "boss", "manager"):
        _many(current_engine(), 3)
        sent, message = page.export_update(DecisionFilter(officer="alice"), "fr")
        assert sent is page.dash.no_update and "retiennent 3 décisions" in _text(message) and "au plus 2" in _text(message)
        assert audit_events(current_engine(), action=EXPORT) == []


def test_decisions_export_is_audited_and_formula_safe(server):
    from app.pages.decisions import export_update, filters_update
    from app.security.audit import EXPORT
    from app.security.decision_stats import DecisionFilter

    with request_as(server, "boss", "manager"):
        _many(current_engine(), 3)
        sent, message = export_update(DecisionFilter(officer="alice"), "fr")
        import base64

        text = base64.b64decode(sent["content"]).decode("utf-8-sig")
        assert len(text.strip().splitlines()) == 4 and "'=HYPERLINK" in text  # a note never runs as a formula
        [event] = audit_events(current_engine(), action=EXPORT)
        assert event.target == "decisions" and event.details["filter"]["officer"] == "alice" and event.details["rows"] == 3
        _, stats, _ = filters_update(DecisionFilter(), 0, "fr")
        assert "moins de 20, trop peu pour un taux" in _text(stats)
