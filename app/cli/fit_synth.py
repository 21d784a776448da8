"""Fit the synthetic-portfolio parameters from the real Home Credit tables (offline, developers only).

    python scripts/fit_synth.py --data-dir ../shared/data/home-credit [--out data/synth]

Reads application_train / application_test (.parquet, .csv or .csv.zip), fits the train table
first and the test table with the train's latent level order, and writes aggregate parameters
only (gzip JSON, see app.training.synth_fit) that the app samples from without the real data. The
train table's parameters also hold the default model (app.training.synth_target_fit).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.config import SYNTH_PARAMS_DIR
from app.scoring.data import DataValidationError, find_table, read_table
from app.scoring.synth import params_path, sample_with_outcomes, save_params
from app.training.synth_fit import file_fingerprint, fit_table, level_order
from app.training.synth_target_fit import fit_target_model


def table_path(data_dir: Path, table: str) -> Path:
    """The first existing file of ``table`` among the formats a user may have (DataValidationError if none)."""
    if not data_dir.is_dir():
        raise DataValidationError(f"{data_dir}: folder not found", source=str(data_dir))
    path = find_table(data_dir, table)
    if path is None:
        raise DataValidationError(f"{table}: no {table}.parquet/.csv/.csv.zip in {data_dir}", source=table)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="folder holding the real tables")
    parser.add_argument("--out", type=Path, default=SYNTH_PARAMS_DIR, help="where to write the parameters (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        return fit_all(args.data_dir, args.out)
    except (DataValidationError, ValueError, OSError) as exc:  # the loader's and fit_table's one-line errors
        print(f"error: {exc}", file=sys.stderr)
        return 2


def fit_all(data_dir: Path, out_dir: Path) -> int:
    """Fit and write the parameters of both tables (see the module docstring)."""
    train_params, orders = None, {}
    for table in ("application_train", "application_test"):
        path = table_path(data_dir, table)
        df = read_table(path)
        kwargs: dict[str, Any] = {}
        if train_params is not None:
            kwargs = {
                "orders": orders,
                "sentinel_columns": list(train_params["sentinel_marginals"]),
            }
        params = fit_table(df, table, source=file_fingerprint(path), **kwargs)
        if train_params is None:
            synthetic, _ = sample_with_outcomes(params, 100_000, seed=0, first_id=1)
            params["target_model"] = fit_target_model(df, synthetic)
            train_params = params
            orders = {c: level_order(df, c) for c, m in params["marginals"].items() if m["kind"] == "category"}
        out = params_path(table, out_dir)
        save_params(params, out)
        print(f"{table}: {len(df):,} rows -> {out} ({out.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
