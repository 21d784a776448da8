"""The benchmarks' shared report helpers (``scripts/_bench.py``): statistics, memory, side-by-side tables."""
import json
import math

import pytest

from tests.scripts.script_support import script_module

SMAPS_ROLLUP = """\
55e723bbc000-7fff434d8000 ---p 00000000 00:00 0                          [rollup]
Rss:              524288 kB
Pss:              262144 kB
Pss_Anon:         204800 kB
Pss_File:          57344 kB
Shared_Clean:     307200 kB
Private_Dirty:    204800 kB
Anonymous:        409600 kB
Swap:                  0 kB
"""


@pytest.fixture(scope="module")
def bench():
    with script_module("_bench") as module:
        yield module


def test_summary_gives_p50_p95_and_max_in_milliseconds(bench):
    s = bench.summary([k / 1000 for k in range(1, 101)])  # 1 ms .. 100 ms
    assert s["p50"] == pytest.approx(50.5) and s["p95"] == pytest.approx(95.05) and s["max"] == pytest.approx(100)


def test_summary_of_nothing_is_nan_not_an_error(bench):
    assert all(math.isnan(v) for v in bench.summary([]).values())


def test_smaps_rollup_gives_rss_anonymous_file_backed_and_pss_in_mb(bench):
    assert bench.parse_smaps_rollup(SMAPS_ROLLUP) == {"rss": 512, "anon": 400, "file": 112, "pss": 256}


def test_smaps_rollup_without_rss_is_refused(bench):
    with pytest.raises(ValueError, match="Rss"):
        bench.parse_smaps_rollup("Pss: 12 kB\n")


def test_memory_of_this_process_is_read(bench):
    memory = bench.process_memory()
    assert memory["rss"] > 0 and memory["rss"] == pytest.approx(memory["anon"] + memory["file"])


def test_side_by_side_prints_one_row_per_folder_then_the_ratios_to_the_first(bench):
    rows = [("bench/model", {"clients": 356_255, "p95": 40.0, "errors": 0}),
            ("bench10/model", {"clients": 3_562_550, "p95": 100.0, "errors": 0})]
    lines = bench.side_by_side("p95:", rows, fmt="{:.1f}").splitlines()
    assert lines[0] == "p95:" and lines[1].split() == ["clients", "p95", "errors"]
    assert lines[2].split() == ["bench/model", "356255.0", "40.0", "0.0"]
    assert lines[3].split() == ["bench10/model", "3562550.0", "100.0", "0.0"]
    assert lines[4].split() == ["ratio", "bench10/model", "x10.00", "x2.50", "-"]  # 0 then 0: no ratio


def test_a_single_folder_has_no_ratio_row_and_a_missing_figure_is_a_dash(bench):
    lines = bench.side_by_side("t", [("a", {"x": math.nan, "y": 2.0})], columns=["x", "y", "z"]).splitlines()
    assert len(lines) == 3 and lines[2].split() == ["a", "-", "2.0", "-"]


@pytest.mark.parametrize("value, first, shown", [(3.0, 1.5, "x2.00"), (1.0, 0.0, "-"), (math.nan, 1.0, "-"),
                                                 (None, 1.0, "-"), (1.0, None, "-")])
def test_ratio_cell(bench, value, first, shown):
    assert bench.ratio_cell(value, first) == shown


def test_without_option_drops_every_occurrence_and_its_value(bench):
    argv = ["--model-dir", "a", "--n", "5", "--model-dir=b", "--model-dir", "c", "--seed", "1"]
    assert bench.without_option(argv, "--model-dir") == ["--n", "5", "--seed", "1"]


def test_folder_label_is_the_last_two_path_parts(bench):
    assert bench.folder_label("/work/main/data/bench10/model") == "bench10/model"


@pytest.mark.parametrize("status, body, error", [
    (200, json.dumps({"multi": True, "response": {"x": {"children": 1}}}), None),
    (204, "", None),  # PreventUpdate: nothing to update
    (200, json.dumps({"error": "csrf", "message": "Missing or invalid anti-forgery token"}), "Dash error payload"),
    (200, json.dumps({"multi": True}), "Dash error payload"),
    (200, "<html>Internal Server Error</html>", "not JSON"),
    (500, "<html>Internal Server Error</html>", "HTTP 500"),
    (403, json.dumps({"error": "csrf"}), "HTTP 403"),
])
def test_callback_error_tells_a_failure_from_an_answer(bench, status, body, error):
    assert bench.callback_error(status, body.encode()) == error


def test_callback_payload_follows_the_registered_dependencies(bench):
    registered = {"..a.children...b.style..": {"inputs": [{"id": "store", "property": "data"}],
                                              "state": [{"id": "c", "property": "value"}]},
                  "other.figure": {"inputs": [{"id": "x", "property": "value"}]}}
    payload = bench.callback_payload(registered, "b", {"store.data": "7"})
    assert payload["output"] == "..a.children...b.style.."
    assert payload["outputs"] == [{"id": "a", "property": "children"}, {"id": "b", "property": "style"}]
    assert payload["inputs"] == [{"id": "store", "property": "data", "value": "7"}]
    assert payload["state"] == [{"id": "c", "property": "value", "value": None}]
    assert payload["changedPropIds"] == ["store.data"]
    assert bench.callback_payload(registered, "other", {})["outputs"] == {"id": "other", "property": "figure"}
    with pytest.raises(KeyError, match="nothing"):
        bench.callback_payload(registered, "nothing", {})


def test_select_keeps_some_figures_under_shorter_names(bench):
    rows = [("a", {"http render": 1.0, "http search": 2.0, "clients": 10})]
    assert bench.select(rows, {"render": "http render", "waterfall": "http waterfall"})[0][1]["render"] == 1.0
    assert math.isnan(bench.select(rows, {"waterfall": "http waterfall"})[0][1]["waterfall"])
