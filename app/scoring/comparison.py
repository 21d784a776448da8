"""Compare one client with all clients and with similar clients, from aggregates only.

Everything here works on the served portfolio frame (``PortfolioStore.frame``, one row per client,
in memory) and returns histograms (shares per bin) or anonymous sampled points: never an id, so a
chart cannot reveal another client. Privacy rule (``cohorts.MIN_COHORT_SIZE``): a group is drawn
only when it holds at least that many clients with a value, and split by outcome only when EACH
outcome group (repaid, payment difficulties) does too; otherwise a bar could describe one person.
The same floor holds per bar: adjacent bins are merged until every bar drawn holds 0 or at least
that many clients of its series (a bar of 1 defaulter among 25 is that defaulter, even shown as
4 %), and, the two panels being side by side over the same bars, until every bar of all clients also
differs from the similar clients' by 0 or at least that many (``privacy.merge_bins``). When the
similar clients are so nearly all clients that no bar can differ by enough, only all clients are
drawn. The client on screen is not one of their own "similar clients".

The engineered comparison features (ratios, term, mean external score, ages) are computed by the
model's own feature code (``app.scoring.features``), so the chart can never disagree with what
the model saw. Values are in the unit a person reads (years, €, %), so figures need no conversion.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from app.scoring import features as model_features
from app.scoring.cohorts import MIN_COHORT_SIZE, CohortFilter, similar_clients_filter
from app.scoring.privacy import merge_bins

#: Features offered in the comparison, in the order of the list, with their unit kind
#: (``formatting.format_display``): model inputs an officer can explain and the score itself.
COMPARISON_FEATURES: dict[str, str] = {
    "PROBA_DEFAULT": "percent",
    "ANNUITY_INCOME_RATIO": "percent",
    "CREDIT_INCOME_RATIO": "ratio",
    "CREDIT_TERM": "instalments",
    "AMT_CREDIT": "eur",
    "AMT_ANNUITY": "eur",
    "AMT_INCOME_TOTAL": "eur",
    "AMT_GOODS_PRICE": "eur",
    "AGE_YEARS": "years",
    "EMPLOYED_YEARS": "years",
    "EXT_SOURCE_MEAN": "score",
    "EXT_SOURCE_1": "score",
    "EXT_SOURCE_2": "score",
    "EXT_SOURCE_3": "score",
}
#: Features the model stores as a share (0-1) and a person reads in %.
SHARES = frozenset({"PROBA_DEFAULT", "ANNUITY_INCOME_RATIO"})
DEFAULT_FEATURE = "ANNUITY_INCOME_RATIO"
DEFAULT_SCATTER = ("AGE_YEARS", "ANNUITY_INCOME_RATIO")
N_BINS = 30
SCATTER_POINTS = 3000
CHUNK_ROWS = 50_000  # bounds the transient memory of the feature code at 356,255 clients
#: Similarity attributes the officer may switch on or off (cohorts.CohortFilter fields).
SIMILARITY_OPTIONS: tuple[str, ...] = (
    "age_band", "income_type", "contract_type", "education", "family_status", "housing",
)
#: Raw columns the model's engineered features read (absent ones are missing for the comparison).
_ENGINEERED_INPUTS: tuple[str, ...] = (
    *model_features.YEARS_FROM_DAYS, *model_features.EXT_SOURCES,
    "AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE",
    *model_features.CONTACT_FLAGS, *model_features.REGION_MISMATCH_FLAGS,
)


def engineered_column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """One engineered feature for every row, by the feature function's own code, in chunks.

    The served frame holds only the columns the comparison needs; the others the feature code reads
    (document and contact flags...) do not enter the features offered here, so they are passed as
    missing.
    """
    out = np.empty(len(frame), dtype="float64")
    for start in range(0, len(frame), CHUNK_ROWS):
        part = frame.iloc[start:start + CHUNK_ROWS]
        inputs = pd.DataFrame({c: part[c] if c in part.columns else np.nan for c in _ENGINEERED_INPUTS},
                              index=part.index)
        out[start:start + len(part)] = model_features.engineered_features(inputs)[name].to_numpy(dtype="float64")
    return out


def feature_values(frame: pd.DataFrame, name: str) -> np.ndarray:
    """The feature for every row of ``frame`` as float64 in displayed units (% for shares).

    Raises KeyError for a name outside :data:`COMPARISON_FEATURES` (a hostile dropdown value).
    """
    if name not in COMPARISON_FEATURES:
        raise KeyError(f"{name!r} is not a comparison feature")
    if name in model_features.ENGINEERED_FEATURES:
        values = engineered_column(frame, name)
    else:
        values = frame[name].to_numpy(dtype="float64", na_value=np.nan)
    return 100.0 * values if name in SHARES else values


def outcomes(frame: pd.DataFrame) -> np.ndarray:
    """1 (payment difficulties), 0 (repaid) or NaN (new application: outcome not known yet)."""
    target = frame["TARGET"].to_numpy(dtype="float64", na_value=np.nan)
    return np.where(frame["IS_LABELLED"].to_numpy(dtype=bool), target, np.nan)


def similar_members(frame: pd.DataFrame, client_id: int, keys: tuple[str, ...],
                    cohort_mask: Callable[[CohortFilter], np.ndarray] | None = None) -> np.ndarray:
    """Row positions of the OTHER clients sharing ``client_id``'s profile on ``keys``.

    ``cohort_mask`` lets the dashboard pass a cached ``CohortFilter -> mask`` (clients of one profile
    share it); by default the mask is computed on ``frame``.
    """
    position = frame.index.get_loc(client_id)
    cohort = similar_clients_filter(frame.iloc[position], keys)
    members = np.flatnonzero(cohort_mask(cohort) if cohort_mask is not None else cohort.mask(frame))
    return members[members != position]


def bin_edges(values: np.ndarray, n_bins: int = N_BINS) -> np.ndarray:
    """Equal-width bins over the 0.5-99.5 % range of ``values`` (a few extreme incomes must not
    squeeze everyone else into one bar); values beyond fall into the end bins."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return np.array([0.0, 1.0])
    lo, hi = np.quantile(finite, [0.005, 0.995])
    if hi <= lo:
        lo, hi = float(finite.min()), float(finite.max())
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    return np.linspace(lo, hi, n_bins + 1)


@dataclass(frozen=True)
class Distribution:
    """Histogram of one group: shares (%) per bin of everyone, and of each outcome group."""

    edges: np.ndarray
    repaid: np.ndarray  # % of the group's repaid clients in each bin
    difficulties: np.ndarray  # % of the group's clients with payment difficulties in each bin
    n: int  # clients in the group (with or without an outcome)
    n_repaid: int  # with a value for the feature
    n_difficulties: int  # with a value for the feature
    n_missing_value: int  # clients of the group without a value for the feature
    everyone: np.ndarray | None = None  # % of the group's clients with a value, whatever the outcome
    #: clients per bin of each series ("repaid", "difficulties", "everyone"): what the floor is checked on
    counts: dict[str, np.ndarray] = field(default_factory=dict)
    #: width of a standard bin (bars merged for privacy are wider); None: every bar is standard
    base_width: float | None = None

    @property
    def n_values(self) -> int:
        return self.n - self.n_missing_value

    @property
    def merged(self) -> bool:
        if self.base_width is None or len(self.edges) < 2:
            return False
        return bool(np.any(np.diff(self.edges) > self.base_width * (1 + 1e-9)))


def distribution(values: np.ndarray, target: np.ndarray, edges: np.ndarray) -> Distribution:
    """Shares per bin of repaid (TARGET 0), payment-difficulty (TARGET 1) and all clients.

    Shares within each outcome group (not counts) so that the 8 % with difficulties stay visible
    next to the 92 % who repaid; new applications (no outcome) count in ``everyone`` only.
    """
    finite = np.isfinite(values)
    clipped = np.clip(values, edges[0], edges[-1])

    counts = {key: np.histogram(clipped[selected & finite], bins=edges)[0]
              for key, selected in (("repaid", target == 0), ("difficulties", target == 1),
                                    ("everyone", np.ones(len(values), dtype=bool)))}
    return from_counts(edges, counts, int(len(values)), int((~finite).sum()))


def _shares(counts: np.ndarray) -> np.ndarray:
    total = int(counts.sum())
    return 100.0 * counts / total if total else np.zeros(len(counts))


def from_counts(edges: np.ndarray, counts: dict[str, np.ndarray], n: int, n_missing: int,
                 base_width: float | None = None) -> Distribution:
    return Distribution(edges, _shares(counts["repaid"]), _shares(counts["difficulties"]), n,
                        int(counts["repaid"].sum()), int(counts["difficulties"].sum()), n_missing,
                        _shares(counts["everyone"]), counts, base_width)


def _drawn(panel: Panel) -> tuple[str, ...]:
    return ("repaid", "difficulties") if panel.split else ("everyone",)


def merge_panels(panels: list[Panel], min_size: int = MIN_COHORT_SIZE) -> list[Panel] | None:
    """The panels redrawn over the same merged bars: each bar holds 0 or at least ``min_size``
    clients of every series drawn and, for a series drawn in both panels, differs between "all" and
    "cohort" (included in it) by 0 or at least ``min_size``. None when no bar can be made so (the
    two groups differ by too few clients over the whole range)."""
    if not panels:
        return []
    edges = panels[0].distribution.edges
    rows = [p.distribution.counts[k] for p in panels for k in _drawn(p)]
    if len(panels) == 2:
        whole, part = panels
        rows += [whole.distribution.counts[k] - part.distribution.counts[k]
                 for k in _drawn(whole) if k in _drawn(part)]
    merged = merge_bins(edges, rows, min_size=min_size)
    if merged.hidden.any():
        return None
    starts = np.searchsorted(edges, merged.edges[:-1])
    out = []
    for p in panels:
        d = p.distribution
        counts = {k: np.add.reduceat(v, starts) for k, v in d.counts.items()}
        out.append(replace(p, distribution=from_counts(merged.edges, counts, d.n, d.n_missing_value,
                                                        merged.base_width)))
    return out


def percentile_of(values: np.ndarray, value: float) -> float | None:
    """Share (%) of the group with a value below the client's (None when not comparable)."""
    finite = values[np.isfinite(values)]
    if value is None or not np.isfinite(value) or not len(finite):
        return None
    return float(100.0 * np.mean(finite < value))


@dataclass(frozen=True)
class Panel:
    """One group drawn in the comparison ("all" clients or the "cohort" of similar ones)."""

    group: str
    distribution: Distribution
    split: bool  # outcome groups drawn separately (each holds enough clients); else ``everyone``


@dataclass(frozen=True)
class ClientComparison:
    """What the comparison panel shows, as numbers and message keys (``client.compare.<note>``)."""

    feature: str
    client_value: float  # NaN when the client has no value
    panels: tuple[Panel, ...]  # only the groups large enough to be drawn
    n_cohort: int  # similar clients, the client excluded
    percentile: float | None  # share (%) of similar clients below the client (cohort drawn only)
    notes: tuple[str, ...]


def _panel(group: str, dist: Distribution, min_size: int) -> tuple[Panel | None, str | None]:
    """The panel of a group when it may be shown, else the note saying why not (or why unsplit)."""
    if dist.n_values < min_size:
        return None, f"too_small_{group}"
    split = dist.n_repaid >= min_size and dist.n_difficulties >= min_size
    return Panel(group, dist, split), None if split else f"no_split_{group}"


def compare_client(feature: str, values: np.ndarray, target: np.ndarray, client_position: int,
                   members: np.ndarray, everyone: Distribution, min_size: int = MIN_COHORT_SIZE) -> ClientComparison:
    """The client's value among all clients (``everyone``: their cached distribution) and among the
    similar clients ``members`` (row positions, the client excluded), under the privacy rule."""
    client_value = float(values[client_position])
    cohort = distribution(values[members], target[members], everyone.edges)
    return compared(feature, client_value, everyone, cohort, int(len(members)),
                    lambda: percentile_of(values[members], client_value), min_size)


def compared(feature: str, client_value: float, everyone: Distribution, cohort: Distribution, n_cohort: int,
             percentile: Callable[[], float | None], min_size: int = MIN_COHORT_SIZE) -> ClientComparison:
    """:func:`compare_client` from the two groups' distributions, however they were counted (numpy
    arrays, a database); ``percentile`` is asked only when the similar clients may be described."""
    panels, notes = [], []
    for group, dist in (("all", everyone), ("cohort", cohort)):
        panel, note = _panel(group, dist, min_size)
        panels += [panel] if panel else []
        notes += [note] if note else []
    cohort_described = any(p.group == "cohort" for p in panels)
    drawn = merge_panels(panels, min_size)
    if drawn is None:  # all clients and the similar ones are too few apart to be drawn side by side
        drawn = merge_panels([p for p in panels if p.group == "all"], min_size)
        assert drawn is not None  # one group alone always has bars of 0 or at least min_size clients
        notes.append("cohort_close")
    if any(p.distribution.merged for p in drawn):
        notes.append("merged")
    share_below = percentile() if cohort_described else None
    if not np.isfinite(client_value):
        notes.append("no_value")
    return ClientComparison(feature, client_value, tuple(drawn), n_cohort, share_below, tuple(notes))


def distribution_to_json(d: Distribution) -> dict:
    """What :func:`distribution_from_json` needs to give the same distribution back (published
    with a portfolio in a database: every dyno then draws "all clients" without reading them all)."""
    return {"edges": d.edges.tolist(), "counts": {k: v.tolist() for k, v in d.counts.items()},
            "n": d.n, "n_missing": d.n_missing_value}


def distribution_from_json(data: dict) -> Distribution:
    return from_counts(np.asarray(data["edges"], dtype=np.float64),
                        {k: np.asarray(v, dtype=np.int64) for k, v in data["counts"].items()},
                        int(data["n"]), int(data["n_missing"]))


def scatter_sample(x: np.ndarray, y: np.ndarray, risk: np.ndarray, n: int = SCATTER_POINTS,
                   seed: int = 0) -> pd.DataFrame:
    """At most ``n`` anonymous points (x, y, risk in %) drawn at random, deterministically.

    No identifier travels with the points: the frame has exactly the three plotted columns.
    """
    keep = np.flatnonzero(np.isfinite(x) & np.isfinite(y) & np.isfinite(risk))
    if len(keep) > n:
        keep = np.sort(np.random.default_rng(seed).choice(keep, size=n, replace=False))
    return pd.DataFrame({"x": x[keep], "y": y[keep], "risk": risk[keep]})


@dataclass(frozen=True)
class CohortScatter:
    """The client among similar clients on two features; ``points`` is None when too few to show."""

    x_feature: str
    y_feature: str
    client_x: float
    client_y: float
    points: pd.DataFrame | None
    n_cohort: int  # similar clients, the client excluded
    n_plottable: int  # of which with both values and a score


def cohort_scatter_view(x_feature: str, y_feature: str, x: np.ndarray, y: np.ndarray, risk: np.ndarray,
                        client_position: int, members: np.ndarray, seed: int = 0,
                        min_size: int = MIN_COHORT_SIZE) -> CohortScatter:
    """Sampled anonymous points of the similar clients (``members``, the client excluded), drawn
    only when at least ``min_size`` of them can be plotted."""
    xs, ys, rs = x[members], y[members], risk[members]
    plottable = int(np.sum(np.isfinite(xs) & np.isfinite(ys) & np.isfinite(rs)))
    return scattered(x_feature, y_feature, float(x[client_position]), float(y[client_position]), int(len(members)),
                     plottable, lambda: scatter_sample(xs, ys, rs, seed=seed), min_size)


def scattered(x_feature: str, y_feature: str, client_x: float, client_y: float, n_cohort: int, plottable: int,
              sample: Callable[[], pd.DataFrame], min_size: int = MIN_COHORT_SIZE) -> CohortScatter:
    """:func:`cohort_scatter_view` from counts; ``sample`` is drawn only above the privacy floor."""
    points = sample() if plottable >= min_size else None
    return CohortScatter(x_feature, y_feature, client_x, client_y, points, n_cohort, plottable)


def sample_positions(n_plottable: int, n: int = SCATTER_POINTS, seed: int = 0) -> np.ndarray | None:
    """Which of the plottable points :func:`scatter_sample` keeps (their ranks in row order), or
    None for all of them: the same draw, for an engine that numbers the points instead of holding them."""
    if n_plottable <= n:
        return None
    return np.sort(np.random.default_rng(seed).choice(n_plottable, size=n, replace=False))
