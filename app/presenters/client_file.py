"""One client's file as the relationship officer sees it: identity facts, score, decision, explanation.

Pure domain code (no Dash, no Plotly): the page turns a :class:`ClientFile` into components, the
tests check it directly. Client ids arrive from a URL or a search box typed by a person, so
:func:`parse_client_id` accepts only what a real id can be and says precisely what is wrong.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from app.i18n import translate
from app.presenters.dictionary import data_dictionary
from app.presenters.formatting import number_text
from app.scoring.bundle import ModelBundle
from app.scoring.cohorts import add_derived_columns
from app.scoring.concepts import concept_steps
from app.scoring.explain import Explanation, explain_row, waterfall_steps
from app.scoring.portfolio import ClientRows

#: Longest id accepted from a person (Home Credit ids have 6 digits; a generous bound stops abuse).
MAX_ID_DIGITS = 12
#: Facts an officer talks about with the client, in the order shown on the identity card. Family
#: status, children... are facts of the file, never model inputs nor reasons (app.config).
IDENTITY_FACTS: tuple[str, ...] = (
    "DAYS_BIRTH", "NAME_CONTRACT_TYPE", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "AMT_INCOME_TOTAL",
    "NAME_INCOME_TYPE", "OCCUPATION_TYPE", "DAYS_EMPLOYED", "NAME_EDUCATION_TYPE", "NAME_FAMILY_STATUS",
    "CNT_CHILDREN", "NAME_HOUSING_TYPE", "FLAG_OWN_REALTY", "FLAG_OWN_CAR",
)
WATERFALL_TOP_N = 10
#: A unit repeated at the end of a label ("Âge (années)") is dropped where the value carries it.
_UNIT_SUFFIX = re.compile(r"\s*\((?:€|%|×|années|years|échéances|instalments)\)$")


class ClientIdError(ValueError):
    """A client id that cannot be opened; ``code`` is "empty", "malformed" or "unknown"."""

    def __init__(self, code: str, raw: object = None) -> None:
        super().__init__(f"client id {code}: {str(raw)[:40]!r}")
        self.code = code


def parse_client_id(raw: object) -> int:
    """The integer id in ``raw`` (text typed or taken from a URL), or :class:`ClientIdError`.

    Only digits are accepted (surrounding blanks are forgiven): "12e3", "-1", "1 000" or a script
    tag are malformed, not silently converted into some other client's id.
    """
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        raise ClientIdError("empty", raw)
    if isinstance(raw, bool):
        raise ClientIdError("malformed", raw)
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, str):
        text = raw.strip()
    else:
        raise ClientIdError("malformed", raw)
    if not text:
        raise ClientIdError("empty", raw)
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_ID_DIGITS:
        raise ClientIdError("malformed", raw)
    return int(text)


@dataclass(frozen=True)
class ClientFile:
    """Everything the client page shows about one client, computed once (see the page's cache)."""

    client_id: int
    row: pd.Series  # the full portfolio row (application columns + scores)
    explanation: Explanation
    steps: pd.DataFrame  # waterfall of inputs in percentage points (explain.waterfall_steps)
    concepts: pd.DataFrame  # waterfall of concepts in percentage points (concepts.concept_steps)
    threshold: float
    decision: str  # "granted" / "refused"
    grade: str  # "A".."E"
    is_labelled: bool
    outcome: int | None  # 1 = payment difficulties, 0 = repaid, None = new application

    @property
    def proba(self) -> float:
        """Calibrated probability of default; the waterfall adds up to exactly this value."""
        return self.explanation.proba

    @property
    def points_from_threshold(self) -> float:
        """Signed distance to the refusal threshold in percentage points (negative: below)."""
        return 100.0 * (self.proba - self.threshold)


def load_client_file(bundle: ModelBundle, store: ClientRows, client_id: int) -> ClientFile:
    """Read one client's row, explain the score; :class:`ClientIdError` ("unknown") when absent."""
    if client_id not in store:
        raise ClientIdError("unknown", client_id)
    rows = store.client_row(client_id)
    if len(rows) != 1:  # pragma: no cover - the store said the id exists
        raise ClientIdError("unknown", client_id)
    return client_file_of_rows(bundle, client_id, rows)


def client_file_of_rows(bundle: ModelBundle, client_id: int, rows: pd.DataFrame) -> ClientFile:
    """The file of one prepared application row (the portfolio's, or a what-if's modified copy): the
    same feature function, explanation and decision rule, so a simulation reads like the file."""
    explanation = explain_row(bundle, bundle.features(rows))
    row = add_derived_columns(rows).iloc[0]  # age band etc., exactly as the filters compute them
    proba = explanation.proba
    target = row.get("TARGET")
    labelled = bool(row.get("IS_LABELLED", False)) and not pd.isna(target)
    return ClientFile(
        client_id=int(client_id), row=row, explanation=explanation,
        steps=waterfall_steps(explanation, WATERFALL_TOP_N), concepts=concept_steps(explanation), threshold=float(bundle.threshold),
        decision=str(bundle.decide(proba)), grade=str(bundle.grade(proba)), is_labelled=labelled,
        outcome=int(target) if labelled else None,
    )


def plain_label(name: str, lang: str = "fr") -> str:
    """The column's label without the unit its formatted value already shows ("Âge", not "Âge (années)")."""
    return _UNIT_SUFFIX.sub("", data_dictionary().label(name, lang))


def identity_facts(row: pd.Series, lang: str = "fr") -> list[tuple[str, str]]:
    """(label, value with unit) pairs of the identity card, in the reader's language."""
    dictionary = data_dictionary()
    return [(plain_label(name, lang), dictionary.format_value(name, row.get(name), lang))
            for name in IDENTITY_FACTS]


def percent_text(proba: float, lang: str = "fr") -> str:
    """A probability as "8,5 %" / "8.5%" (one decimal: officers compare it with the threshold)."""
    value = number_text(100.0 * proba, 1, lang)
    return f"{value}\u00a0%" if lang == "fr" else f"{value}%"


def points_text(points: float, lang: str = "fr", signed: bool = False) -> str:
    """Percentage points as "2,3" or "+2,3" / "−2,3" (true minus sign, readable at a glance)."""
    text = number_text(abs(points), 1, lang)
    if not signed or text.strip("0,.") == "":
        return text
    return ("+" if points > 0 else "\u2212") + text


def distance_sentence(proba: float, threshold: float, lang: str = "fr") -> str:
    """ "2,3 points sous le seuil de refus de 8,5 %": where the client stands, in plain words."""
    points = 100.0 * (proba - threshold)
    key = "client.distance.below" if points < 0 else "client.distance.above"
    return translate(key, lang, points=points_text(points, lang), threshold=percent_text(threshold, lang))
