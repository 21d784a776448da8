"""Decision log domain: validation, append-only revisions, idempotent recording, traceability, four-eyes."""
import datetime as dt

import pytest

from app.security.db import utcnow
from app.security.decisions import (
    MAX_NOTE_CHARS,
    DecisionError,
    ModelBasis,
    current_decision,
    current_decisions,
    decision_history,
    model_version,
    pending_reviews,
    record_decision,
    review_decision,
)

HOSTILE = "<script>alert('x')</script> '; DROP TABLE decisions; --\x00 \u202e"
BASIS = ModelBasis("0123456789abcdef@2026-11-21T16:27:48+00:00", 0.1234, 0.089, "D",
                   ({"feature": "EXT_SOURCE_3", "points": 4.2}, {"feature": "DAYS_BIRTH", "points": -1.1}))
TERMS = {"AMT_CREDIT": 150000.0, "AMT_ANNUITY": 9000.0, "AMT_GOODS_PRICE": 135000.0, "CNT_PAYMENT": 24}


def refuse_override(engine, client="1", **kwargs):
    """An officer grants what the model refused."""
    values = dict(client_id=client, username="alice", model_decision="refused", final_decision="granted",
                  reason="client_history")
    return record_decision(engine, **{**values, **kwargs})


def test_follow_the_model_needs_no_reason(engine):
    rec = record_decision(engine, client_id=100002, username="alice", model_decision="granted",
                          final_decision="granted", reason="other", note=" ok ")
    assert (rec.overridden, rec.reason, rec.note, rec.client_id, rec.status) == (False, None, "ok", "100002", "not_required")


@pytest.mark.parametrize("reason, note, code", [(None, "", "reason_required"), ("", "x", "reason_required"),
                                                ("because", "", "reason_invalid"), ("other", "  ", "note_required")])
def test_override_without_valid_reason_is_refused(engine, reason, note, code):
    with pytest.raises(DecisionError) as err:
        record_decision(engine, client_id="1", username="alice", model_decision="refused",
                        final_decision="granted", reason=reason, note=note)
    assert err.value.code == code
    assert decision_history(engine, "1") == []


@pytest.mark.parametrize("kwargs, code", [
    (dict(model_decision="maybe"), "model_invalid"), (dict(final_decision="yes"), "final_invalid"),
    (dict(note="x" * (MAX_NOTE_CHARS + 1)), "note_too_long"), (dict(client_id=""), "client_invalid"),
    (dict(client_id="x" * 65), "client_invalid"), (dict(username=""), "user_missing"),
    (dict(open_application=False), "not_pending"), (dict(request_token=["x"]), "token_invalid"),
])
def test_bad_input_refused(engine, kwargs, code):
    values = dict(client_id="1", username="alice", model_decision="granted", final_decision="granted")
    with pytest.raises(DecisionError) as err:
        record_decision(engine, **{**values, **kwargs})
    assert err.value.code == code
    assert decision_history(engine, "1") == []


def test_history_newest_first_revisions_append_and_hostile_text_stored_verbatim(engine):
    t0 = utcnow()
    first = record_decision(engine, client_id="7", username="alice", model_decision="refused",
                            final_decision="refused", now=t0)
    record_decision(engine, client_id="7", username="bob", model_decision="refused", final_decision="granted",
                    reason="guarantor_or_collateral", note=HOSTILE, now=t0 + dt.timedelta(minutes=5),
                    revises_id=first.id, revision_reason="guarantor found")
    record_decision(engine, client_id="8", username="bob", model_decision="granted", final_decision="granted", now=t0)
    history = decision_history(engine, "7")
    assert [h.username for h in history] == ["bob", "alice"]
    assert history[1] == first  # the revised decision is kept as it was
    assert history[0].overridden and history[0].reason == "guarantor_or_collateral"
    assert (history[0].revises_id, history[0].revision_reason) == (first.id, "guarantor found")
    assert history[0].note == HOSTILE.replace("\x00", "").strip()  # only the NUL (refused by PostgreSQL) goes
    assert history[0].at.tzinfo is not None and abs(history[0].at - (t0 + dt.timedelta(minutes=5))) < dt.timedelta(seconds=1)


def test_a_second_decision_must_be_an_explicit_revision_of_the_current_one(engine):
    first = refuse_override(engine)
    with pytest.raises(DecisionError) as err:
        refuse_override(engine)  # a form opened before the first decision: not a silent second one
    assert err.value.code == "already_decided"
    with pytest.raises(DecisionError) as err:
        refuse_override(engine, revises_id=first.id, revision_reason="  ")
    assert err.value.code == "revision_required"
    second = refuse_override(engine, revises_id=first.id, revision_reason="new payslip", final_decision="refused",
                             reason=None)
    with pytest.raises(DecisionError) as err:
        refuse_override(engine, revises_id=first.id, revision_reason="stale page")  # first is no longer current
    assert err.value.code == "stale"
    assert [d.id for d in decision_history(engine, "1")] == [second.id, first.id]


def test_recording_is_idempotent_per_request_token(engine):
    one = refuse_override(engine, request_token="tok-1")
    again = refuse_override(engine, request_token="tok-1")  # the double click
    assert again == one and len(decision_history(engine, "1")) == 1
    with pytest.raises(DecisionError) as err:  # a token replayed on another client, or by another user
        refuse_override(engine, client="2", request_token="tok-1")
    assert err.value.code == "token_invalid"
    with pytest.raises(DecisionError):
        refuse_override(engine, username="mallory", request_token="tok-1")
    assert decision_history(engine, "2") == []


def test_each_decision_records_what_the_model_showed(engine):
    rec = refuse_override(engine, basis=BASIS)
    [stored] = decision_history(engine, "1")
    assert stored == rec
    assert (stored.model_version, stored.proba, stored.threshold, stored.grade) == (
        BASIS.model_version, 0.1234, 0.089, "D")
    assert stored.reasons == [{"feature": "EXT_SOURCE_3", "points": 4.2}, {"feature": "DAYS_BIRTH", "points": -1.1}]
    assert stored.terms is None


def test_granted_with_modified_terms_requires_valid_terms(engine):
    for terms, code in [(None, "terms_required"), ({"AMT_CREDIT": 1.0}, "terms_invalid"),
                        ({**TERMS, "CNT_PAYMENT": 12.5}, "terms_invalid"), ({**TERMS, "AMT_CREDIT": -1}, "terms_invalid"),
                        ({**TERMS, "AMT_ANNUITY": float("nan")}, "terms_invalid"),
                        ({**TERMS, "AMT_ANNUITY": 200000.0}, "terms_invalid"), ({**TERMS, "CNT_PAYMENT": True}, "terms_invalid")]:
        with pytest.raises(DecisionError) as err:
            refuse_override(engine, final_decision="granted_modified", terms=terms)
        assert err.value.code == code, terms
    rec = refuse_override(engine, final_decision="granted_modified", terms=TERMS)
    assert rec.terms == TERMS and rec.overridden and rec.outcome == "granted"
    follows = record_decision(engine, client_id="2", username="alice", model_decision="granted",
                              final_decision="granted_modified", terms=TERMS)
    assert not follows.overridden and follows.reason is None  # a grant on other terms follows a grant


def test_model_version_names_the_files_and_the_training_date():
    one = model_version({"model.cbm": "a" * 64}, "2026-11-21T16:27:48+00:00")
    assert one.endswith("@2026-11-21T16:27:48+00:00") and len(one.split("@")[0]) == 16
    assert one != model_version({"model.cbm": "b" * 64}, "2026-11-21T16:27:48+00:00")
    assert one != model_version({"model.cbm": "a" * 64, "term_model.cbm": "c" * 64}, "2026-11-21T16:27:48+00:00")
    assert model_version(None, "2026-01-01") == "unverified@2026-01-01"


def test_four_eyes_override_is_pending_until_another_person_reviews_it(engine):
    follow = record_decision(engine, client_id="2", username="alice", model_decision="granted",
                             final_decision="granted", four_eyes=True)
    assert follow.status == "not_required" and follow.is_final  # following the model needs nobody
    rec = refuse_override(engine, four_eyes=True)
    assert (rec.status, rec.is_final) == ("pending", False)
    assert [d.id for d in pending_reviews(engine)] == [rec.id]
    with pytest.raises(DecisionError) as err:
        review_decision(engine, decision_id=rec.id, reviewer="alice", verdict="approved", comment="fine")
    assert err.value.code == "own_override"
    with pytest.raises(DecisionError) as err:
        review_decision(engine, decision_id=rec.id, reviewer="boss", verdict="approved", comment=" ")
    assert err.value.code == "comment_required"
    with pytest.raises(DecisionError) as err:
        review_decision(engine, decision_id=follow.id, reviewer="boss", verdict="approved", comment="x")
    assert err.value.code == "not_reviewable"
    approved = review_decision(engine, decision_id=rec.id, reviewer="boss", verdict="approved", comment="history ok")
    assert (approved.status, approved.is_final, approved.review.username) == ("approved", True, "boss")
    assert current_decision(engine, "1") == approved and pending_reviews(engine) == []
    with pytest.raises(DecisionError) as err:
        review_decision(engine, decision_id=rec.id, reviewer="boss2", verdict="rejected", comment="no")
    assert err.value.code == "already_reviewed"


def test_a_revised_override_is_reviewed_in_its_new_version_only(engine):
    rec = refuse_override(engine, four_eyes=True)
    revised = refuse_override(engine, four_eyes=True, revises_id=rec.id, revision_reason="more documents",
                              reason="additional_income")
    with pytest.raises(DecisionError) as err:
        review_decision(engine, decision_id=rec.id, reviewer="boss", verdict="approved", comment="ok")
    assert err.value.code == "superseded"
    rejected = review_decision(engine, decision_id=revised.id, reviewer="boss", verdict="rejected", comment="too risky")
    assert (rejected.status, rejected.is_final) == ("rejected", False)
    assert set(current_decisions(engine)) == {"1"} and current_decisions(engine)["1"].status == "rejected"


def test_without_four_eyes_an_override_is_final_at_once(engine):
    rec = refuse_override(engine, four_eyes=False)
    assert (rec.status, rec.is_final) == ("not_required", True) and pending_reviews(engine) == []
