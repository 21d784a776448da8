"""Fit the synthetic-portfolio parameters from the real Home Credit tables (offline, developers only).

    python scripts/fit_synth.py --data-dir ../shared/data/home-credit [--out data/synth]

Reads application_train / application_test (.parquet, .csv or .csv.zip), fits the train table
first and the test table with the train's latent level order, and writes aggregate parameters
only (gzip JSON, see app.scoring.synth_fit) that the app samples from without the real data.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.config import SYNTH_PARAMS_DIR  # noqa: E402
from app.scoring.synth import params_path, save_params  # noqa: E402
from app.scoring.synth_fit import file_fingerprint, fit_table, level_order  # noqa: E402


def find_table(data_dir: Path, table: str) -> Path:
    """The first existing file of ``table`` among the formats a user may have."""
    for suffix in (".parquet", ".csv", ".csv.zip"):
        path = data_dir / f"{table}{suffix}"
        if path.exists():
            return path
    raise FileNotFoundError(f"no {table}.parquet/.csv/.csv.zip in {data_dir}")


def read_table(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="folder holding the real tables")
    parser.add_argument("--out", type=Path, default=SYNTH_PARAMS_DIR, help="where to write the parameters")
    args = parser.parse_args(argv)
    train_params = None
    for table in ("application_train", "application_test"):
        path = find_table(args.data_dir, table)
        df = read_table(path)
        kwargs = {}
        if train_params is not None:
            kwargs = {
                "orders": orders,
                "sentinel_columns": list(train_params["sentinel_marginals"]),
            }
        params = fit_table(df, table, source=file_fingerprint(path), **kwargs)
        if train_params is None:
            train_params = params
            orders = {c: level_order(df, c) for c, m in params["marginals"].items() if m["kind"] == "category"}
        out = params_path(table, args.out)
        save_params(params, out)
        print(f"{table}: {len(df):,} rows -> {out} ({out.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
