"""The work queue computed on arrays equals the per-file definition, on a portfolio with ties."""
import numpy as np
import pandas as pd
import pytest

from app.security.worklist import UNDECIDED, QueueItem, work_queue


class Decision:
    """The fields of a DecisionRecord the queue reads."""

    def __init__(self, username: str, status: str, final: bool):
        self.username, self.status, self.is_final = username, status, final


def reference(apps, decisions, viewers, username=None):
    """The queue as its docstring defines it, one file at a time (the previous implementation)."""
    items = []
    for client_id, row in apps.iterrows():
        current = decisions.get(str(client_id))
        if current is not None and current.is_final:
            continue
        assigned = current.username if current is not None else viewers.get(str(client_id))
        if username is not None and assigned != username:
            continue
        date = row.get("APPLICATION_DATE")
        items.append(QueueItem(int(client_id), float(row["PROBA_DEFAULT"]), str(row["DECISION"]), str(row["GRADE"]),
                               current.status if current is not None else UNDECIDED, assigned,
                               None if pd.isna(date) else date.date()))
    items.sort(key=lambda i: -i.proba)
    return items


@pytest.fixture
def portfolio():
    rng = np.random.default_rng(1)
    n = 400
    frame = pd.DataFrame({
        "PROBA_DEFAULT": rng.choice([0.1, 0.2, 0.35, 0.5], n).astype("float32"),  # many ties
        "DECISION": pd.Categorical(rng.choice(["granted", "refused"], n)),
        "GRADE": pd.Categorical(rng.choice(list("ABCDE"), n)),
        "IS_LABELLED": rng.uniform(size=n) < 0.5,
        "APPLICATION_DATE": pd.to_datetime("2026-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
    }, index=pd.Index(np.arange(5000, 5000 + n), name="SK_ID_CURR"))
    frame.loc[frame.index[7], "APPLICATION_DATE"] = pd.NaT
    ids = [str(i) for i in frame.index]
    decisions = {ids[i]: Decision(["ann", "bob"][i % 2], "pending" if i % 3 else "final", i % 3 == 0)
                 for i in range(0, n, 5)}
    decisions["not-an-id"] = Decision("ann", "pending", False)  # a key the queue cannot place: ignored
    viewers = {ids[i]: "bob" for i in range(1, n, 7)}
    return frame, decisions, viewers


@pytest.mark.parametrize("username", [None, "bob", "ann", "nobody"])
def test_the_queue_is_the_per_file_definition(portfolio, username):
    frame, decisions, viewers = portfolio
    new = frame.loc[~frame["IS_LABELLED"]]
    expected = reference(new, decisions, viewers, username)
    rows = np.flatnonzero(~frame["IS_LABELLED"].to_numpy())
    queue = work_queue(frame, decisions, viewers, username=username, rows=rows)
    assert queue.items == expected and queue.total == len(expected)
    top = work_queue(frame, decisions, viewers, username=username, rows=rows, limit=10)
    assert top.items == expected[:10] and top.total == len(expected)
    assert top.all_dated == (bool(expected) and all(i.applied_on is not None for i in expected))


def test_an_empty_queue(portfolio):
    frame, _, _ = portfolio
    queue = work_queue(frame, {}, {}, rows=np.array([], dtype=np.int64), limit=5)
    assert queue.items == [] and queue.total == 0 and not queue.all_dated
