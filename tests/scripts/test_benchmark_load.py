"""``scripts/benchmark_load.py``: its error counting, and one short run against the demo model."""
import json
import re
import shutil
import subprocess
import sys

import pytest
import requests

from app.config import PROJECT_DIR
from tests.scripts.script_support import SCRIPTS, script_env, script_module


@pytest.fixture(scope="module")
def load():
    with script_module("benchmark_load") as module:
        yield module


class _Answer:
    def __init__(self, status: int, body: dict | None):
        self.status_code, self.content = status, json.dumps(body).encode() if body is not None else b""
        self.text = self.content.decode()

    def json(self):
        return json.loads(self.content)


class _Session:
    """Answers each POST with the next forged answer (or raises it)."""

    def __init__(self, answers):
        self.answers = list(answers)

    def post(self, *args, **kwargs):
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def _officer(load, answers):
    officer = load.Officer.__new__(load.Officer)  # no server: a session of forged answers
    officer.base, officer.timeout, officer.session = "http://127.0.0.1:1", 1.0, _Session(answers)
    return officer


def test_a_dash_error_payload_a_status_a_timeout_and_a_lost_connection_are_counted(load):
    record = load.Record()
    officer = _officer(load, [
        _Answer(200, {"multi": True, "response": {"client-waterfall": {"figure": {}}}}),
        _Answer(200, {"error": "csrf", "message": "Missing or invalid anti-forgery token: reload the page."}),
        _Answer(500, None),
        _Answer(204, None),
        requests.Timeout("read timed out"),
        requests.ConnectionError("connection reset"),
    ])
    assert officer.post("waterfall", {}, record) == {"client-waterfall": {"figure": {}}}
    assert officer.post("waterfall", {}, record) is None
    assert officer.post("waterfall", {}, record) is None
    assert officer.post("waterfall", {}, record) == {}  # PreventUpdate is an answer
    assert officer.post("waterfall", {}, record) is None
    assert officer.post("waterfall", {}, record) is None
    assert record.errors() == {"Dash error payload": 1, "HTTP 500": 1, "timeout": 1, "connection error": 1}
    assert "anti-forgery" in record.examples["Dash error payload"]
    assert len(record.times("waterfall")) == 2  # only the answers are timed


def test_only_the_openings_without_errors_are_timed_as_a_whole(load):
    record = load.Record(openings=[(0.2, True), (5.0, False), (0.3, True)])
    assert record.times(load.OPENING) == [0.2, 0.3]


def test_the_server_log_lines_about_problems_are_picked(load):
    log = "[INFO] Booting worker with pid: 12\n[CRITICAL] WORKER TIMEOUT (pid:12)\n[ERROR] Worker (pid:12) was sent SIGKILL\n"
    assert load.server_problems(log) == ["[CRITICAL] WORKER TIMEOUT (pid:12)", "[ERROR] Worker (pid:12) was sent SIGKILL"]


def test_a_missing_model_folder_is_one_error_line(load, tmp_path, capsys):
    assert load.main(["--model-dir", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --model-dir") and err.count("\n") == 1


def test_two_officers_open_demo_files_for_three_seconds_without_an_error(tmp_path):
    model = tmp_path / "demo"
    shutil.copytree(PROJECT_DIR / "model" / "demo", model)  # the server rebuilds the demo portfolio in the folder
    run = subprocess.run([sys.executable, str(SCRIPTS / "benchmark_load.py"), "--model-dir", str(model),
                          "--users", "2", "--seconds", "3"], capture_output=True, text=True, env=script_env(),
                         cwd=tmp_path, timeout=180)
    assert run.returncode == 0, run.stderr[-3000:]
    openings = re.search(r"^(\d+) openings in .* errors: (\d+)", run.stdout, re.MULTILINE)
    assert openings is not None, run.stdout
    assert int(openings.group(1)) > 0 and int(openings.group(2)) == 0, run.stdout
    assert "errors in total: 0" in run.stdout and "/healthz answers after" in run.stdout
    assert re.search(r"worker \d+: RSS \d+ MB \(anonymous \d+, file-backed \d+\), PSS \d+ MB", run.stdout)


def test_a_connection_reset_before_any_answer_is_sent_again_once_and_counted(load):
    record = load.Record()
    reset = requests.ConnectionError("('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))")
    ok = _Answer(200, {"multi": True, "response": {}})
    officer = _officer(load, [reset, ok, reset, reset, requests.ConnectionError("Failed to establish a new connection")])
    assert officer.post("search (type-ahead)", {}, record) == {}
    assert officer.post("search (type-ahead)", {}, record) is None  # the retry failed too: an error
    assert officer.post("search (type-ahead)", {}, record) is None  # refused: never retried
    assert len(record.retried) == 2 and record.errors() == {"connection error": 2}


def test_a_worker_killed_during_the_run_is_an_error_even_when_every_request_was_retried(load):
    # an OOM-killed worker resets its connections; the retries then succeed on the new worker, so
    # only the server's log says the run was not clean (found under a 512 MB memory cgroup)
    log = ("[INFO] Booting worker with pid: 12\n"
           "[ERROR] Worker (pid:12) was sent SIGKILL! Perhaps out of memory?\n"
           "[CRITICAL] WORKER TIMEOUT (pid:13)\n"
           "[ERROR] Worker (pid:13) was sent SIGABRT!\n"  # the same death: counted once
           "[ERROR] Worker (pid:14) was sent code 134!\n"
           "[INFO] Worker exiting (pid: 15)\n")  # a clean stop at the end of the run is no death
    assert load.worker_deaths(log) == 3
    assert load.worker_deaths("[INFO] Booting worker with pid: 12\n") == 0
