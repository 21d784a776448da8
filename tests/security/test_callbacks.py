"""Callback requests are matched against the registered callback exactly (app.security.callbacks)."""
import pytest

from app.security.callbacks import CallbackRequestError, callback_specs, match_callback
from tests.security.callback_payloads import exact_payload, forgeries

PAGES = ".._pages_content.children..._pages_store.data.."
CALLBACK_MAP = {
    PAGES: {"inputs": [{"id": "_pages_location", "property": "pathname"},
                       {"id": "_pages_location", "property": "search"}], "state": [], "callback": print},
    "_pages_dummy.children": {"inputs": [{"id": "_pages_store", "property": "data"}]},  # clientside: no function
    "client-out.children": {"inputs": [{"id": "client-in", "property": "value"}],
                            "state": [{"id": "client-note", "property": "value"},
                                      {"id": "client-choice", "property": "value"}], "callback": print},
}
SPECS = callback_specs(CALLBACK_MAP)


def test_specs_read_dash_keys():
    assert "_pages_dummy.children" not in SPECS  # clientside callbacks never run on the server
    pages = SPECS[PAGES]
    assert pages.multi and [d.prop_id for d in pages.outputs] == ["_pages_content.children", "_pages_store.data"]
    single = SPECS["client-out.children"]
    assert not single.multi and [d.prop_id for d in single.state] == ["client-note.value", "client-choice.value"]


def test_exact_request_matches_and_values_are_read_by_position():
    body = exact_payload(SPECS[PAGES], {"_pages_location.pathname": "/", "_pages_location.search": "?a=1"})
    matched = match_callback(body, SPECS)
    assert matched.values == ("/", "?a=1") and matched.value("_pages_location", "pathname") == "/"


@pytest.mark.parametrize("key", list(SPECS))
def test_every_forgery_is_refused(key):
    names = []
    for name, body in forgeries(SPECS[key], SPECS):
        with pytest.raises(CallbackRequestError):
            match_callback(body, SPECS)
            pytest.fail(f"forgery accepted: {name}")
        names.append(name)
    assert len(names) >= 10


def test_the_reported_page_forgery_is_refused():
    """The issue's exploit: "/model" in a `search` entry placed first, "/" where a name-based check read."""
    body = {"output": PAGES, "outputs": [{"id": "_pages_content", "property": "children"},
                                         {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "search", "value": "/model"},
                       {"id": "_pages_location", "property": "pathname", "value": "/"}], "changedPropIds": []}
    with pytest.raises(CallbackRequestError, match="inputs\\[0\\]"):
        match_callback(body, SPECS)


@pytest.mark.parametrize("body", [None, [], "text", {"inputs": []}, {"output": 5}])
def test_malformed_bodies_are_refused(body):
    with pytest.raises(CallbackRequestError):
        match_callback(body, SPECS)


def test_pattern_matching_callbacks_are_not_accepted():
    with pytest.raises(CallbackRequestError, match="pattern-matching"):
        callback_specs({"x.children": {"inputs": [{"id": {"type": "client-row", "index": "ALL"}, "property": "value"}], "callback": print}})
