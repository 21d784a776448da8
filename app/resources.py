"""The served model: the read-only resources of the running dashboard, in one object per app.

A fresh clone has the committed demo model but not
its scored portfolio (a generated artefact kept out of git): it is rebuilt on first start from the
committed synthetic-generator parameters, deterministically, in a few seconds.
"""
from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import dash
import flask

from app.presenters.dictionary import data_dictionary
from app.scoring.bundle import OOF_FILE, PORTFOLIO_FILE, ModelBundle, ModelFileError, ModelNotFoundError
from app.scoring.data import prepare_applications
from app.scoring.groups import GroupQuestions, PortfolioAnalysis
from app.scoring.portfolio import PortfolioStore, build_portfolio, write_portfolio
from app.scoring.portfolio_sql import SqlPortfolio

if TYPE_CHECKING:
    from app.scoring.sql_comparison import SqlComparison
from app.scoring.served_portfolio import open_served_portfolio

log = logging.getLogger(__name__)
T = TypeVar("T")
EXTENSION_KEY = "credit_model"
DEMO_FIRST_ID = "1000001"  # app.scoring.synth.FIRST_LABELLED_ID, without loading the generator

def rebuild_demo_portfolio(bundle: ModelBundle, path: Path) -> None:
    """Regenerate the synthetic demo portfolio the demo model was trained on, and score it."""
    import pandas as pd

    from app.scoring.synth import demo_portfolio  # only needed on a fresh clone

    source = bundle.card.source
    if source.kind != "synthetic-demo" or source.n_labelled is None or source.n_new is None or source.seed is None:
        raise ModelNotFoundError(
            f"{path} is missing and the model in {path.parent} was not trained on the synthetic demo; "
            "rerun scripts/train.py for that model folder"
        )
    started = time.perf_counter()
    labelled_raw, new_raw = demo_portfolio(source.n_labelled, source.n_new, seed=source.seed)
    labelled, _ = prepare_applications(labelled_raw, source="synthetic labelled portfolio", labelled=True)
    new, _ = prepare_applications(new_raw, source="synthetic new applications", labelled=False)
    oof_path = path.parent / OOF_FILE
    oof = pd.read_parquet(oof_path, columns=["SK_ID_CURR", "PROBA_OOF"]) if oof_path.exists() else None
    write_portfolio(build_portfolio(bundle, labelled, new, oof=oof), path)
    log.info("demo portfolio rebuilt: %d clients in %.1fs", len(labelled) + len(new), time.perf_counter() - started)


def release_unused_memory() -> None:
    """Hand back to the OS what decoding the portfolio left in the allocators' free lists.

    Arrow's memory pool and glibc keep freed buffers for reuse: after loading 356,255 clients the
    process held ~330 MB more than the ~30 MB slim frame it keeps, enough to break a 512 MB worker.
    """
    import ctypes
    import gc

    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim
        pass


def _open_portfolio(bundle: ModelBundle, directory: Path) -> PortfolioStore:
    """The served portfolio (slim columns memory-mapped), rebuilt first when it is the missing demo one."""
    path = directory / PORTFOLIO_FILE
    if not path.exists():
        rebuild_demo_portfolio(bundle, path)
    try:
        store = open_served_portfolio(bundle, path)
    except (ValueError, KeyError) as exc:  # pyarrow's ArrowInvalid (a ValueError): damaged or foreign file
        raise ModelFileError(f"{path} cannot be read as a scored portfolio ({type(exc).__name__}: "
                             f"{str(exc).strip()[:200]}); delete it to rebuild the demo portfolio, or rerun "
                             "scripts/build_portfolio.py") from exc
    release_unused_memory()
    return store


class ServedModel:
    """Everything the dashboard serves from one model folder: ONE object handed to every page.

    Built by ``create_app`` from ``settings.model_dir`` and kept in ``server.extensions`` (as the
    security layer's state is); pages reach it with :func:`served`, tests bind another instance with
    :func:`bind_served_model`. Each part is loaded on first use and then kept: the model bundle, the
    portfolio store, the portfolio analysis, the out-of-fold predictions, the SHAP sample with its
    inputs. (Not the drift history: it lives in the database, read at every request, so a new
    monthly run shows without a restart; a report kept here went stale when the job rewrote it.) A part that fails to load is not kept, so a repaired folder is picked
    up by the next request. Derived per-model computations of the pages (a client's file, cohort
    masks...) live in this instance's caches (:meth:`memoised`), never in module globals, so a test
    that serves another folder gets fresh answers, and they go away with the instance.

    Read-only and recomputable: no user state lives here (that is in the browser's stores and URL
    and in the database), so any gunicorn worker or dyno answers any request the same way.
    """

    def __init__(self, directory: Path, portfolio_database_url: str | None = None):
        """``portfolio_database_url``: serve the portfolio published in this PostgreSQL database
        (``PORTFOLIO_ENGINE=postgresql``) instead of the column store beside the model's portfolio file."""
        self.directory = Path(directory)
        self.portfolio_database_url = portfolio_database_url
        self._memos: dict[Callable, Callable] = {}
        self._lock = threading.Lock()

    @cached_property
    def bundle(self) -> ModelBundle:
        """The model (raises ``ModelNotFoundError`` with instructions when absent)."""
        return ModelBundle.load(self.directory)

    @cached_property
    def portfolio(self) -> PortfolioStore | SqlPortfolio:
        """The served portfolio: mapped from the model folder, or read from its database publication."""
        if self.portfolio_database_url is None:
            return _open_portfolio(self.bundle, self.directory)
        from app.scoring.portfolio_sql import open_published
        from app.scoring.served_portfolio import publication_key
        from app.security.db import get_engine

        return open_published(get_engine(self.portfolio_database_url, analytics=True), publication_key(self.bundle))

    @cached_property
    def analysis(self) -> GroupQuestions:
        """Group questions of the portfolio page, memoised inside the analysis object."""
        from app.scoring.group_arrays import GroupArrays

        store = self.portfolio
        if isinstance(store, SqlPortfolio):
            from app.scoring.sql_groups import SqlAnalysis

            return SqlAnalysis(store, self.bundle.threshold, self.bundle.costs)
        found = store.precomputed_group("analysis")
        arrays = GroupArrays.from_store(store.ids, *found) if found is not None else None
        return PortfolioAnalysis(store.frame, self.bundle.threshold, self.bundle.costs, arrays=arrays)

    @property
    def local_portfolio(self) -> PortfolioStore:
        """The portfolio served from the model folder, for the code that reads its arrays; an
        error when it is published in a database (that code has a database path beside it)."""
        portfolio = self.portfolio
        if not isinstance(portfolio, PortfolioStore):
            raise TypeError("the portfolio is served from a database here: ask ServedModel.published")
        return portfolio

    @cached_property
    def published(self) -> SqlComparison | None:
        """The client file's whole-portfolio questions answered by the database, when the portfolio
        is published there (None when it is served from the model folder)."""
        if not isinstance(self.portfolio, SqlPortfolio):
            return None
        from app.scoring.sql_comparison import SqlComparison
        from app.scoring.sql_groups import SqlAnalysis

        analysis = self.analysis
        assert isinstance(analysis, SqlAnalysis)
        return SqlComparison(analysis)

    @cached_property
    def oof(self):
        """The out-of-fold predictions (SK_ID_CURR, TARGET, PROBA_OOF, FOLD, CODE_GENDER, AGE_YEARS): the
        only honest basis of performance, cost and fairness figures."""
        import pandas as pd  # pandas is loaded anyway; keeps start-up imports short

        return pd.read_parquet(self.directory / OOF_FILE)

    @cached_property
    def shap_inputs(self):
        """(SHAP values, model inputs) of the folder's SHAP sample, aligned row by row; the inputs are
        rebuilt from those clients' full portfolio rows with the served feature function."""
        import pandas as pd

        from app.scoring.bundle import SHAP_SAMPLE_FILE
        from app.scoring.features import input_columns
        from app.scoring.governance import align_shap_inputs

        shap = pd.read_parquet(self.directory / SHAP_SAMPLE_FILE)
        rows = self.portfolio.rows(shap["SK_ID_CURR"], columns=input_columns(self.bundle.protected))
        inputs = self.bundle.features(rows).set_index(rows["SK_ID_CURR"].to_numpy())
        return align_shap_inputs(shap, inputs)

    @cached_property
    def reference(self):
        """What granted clients look like, input by input (``app.scoring.concepts.PortfolioReference``):
        the references of the reasons, from the SHAP sample's clients and their served decisions."""
        from app.scoring.bundle import GRANTED
        from app.scoring.concepts import PortfolioReference
        from app.scoring.privacy import MIN_COHORT_SIZE

        _, inputs = self.shap_inputs
        decisions = self.portfolio.rows(inputs.index, columns=["DECISION"]).set_index("SK_ID_CURR")["DECISION"]
        granted = decisions.reindex(inputs.index).to_numpy() == GRANTED  # the served decision of each sampled client
        return PortfolioReference.build(inputs, granted, MIN_COHORT_SIZE)

    def memoised(self, function: Callable[..., T], maxsize: int = 32) -> Callable[..., T]:
        """``function(self, *args)`` cached in this instance (bounded LRU, one per function).

        For the pages' per-model computations: the function is a pure function of this served model
        and hashable arguments (a client id, a language, a cohort filter).
        """
        with self._lock:
            cached = self._memos.get(function)
            if cached is None:
                cached = self._memos[function] = lru_cache(maxsize=maxsize)(functools.partial(function, self))
        return cached

    def example_client_id(self) -> str:
        """An id the pages may offer as an example: the served portfolio's first client.

        A fixed example (Home Credit's 100002) does not exist in the demo, whose ids start at
        1,000,001; a folder that cannot be read yet still gets the demo's first id.
        """
        try:
            first = self.portfolio.first_id
        except (ModelNotFoundError, ModelFileError, OSError, LookupError):
            return DEMO_FIRST_ID
        return DEMO_FIRST_ID if first is None else str(first)

    def warm_up(self) -> None:
        """Load the model and the portfolio now, so the first officer does not wait."""
        started = time.perf_counter()
        bundle, store = self.bundle, self.portfolio
        _ = bundle.explainer  # the SHAP tables, built now rather than in the first officer's request
        data_dictionary()  # labels and units of every explanation
        log.info("model and portfolio loaded: %d clients, threshold %.4f, in %.1fs", len(store),
                 bundle.threshold, time.perf_counter() - started)


def bind_served_model(server: flask.Flask, model: ServedModel) -> ServedModel | None:
    """Serve ``model`` from this Flask app; returns the one it replaces (tests bind theirs, then restore)."""
    previous = server.extensions.get(EXTENSION_KEY)
    server.extensions[EXTENSION_KEY] = model
    return previous


def served() -> ServedModel:
    """The served model of the current app (outside a request: of the app Dash was built with)."""
    server = flask.current_app if flask.has_app_context() else dash.get_app().server
    return server.extensions[EXTENSION_KEY]
