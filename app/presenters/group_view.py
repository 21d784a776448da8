"""What the portfolio page shows, as one shareable value: group A, optional group B, chart choices.

The whole view round-trips through the URL query (``?grade=D&compare=1&b=grade%3DE&segment=...``)
so a manager can bookmark or send it. Group A's filter uses the plain :class:`CohortFilter` keys
(the same links the client page builds for similar clients open group A); group B travels as one
nested query in ``b``. Parsing never fails: a hand-edited or hostile value is dropped, the rest of
the view still opens.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

from app.scoring.cohorts import CATEGORY_FIELDS, RANGE_FIELDS, CohortFilter
from app.scoring.group_arrays import FEATURES, SEGMENTS

DEFAULT_SEGMENT = "income_type"
DEFAULT_FEATURE = "AMT_CREDIT"
MAX_QUERY_CHARS = 4000  # longer than any real view; bounds the work a hostile link can cause


@dataclass(frozen=True)
class PortfolioView:
    a: CohortFilter = CohortFilter()
    b: CohortFilter = CohortFilter()
    compare: bool = False
    segment: str = DEFAULT_SEGMENT
    feature: str = DEFAULT_FEATURE

    def to_query(self) -> str:
        """Query string without the leading "?" (defaults omitted)."""
        parts = [self.a.to_query()]
        extra: list[tuple[str, str]] = []
        if self.compare:
            extra.append(("compare", "1"))
            if not self.b.is_empty:
                extra.append(("b", self.b.to_query()))
        if self.segment != DEFAULT_SEGMENT:
            extra.append(("segment", self.segment))
        if self.feature != DEFAULT_FEATURE:
            extra.append(("feature", self.feature))
        parts.append(urlencode(extra))
        return "&".join(p for p in parts if p)

    @classmethod
    def from_query(cls, query: str | dict | None) -> PortfolioView:
        """Parse a query string or Dash Pages' query dict; anything invalid falls back to defaults."""
        if isinstance(query, str):
            query = query[:MAX_QUERY_CHARS]
            params = parse_qs(query.lstrip("?"), keep_blank_values=False)
        elif isinstance(query, dict):
            params = {str(k): [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in query.items()}
        else:
            params = {}
        first = {k: v[0] for k, v in params.items() if v}
        b_query = first.get("b", "")[:MAX_QUERY_CHARS]
        segment, feature = first.get("segment", ""), first.get("feature", "")
        return cls(
            a=_safe_filter(params),
            b=_safe_filter(b_query),
            compare=first.get("compare") in ("1", "true", "yes"),
            segment=segment if segment in SEGMENTS else DEFAULT_SEGMENT,
            feature=feature if feature in FEATURES else DEFAULT_FEATURE,
        )


def _safe_filter(query) -> CohortFilter:
    try:
        return CohortFilter.from_query(query)
    except (TypeError, ValueError):
        return CohortFilter()


def filter_from_controls(values: dict | None) -> CohortFilter:
    """The filter a group's form describes: ``{field: [values]}``, ``income_min``, ``income_max``,
    ``credit_min``, ``credit_max`` (None when blank) and ``population``. Values come from the browser,
    so they are re-validated exactly like a URL (unknown fields ignored, bad numbers dropped, min/max
    swapped when reversed)."""
    if not isinstance(values, dict):
        return CohortFilter()
    params: dict[str, list[str]] = {}
    for name in CATEGORY_FIELDS:
        raw = values.get(name)
        items = raw if isinstance(raw, list) else [raw] if raw not in (None, "") else []
        params[name] = [str(v) for v in items if isinstance(v, (str, int, float)) and str(v).strip()]
    for name in RANGE_FIELDS:
        for suffix in ("min", "max"):
            bound = values.get(f"{name}_{suffix}")
            if isinstance(bound, (int, float, str)) and not isinstance(bound, bool) and str(bound).strip():
                params[f"{name}_{suffix}"] = [str(bound)]
    population = values.get("population")
    if isinstance(population, str):
        params["population"] = [population]
    return _safe_filter(params)


def view_from_controls(a: dict | None, b: dict | None = None, compare: object = False,
                       segment: object = None, feature: object = None) -> PortfolioView:
    """The view the page's forms and chart choices describe (anything invalid -> its default)."""
    return PortfolioView(
        a=filter_from_controls(a), b=filter_from_controls(b), compare=compare is True,
        segment=segment if isinstance(segment, str) and segment in SEGMENTS else DEFAULT_SEGMENT,
        feature=feature if isinstance(feature, str) and feature in FEATURES else DEFAULT_FEATURE,
    )
