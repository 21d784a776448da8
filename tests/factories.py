"""Schema-valid application tables for tests, made from random values (never a real row).

Deliberately independent of the synthetic generator, so that a generator bug cannot hide a loader,
feature or model bug. A weak but real link between the external scores and TARGET lets a small
model learn something.
"""
from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pandas as pd

from app.config import DEFAULT_MODEL_DIR
from app.scoring.bundle import CARD_FILE
from app.scoring.model_card import ModelCard
from app.scoring.schema import TARGET_COLUMN, application_schema

SPECIAL_RANGES = {
    "DAYS_BIRTH": (-25000, -7500),
    "DAYS_EMPLOYED": (-15000, -30),
    "DAYS_REGISTRATION": (-20000, 0),
    "DAYS_ID_PUBLISH": (-7000, 0),
    "DAYS_LAST_PHONE_CHANGE": (-4000, 0),
    "AMT_INCOME_TOTAL": (30_000, 400_000),
    "AMT_CREDIT": (45_000, 2_000_000),
    "AMT_ANNUITY": (2_000, 90_000),
    "AMT_GOODS_PRICE": (40_000, 1_800_000),
    "CNT_CHILDREN": (0, 4),
    "CNT_FAM_MEMBERS": (1, 6),
    "REGION_RATING_CLIENT": (1, 4),
    "REGION_RATING_CLIENT_W_CITY": (1, 4),
    "HOUR_APPR_PROCESS_START": (6, 20),
}


def make_applications(n: int = 200, seed: int = 0, labelled: bool = True, first_id: int = 100_000) -> pd.DataFrame:
    """``n`` raw applications in the exact column order and dtypes of application_train / _test."""
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {}
    for col in application_schema().columns:
        name = col.name
        if name == "SK_ID_CURR":
            data[name] = np.arange(first_id, first_id + n, dtype=np.int64)
        elif name == TARGET_COLUMN:
            continue
        elif col.dtype == "category":
            levels = [c for c in col.categories if c != "XNA"] or ["A"]
            values = rng.choice(levels, size=n).astype(object)
            values[rng.random(n) < 0.05] = None
            data[name] = pd.array(values, dtype="str")
        elif name in SPECIAL_RANGES:
            lo, hi = SPECIAL_RANGES[name]
            values = rng.integers(lo, hi + 1, size=n) if col.dtype == "int" else rng.uniform(lo, hi, size=n).round(1)
            data[name] = values
        elif col.dtype == "int":
            data[name] = rng.integers(0, 2, size=n)
        else:
            values = rng.uniform(0, 1, size=n)
            values[rng.random(n) < 0.2] = np.nan
            data[name] = values
    frame = pd.DataFrame(data)
    frame.loc[rng.random(n) < 0.15, "DAYS_EMPLOYED"] = 365243  # pensioner sentinel, as in the real data
    if labelled:
        ext = frame[["EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3"]].mean(axis=1).fillna(0.5).to_numpy()
        risk = 1 / (1 + np.exp(-(-2.5 - 4 * (ext - 0.5))))
        frame.insert(1, TARGET_COLUMN, (rng.random(n) < risk).astype(np.int64))
    schema_order = application_schema().names if labelled else application_schema().test_names()
    return frame[schema_order]


def make_previous_applications(n: int = 2000, seed: int = 0, first_id: int = 100_000) -> pd.DataFrame:
    """``n`` past loans priced like Home Credit's: a term from a short list, a rate from a few
    posted levels, the annuity from the annuity formula (so the term can be learnt back)."""
    rng = np.random.default_rng(seed)
    months = rng.choice([6, 12, 18, 24, 36, 48], size=n).astype(float)
    annual_rate = rng.choice([0.15, 0.25, 0.35, 0.45], size=n)
    credit = rng.uniform(20_000, 900_000, size=n).round(-2)
    r = annual_rate / 12
    annuity = (credit * r / (1 - (1 + r) ** -months)).round(2)
    return pd.DataFrame({
        "SK_ID_PREV": np.arange(2_000_000, 2_000_000 + n, dtype=np.int64),
        "SK_ID_CURR": first_id + rng.integers(0, max(n // 3, 1), size=n),
        "NAME_CONTRACT_TYPE": pd.array(rng.choice(["Cash loans", "Consumer loans"], size=n), dtype="str"),
        "AMT_ANNUITY": annuity,
        "AMT_CREDIT": credit,
        "AMT_GOODS_PRICE": (credit * rng.uniform(0.8, 1.0, size=n)).round(-2),
        "CNT_PAYMENT": months,
    })


def model_card_dict() -> dict:
    """A fresh copy of the committed demo model card as JSON dicts, free to edit (a real card,
    so a test of one entry never depends on a hand-written rest)."""
    return json.loads((DEFAULT_MODEL_DIR / CARD_FILE).read_text(encoding="utf-8"))


def make_model_card(edit: Callable[[dict], object] | None = None) -> ModelCard:
    """The demo model card, parsed after ``edit`` changed its dicts in place."""
    card = model_card_dict()
    if edit is not None:
        edit(card)
    return ModelCard.from_dict(card)
