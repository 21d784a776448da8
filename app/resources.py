"""Read-only resources of the running dashboard, loaded once per process.

The model bundle and the portfolio store are immutable after loading and cached here, so every
callback shares them without any mutable global. A fresh clone has the committed demo model but not
its scored portfolio (a generated artefact kept out of git): it is rebuilt on first start from the
committed synthetic-generator parameters, deterministically, in a few seconds.
"""
from __future__ import annotations

import logging
import time
from functools import lru_cache
from pathlib import Path

from app.config import get_settings
from app.scoring.bundle import OOF_FILE, PORTFOLIO_FILE, ModelBundle, ModelFileError, ModelNotFoundError
from app.scoring.cohorts import add_derived_columns
from app.scoring.data import prepare_applications
from app.scoring.dictionary import data_dictionary
from app.scoring.portfolio import PortfolioStore, build_portfolio, write_portfolio

log = logging.getLogger(__name__)

#: Columns the pages filter, show and plot, kept in memory for every client (the rest is read from
#: disk for the one client on screen). Keep this list short: it sets the worker's memory.
SERVED_COLUMNS: tuple[str, ...] = (
    "TARGET", "IS_LABELLED", "PROBA_DEFAULT", "PROBA_OOF", "DECISION", "GRADE",
    "CODE_GENDER", "DAYS_BIRTH", "DAYS_EMPLOYED", "NAME_CONTRACT_TYPE", "NAME_INCOME_TYPE",
    "NAME_EDUCATION_TYPE", "NAME_FAMILY_STATUS", "NAME_HOUSING_TYPE", "OCCUPATION_TYPE",
    "REGION_RATING_CLIENT", "CNT_CHILDREN", "FLAG_OWN_CAR", "FLAG_OWN_REALTY",
    "AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE",
    "EXT_SOURCE_1", "EXT_SOURCE_2", "EXT_SOURCE_3",
)


def model_dir() -> Path:
    return get_settings().model_dir


@lru_cache(maxsize=1)
def get_bundle() -> ModelBundle:
    """The served model (raises ``ModelNotFoundError`` with instructions when absent)."""
    return ModelBundle.load(model_dir())


def rebuild_demo_portfolio(bundle: ModelBundle, path: Path) -> None:
    """Regenerate the synthetic demo portfolio the demo model was trained on, and score it."""
    from app.scoring.synth import demo_portfolio  # noqa: PLC0415 - only needed on a fresh clone
    import pandas as pd  # noqa: PLC0415

    source = bundle.card.source
    if source.kind != "synthetic-demo" or None in (source.n_labelled, source.n_new, source.seed):
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


@lru_cache(maxsize=1)
def get_portfolio() -> PortfolioStore:
    """The served portfolio (slim columns in memory), rebuilt first when it is the missing demo one."""
    path = model_dir() / PORTFOLIO_FILE
    if not path.exists():
        rebuild_demo_portfolio(get_bundle(), path)
    try:
        store = PortfolioStore.open(path, columns=list(SERVED_COLUMNS), derive=add_derived_columns)
    except (ValueError, KeyError) as exc:  # pyarrow's ArrowInvalid (a ValueError): damaged or foreign file
        raise ModelFileError(f"{path} cannot be read as a scored portfolio ({type(exc).__name__}: "
                             f"{str(exc).strip()[:200]}); delete it to rebuild the demo portfolio, or rerun "
                             "scripts/build_portfolio.py") from exc
    release_unused_memory()
    return store


def release_unused_memory() -> None:
    """Hand back to the OS what decoding the portfolio left in the allocators' free lists.

    Arrow's memory pool and glibc keep freed buffers for reuse: after loading 356,255 clients the
    process held ~330 MB more than the ~30 MB slim frame it keeps, enough to break a 512 MB worker.
    """
    import ctypes  # noqa: PLC0415
    import gc  # noqa: PLC0415

    import pyarrow as pa  # noqa: PLC0415

    gc.collect()
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim
        pass


def warm_up() -> None:
    """Load everything at start-up so the first officer does not wait (called by the shell)."""
    started = time.perf_counter()
    bundle, store = get_bundle(), get_portfolio()
    data_dictionary()  # labels and units of every explanation
    log.info("model and portfolio loaded: %d clients, threshold %.4f, in %.1fs", len(store.frame),
             bundle.threshold, time.perf_counter() - started)


# --- model governance and monitoring pages (app/pages/model.py, app/pages/monitoring.py).
# Keyed by the model folder, so a test pointing CREDIT_MODEL_DIR elsewhere gets that folder's files.

@lru_cache(maxsize=2)
def get_oof(directory: str):
    """The out-of-fold predictions of the model folder (SK_ID_CURR, TARGET, PROBA_OOF, FOLD, CODE_GENDER,
    AGE_YEARS): the only honest basis of performance, cost and fairness figures."""
    import pandas as pd  # noqa: PLC0415

    return pd.read_parquet(Path(directory) / OOF_FILE)


@lru_cache(maxsize=2)
def get_shap_inputs(directory: str):
    """(SHAP values, model inputs) of the model folder's SHAP sample, aligned row by row.

    The inputs are rebuilt from those clients' full portfolio rows with the served feature function.
    """
    import pandas as pd  # noqa: PLC0415

    from app.scoring.bundle import SHAP_SAMPLE_FILE  # noqa: PLC0415
    from app.scoring.features import input_columns  # noqa: PLC0415
    from app.scoring.governance import align_shap_inputs  # noqa: PLC0415

    bundle = get_bundle()
    shap = pd.read_parquet(Path(directory) / SHAP_SAMPLE_FILE)
    rows = get_portfolio().rows(shap["SK_ID_CURR"], columns=input_columns(bundle.protected))
    X = bundle.features(rows).set_index(rows["SK_ID_CURR"].to_numpy())
    return align_shap_inputs(shap, X)


@lru_cache(maxsize=2)
def get_drift_report(directory: str):
    """The model folder's precomputed drift report (``ValueError`` when absent or stale).

    Never computed here: at full portfolio size that takes tens of seconds and more than a gigabyte,
    which a web worker must not spend; ``scripts/train.py`` and ``scripts/drift_report.py`` write it.
    """
    from app.scoring.monitoring import load_report  # noqa: PLC0415

    return load_report(get_bundle())

