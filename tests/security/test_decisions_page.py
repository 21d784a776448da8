"""/decisions as a manager uses it: the table paged on the server, the pending list off the filter path
(SQLite + PostgreSQL)."""
import json

from app.security.decision_stats import DecisionFilter
from app.security.decisions import record_decision
from app.security.testing import request_as
from app.security.web import current_engine
from tests.security.conftest import engine, probed_app, server  # noqa: F401 - shared fixtures


def _text(component) -> str:
    return json.dumps(component.to_plotly_json(), default=lambda o: o.to_plotly_json(), ensure_ascii=False)


def _rows(component) -> list[str]:
    """Client ids of the table's rows, in order."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "Link":
                found.append(node["props"]["children"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(_text(component)))
    return found


def test_the_table_is_paged_on_the_server(server):
    from app.pages.decisions import PAGE_SIZE, filters_update

    with request_as(server, "boss", "manager"):
        engine = current_engine()
        for i in range(PAGE_SIZE + 7):
            record_decision(engine, client_id=str(500 + i), username="alice" if i % 2 else "bob",
                            model_decision="granted", final_decision="granted")
        recent, _, page = filters_update(DecisionFilter(), 0, "fr")
        ids = _rows(recent)
        assert page == 0 and len(ids) == PAGE_SIZE and ids[0] == str(500 + PAGE_SIZE + 6)  # newest first
        assert "57 décisions correspondent" in _text(recent) and "page 1 sur 2" in _text(recent)
        recent, _, page = filters_update(DecisionFilter(), 1, "fr")
        assert page == 1 and _rows(recent) == [str(500 + i) for i in range(6, -1, -1)]
        recent, _, page = filters_update(DecisionFilter(), 99, "en")  # past the end: the last page
        assert page == 1 and "page 2 of 2" in _text(recent)
        recent, _, page = filters_update(DecisionFilter(officer="bob"), "1; DROP TABLE decisions", "en")  # forged page
        assert page == 0 and len(_rows(recent)) == 29 and "29 decisions match" in _text(recent)


def test_a_review_refreshes_the_filtered_views_and_a_filter_change_reads_no_pending_list(server, monkeypatch):
    import app.pages.decisions as page

    with request_as(server, "alice", "officer"):
        rec = record_decision(current_engine(), client_id="700", username="alice", model_decision="refused",
                              final_decision="granted", reason="client_history", four_eyes=True)
    with request_as(server, "boss", "manager"):
        *_, changed = page.review_update(None, None, None, "fr")
        assert changed is page.dash.no_update  # a load: nothing to refresh
        *_, changed = page.review_update("approved", rec.id, "vu", "fr")
        assert changed == rec.id
        monkeypatch.setattr(page, "pending_reviews", lambda *a, **k: (_ for _ in ()).throw(AssertionError("read")))
        recent, stats, _ = page.filters_update(DecisionFilter(grade="Z"), 0, "fr")
        assert stats is not None and "Aucune décision pour ces filtres" in _text(recent)  # not "no pending override"


def test_pending_list_keeps_only_current_unreviewed_overrides_oldest_first(engine):
    """The pending query walks the approvals in id order: a revised override drops out, its revision stays."""
    from app.security.decisions import pending_reviews, review_decision

    def override(client, **kw):
        return record_decision(engine, client_id=client, username="alice", model_decision="refused",
                               final_decision="granted", reason="client_history", four_eyes=True, **kw)

    first, second, third = override("1"), override("2"), override("3")
    revised = override("1", revises_id=first.id, revision_reason="new payslip")  # still an override, pending again
    record_decision(engine, client_id="2", username="alice", model_decision="refused", final_decision="refused",
                    revises_id=second.id, revision_reason="follow the model after all")  # no approval needed
    review_decision(engine, decision_id=third.id, reviewer="boss", verdict="approved", comment="ok")
    override("4"), override("5")
    assert [(d.client_id, d.id == revised.id) for d in pending_reviews(engine)] == [("1", True), ("4", False), ("5", False)]
    assert [d.client_id for d in pending_reviews(engine, limit=2)] == ["1", "4"]


def test_forged_huge_numbers_get_a_message_not_a_server_error(server):
    """A forged request can send any JSON number: 2**70 as a decision id or a page overflowed the
    database's integers (OverflowError on SQLite, NumericValueOutOfRange on PostgreSQL): a 500."""
    from app.pages.audit import audit_update
    from app.pages.decisions import filters_update, review_update

    with request_as(server, "boss", "manager"):
        feedback, *_ = review_update("approved", 2**70, "checked", "fr")
        assert "n'attend aucune validation" in _text(feedback)
        recent, _, page = filters_update(DecisionFilter(), 10**30, "fr")
        assert page == 0 and "page 1 sur 1" in _text(recent)
        _, count, page = audit_update(None, None, None, None, None, 10**30, "fr")
        assert page == 0 and "page 1 sur 1" in count
