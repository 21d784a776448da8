"""Decision log domain: validation, append-only history newest first, hostile text kept as text."""
import datetime as dt

import pytest

from app.security.db import utcnow
from app.security.decisions import MAX_NOTE_CHARS, DecisionError, decision_history, record_decision

HOSTILE = "<script>alert('x')</script> '; DROP TABLE decisions; --\x00 \u202e"


def test_follow_the_model_needs_no_reason(engine):
    rec = record_decision(engine, client_id=100002, username="alice", model_decision="granted",
                          final_decision="granted", reason="other", note=" ok ")
    assert (rec.overridden, rec.reason, rec.note, rec.client_id) == (False, None, "ok", "100002")


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
])
def test_bad_input_refused(engine, kwargs, code):
    values = dict(client_id="1", username="alice", model_decision="granted", final_decision="granted")
    with pytest.raises(DecisionError) as err:
        record_decision(engine, **{**values, **kwargs})
    assert err.value.code == code


def test_history_newest_first_and_hostile_text_stored_verbatim(engine):
    t0 = utcnow()
    record_decision(engine, client_id="7", username="alice", model_decision="refused", final_decision="refused", now=t0)
    record_decision(engine, client_id="7", username="bob", model_decision="refused", final_decision="granted",
                    reason="guarantor_or_collateral", note=HOSTILE, now=t0 + dt.timedelta(minutes=5))
    record_decision(engine, client_id="8", username="bob", model_decision="granted", final_decision="granted", now=t0)
    history = decision_history(engine, "7")
    assert [h.username for h in history] == ["bob", "alice"]
    assert history[0].overridden and history[0].reason == "guarantor_or_collateral"
    assert history[0].note == HOSTILE.replace("\x00", "").strip()  # only the NUL (refused by PostgreSQL) goes
    assert history[0].at.tzinfo is not None and abs(history[0].at - (t0 + dt.timedelta(minutes=5))) < dt.timedelta(seconds=1)
