"""The per-client arrays behind the portfolio page's group questions, computed once per portfolio.

:class:`~app.scoring.groups.PortfolioAnalysis` answers a question with a few bincounts over these
arrays: each client's probability, outcome, segment codes, probability and feature bins, and rank
in every sortable column. They depend only on the portfolio and the threshold, so they are
computed once and stored with the portfolio's memory-mapped columns
(:mod:`app.scoring.column_store`): at 3,562,550 clients they weigh ~400 MB, which every worker
would otherwise hold privately. :meth:`GroupArrays.compute` is also what a test or a portfolio
without a store uses, so both paths give the same arrays.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from app.scoring.cohorts import CATEGORY_FIELDS
from app.scoring.group_counts import KpiArrays, static_key
from app.scoring.schema import MISSING_TEXT

#: Attributes a manager can break a group down by (filter field -> served column).
SEGMENTS: dict[str, str] = dict(CATEGORY_FIELDS)
#: Numeric attributes whose distribution can be compared between repaid and defaulted clients,
#: with the unit they are shown in (probabilities in %, ages in years, amounts in €).
FEATURES: dict[str, str] = {
    "AGE_YEARS": "years", "EMPLOYED_YEARS": "years", "AMT_INCOME_TOTAL": "eur", "AMT_CREDIT": "eur",
    "AMT_ANNUITY": "eur", "EXT_SOURCE_1": "score", "EXT_SOURCE_2": "score", "EXT_SOURCE_3": "score",
    "PROBA_DEFAULT": "percent",
}
#: Columns of the client table a manager may sort by ("OUTCOME" is TARGET: repaid, difficulties, unknown).
SORTABLE: tuple[str, ...] = (
    "SK_ID_CURR", "AGE_YEARS", "NAME_INCOME_TYPE", "NAME_CONTRACT_TYPE", "AMT_INCOME_TOTAL", "AMT_CREDIT",
    "PROBA_DEFAULT", "GRADE", "DECISION", "OUTCOME",
)
#: Sortable columns that are not frame columns (derived from the index or from TARGET).
DERIVED = frozenset({"SK_ID_CURR", "OUTCOME"})
SCORE_BINS = 40
FEATURE_BINS = 20
_PER_CLIENT = ("proba", "credit", "credit_or_0", "loss", "target", "oof", "labelled", "known", "outcome", "refused",
               "refused_oof", "score_bins")


def read_only(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)  # shared between the server's threads (and mapped read-only): nobody may alter them
    return a


@dataclass(frozen=True, eq=False)
class GroupArrays:
    """Per-client arrays (row order of the served frame) and the bins they refer to."""

    ids: np.ndarray
    proba: np.ndarray
    credit: np.ndarray
    target: np.ndarray
    oof: np.ndarray
    labelled: np.ndarray
    known: np.ndarray
    outcome: np.ndarray  # int8: 0 repaid, 1 payment difficulties, 2 not known (the class of the outcome charts)
    refused: np.ndarray  # not (proba < threshold)
    refused_oof: np.ndarray  # the honest decision: out-of-fold probability (served one without) >= threshold
    credit_or_0: np.ndarray  # credit amount, 0 where missing: sums are then dot products (as np.nansum)
    loss: np.ndarray  # proba x credit (0 where missing): the expected loss with a loss given default of 100 %
    score_bins: np.ndarray  # bar of each client in the score histogram (a bar never straddles the threshold)
    score_edges: np.ndarray
    threshold_bin: int
    segments: Mapping[str, tuple[np.ndarray, list[str]]]  # filter field -> (codes, labels)
    feature_edges: Mapping[str, np.ndarray]
    feature_bins: Mapping[str, np.ndarray]
    ranks: Mapping[str, np.ndarray]  # sortable column -> ascending rank of each row
    keys: Mapping[str, np.ndarray]  # chart -> group_counts.static_key of every client ("score", "feature.X", "segment.X")

    @classmethod
    def compute(cls, frame: pd.DataFrame, threshold: float) -> GroupArrays:
        """From the served frame (indexed by client id, sorted) and the decision threshold."""
        kpi = KpiArrays.from_frame(frame, threshold)  # the arrays of the key figures, computed in one place
        proba, known, outcome, refused = kpi.proba, kpi.known, kpi.outcome, kpi.refused
        if np.isnan(proba).any():  # the counts treat every client as granted or refused
            raise ValueError(f"{int(np.isnan(proba).sum())} clients of the portfolio have no probability of default")
        target = frame["TARGET"].to_numpy(dtype=np.float64)
        score_edges = read_only(_score_edges(proba, threshold))
        at_threshold = int(np.argmin(np.abs(score_edges - threshold * 100)))
        bins = bin_of(np.clip(proba * 100, 0, score_edges[-1] - 1e-9), score_edges)
        # a bar is wholly granted or wholly refused, whatever the rounding of proba x 100 at the threshold
        score_bins = np.where(refused, np.maximum(bins, at_threshold), np.minimum(bins, at_threshold - 1))
        feature_edges = {f: read_only(_feature_edges(display(f, frame[f].to_numpy(dtype=np.float64))))
                         for f in FEATURES if f in frame}
        feature_bins = {f: read_only(bin_of(display(f, frame[f].to_numpy(dtype=np.float64)), edges))
                        for f, edges in feature_edges.items()}
        segments = {name: _codes(frame[col]) for name, col in SEGMENTS.items() if col in frame}
        keys = {"score": static_key(score_bins, len(score_edges) - 1, refused.view(np.int8), 2)}
        keys.update({f"feature.{f}": static_key(feature_bins[f], len(e) - 1, outcome, 2) for f, e in feature_edges.items()})
        segment_classes = refused.view(np.int8) + 2 * outcome  # refused (0/1) + 2 x outcome (0, 1, 2 unknown)
        keys.update({f"segment.{k}": static_key(codes, len(labels), segment_classes, 6)
                     for k, (codes, labels) in segments.items()})
        return cls(
            ids=read_only(frame.index.to_numpy(dtype=np.int64)),
            credit=read_only(frame["AMT_CREDIT"].to_numpy(dtype=np.float64)), target=read_only(target),
            oof=read_only(frame["PROBA_OOF"].to_numpy(dtype=np.float64)),
            labelled=read_only(frame["IS_LABELLED"].to_numpy(dtype=bool)),
            **{f.name: read_only(getattr(kpi, f.name)) for f in dataclasses.fields(kpi)},
            score_bins=read_only(score_bins.astype(np.int16)), score_edges=score_edges, threshold_bin=at_threshold,
            segments=MappingProxyType(segments),
            feature_edges=MappingProxyType(feature_edges), feature_bins=MappingProxyType(feature_bins),
            ranks=MappingProxyType({c: _compute_rank(frame, c, known, target) for c in SORTABLE
                                    if c in DERIVED or c in frame}),
            keys=MappingProxyType({k: read_only(v) for k, v in keys.items()}),
        )

    def to_store(self) -> tuple[dict[str, np.ndarray], dict]:
        """Arrays by file name, and the JSON metadata that goes with them (``from_store`` reverses it)."""
        arrays = {name: getattr(self, name) for name in _PER_CLIENT}
        arrays.update({f"segment.{k}": codes for k, (codes, _) in self.segments.items()})
        arrays.update({f"feature_bins.{k}": v for k, v in self.feature_bins.items()})
        arrays.update({f"rank.{k}": v for k, v in self.ranks.items()})
        arrays.update({f"key.{k}": v for k, v in self.keys.items()})
        meta = {"score_edges": self.score_edges.tolist(), "threshold_bin": self.threshold_bin,
                "segment_labels": {k: labels for k, (_, labels) in self.segments.items()},
                "feature_edges": {k: v.tolist() for k, v in self.feature_edges.items()}}
        return arrays, meta

    @classmethod
    def from_store(cls, ids: np.ndarray, arrays: Mapping[str, np.ndarray], meta: dict) -> GroupArrays:
        def group(prefix: str) -> dict[str, np.ndarray]:
            return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}

        segments = group("segment.")
        return cls(ids=ids, **{name: arrays[name] for name in _PER_CLIENT},
                   score_edges=read_only(np.asarray(meta["score_edges"], dtype=np.float64)),
                   threshold_bin=int(meta["threshold_bin"]),
                   segments=MappingProxyType({k: (v, list(meta["segment_labels"][k])) for k, v in segments.items()}),
                   feature_edges=MappingProxyType({k: read_only(np.asarray(v, dtype=np.float64))
                                                   for k, v in meta["feature_edges"].items()}),
                   feature_bins=MappingProxyType(group("feature_bins.")), ranks=MappingProxyType(group("rank.")),
                   keys=MappingProxyType(group("key.")))


def _codes(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes and their labels; missing values get the label "—" (last code)."""
    cat = column if isinstance(column.dtype, pd.CategoricalDtype) else column.astype("category")
    labels = [label(c) for c in cat.cat.categories]
    codes = cat.cat.codes.to_numpy().astype(np.int16)
    if (codes < 0).any():
        codes = np.where(codes < 0, len(labels), codes).astype(np.int16)
        labels.append(MISSING_TEXT)
    return read_only(codes), labels


def label(value) -> str:
    """Category label as filters and URLs spell it (ratings stored as 2.0 are called "2")."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _rank(values: np.ndarray) -> np.ndarray:
    """Position of each row in the ascending order (missing last, ties by row = by client id)."""
    order = np.argsort(values, kind="stable")
    rank = np.empty(len(values), dtype=np.int32)
    rank[order] = np.arange(len(values), dtype=np.int32)
    return read_only(rank)


def _compute_rank(frame: pd.DataFrame, column: str, known: np.ndarray, target: np.ndarray) -> np.ndarray:
    if column == "SK_ID_CURR":
        values = np.arange(len(frame))  # the frame is sorted by id
    elif column == "OUTCOME":
        values = np.where(known, target, np.inf)
    elif isinstance(frame[column].dtype, pd.CategoricalDtype):
        # alphabetical order of the values, whatever the order of the categories (A before B...)
        cats = frame[column].cat.categories
        order = np.argsort(np.argsort(np.array([str(c) for c in cats]), kind="stable"))
        codes = frame[column].cat.codes.to_numpy()
        values = np.where(codes < 0, np.iinfo(np.int32).max, order[np.maximum(codes, 0)])
    else:
        values = frame[column].to_numpy(dtype=np.float64)
    return _rank(values)


def _score_edges(proba: np.ndarray, threshold: float) -> np.ndarray:
    """Bins in % from 0 to a high percentile of the portfolio, with one edge ON the threshold so
    that each bar is wholly granted or wholly refused; the last bin takes everything above."""
    thr = threshold * 100
    top = float(np.nanpercentile(proba, 99.5) * 100) if len(proba) else 2 * thr
    top = max(top, 2 * thr, 1.0)
    width = top / SCORE_BINS
    below = max(int(round(thr / width)), 1)
    above = max(int(np.ceil((top - thr) / (thr / below))), 1)
    return np.concatenate([np.linspace(0, thr, below + 1), thr + (thr / below) * np.arange(1, above + 1)])


def bin_of(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Bin index of each value (as ``np.histogram``: values beyond the ends clipped into the end
    bins, the last bin closed), -1 for a missing value."""
    finite = np.isfinite(values)
    clipped = np.clip(np.where(finite, values, edges[0]), edges[0], edges[-1])
    bins = np.clip(np.searchsorted(edges, clipped, side="right") - 1, 0, len(edges) - 2)
    return np.where(finite, bins, -1).astype(np.int16)


def _feature_edges(values: np.ndarray) -> np.ndarray:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return np.array([0.0, 1.0])
    lo, hi = np.percentile(finite, [0.5, 99.5])
    if hi <= lo:
        hi = lo + 1.0
    return np.linspace(lo, hi, FEATURE_BINS + 1)


def display(feature: str, values: np.ndarray) -> np.ndarray:
    return values * 100 if FEATURES.get(feature) == "percent" else values
