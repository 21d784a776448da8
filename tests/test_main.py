"""``python -m app`` in development: the first start's monitoring backfill never delays the dashboard."""
import threading
from types import SimpleNamespace

import app.__main__ as entry


def test_the_backfill_runs_beside_the_server_not_before_it(monkeypatch):
    release, done = threading.Event(), []

    def slow_backfill(engine, model_dir, *, log):
        release.wait(10)  # twelve demo months take ~30 s
        done.append((engine, model_dir))
        return 12

    monkeypatch.setattr("app.cli.history.backfill_if_empty", slow_backfill)
    thread = entry.start_backfill("engine", SimpleNamespace(model_dir="model/demo"))
    assert thread.is_alive() and thread.daemon and done == []  # returned at once: the server starts now
    release.set()
    thread.join(5)
    assert not thread.is_alive() and done == [("engine", "model/demo")]
