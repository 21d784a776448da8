"""Loader tests on small synthetic files written to tmp_path (no real row is ever committed)."""
from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from app.config import get_settings
from app.scoring.data import (
    CORE_COLUMNS,
    DataValidationError,
    clean_applications,
    find_table,
    load_home_credit,
    prepare_applications,
    prepare_secondary,
    read_table,
)
from app.scoring.schema import DATE_COLUMN, DAYS_EMPLOYED_SENTINEL, application_schema

N_ROWS = 20


def synthetic_applications(n: int = N_ROWS, labelled: bool = True) -> pd.DataFrame:
    """Invented rows covering every schema column, with one sentinel and one 'XNA'."""
    rng = np.random.default_rng(0)
    schema = application_schema()
    names = schema.names if labelled else schema.test_names()
    data: dict[str, object] = {}
    for column in schema.columns:
        if column.name not in names:
            continue
        if column.name == "SK_ID_CURR":
            data[column.name] = np.arange(500_001, 500_001 + n)
        elif column.name == "TARGET":
            data[column.name] = np.arange(n) % 2
        elif column.dtype == "category":
            data[column.name] = [column.categories[i % len(column.categories)] for i in range(n)]
        elif column.dtype == "int":
            data[column.name] = rng.integers(0, 3, n)
        else:
            data[column.name] = np.round(rng.uniform(0, 1, n), 4)
    frame = pd.DataFrame(data)
    frame["AMT_CREDIT"] = np.round(rng.uniform(40_000, 900_000, n), 1)
    frame["DAYS_BIRTH"] = -rng.integers(7_000, 25_000, n)
    frame["DAYS_EMPLOYED"] = -rng.integers(0, 10_000, n)
    frame.loc[3, "DAYS_EMPLOYED"] = DAYS_EMPLOYED_SENTINEL
    frame.loc[3, "ORGANIZATION_TYPE"] = "XNA"
    frame.loc[4, "CODE_GENDER"] = "XNA"
    frame.loc[5, "EXT_SOURCE_1"] = np.nan
    return frame


def write(frame: pd.DataFrame, path: Path) -> Path:
    """Write a frame in the format its file name says (.csv, .csv.zip or .parquet)."""
    if path.name.endswith(".csv.zip"):
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(path.name[: -len(".zip")], frame.to_csv(index=False))
    elif path.suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return path


def load(path: Path, labelled: bool = True) -> tuple[pd.DataFrame, list[str]]:
    return prepare_applications(read_table(path), source=path.name, labelled=labelled)


def error_for(frame_or_path, tmp_path: Path, name: str = "application_train.csv") -> DataValidationError:
    path = frame_or_path if isinstance(frame_or_path, Path) else write(frame_or_path, tmp_path / name)
    with pytest.raises(DataValidationError) as info:
        load(path)
    return info.value


# ------------------------------------------------------------------------------- formats
def test_csv_zip_and_parquet_load_identically(tmp_path):
    frame = synthetic_applications()
    loaded = [
        load(write(frame, tmp_path / f"application_train{suffix}"))
        for suffix in (".csv", ".csv.zip", ".parquet")
    ]
    for table, warnings in loaded[1:]:
        pd.testing.assert_frame_equal(table, loaded[0][0])
        assert warnings == loaded[0][1]
    table = loaded[0][0]
    assert list(table.columns) == [*application_schema().names, DATE_COLUMN]
    assert table["SK_ID_CURR"].dtype == "int64" and table["TARGET"].dtype == "int64"
    assert table["DAYS_BIRTH"].dtype == "float64" and table["CNT_CHILDREN"].dtype == "float64"
    assert table["NAME_CONTRACT_TYPE"].dtype == "str"
    assert table["SK_ID_CURR"].tolist() == frame["SK_ID_CURR"].tolist()
    assert table["AMT_CREDIT"].tolist() == pytest.approx(frame["AMT_CREDIT"].tolist())


def test_find_table_prefers_parquet_then_csv_then_zip(tmp_path):
    assert find_table(tmp_path, "bureau") is None
    (tmp_path / "bureau.csv.zip").write_bytes(b"")
    assert find_table(tmp_path, "bureau").name == "bureau.csv.zip"
    (tmp_path / "bureau.csv").write_text("x")
    assert find_table(tmp_path, "bureau").name == "bureau.csv"
    (tmp_path / "bureau.parquet").write_bytes(b"")
    assert find_table(tmp_path, "bureau").name == "bureau.parquet"


def test_unlabelled_table_has_test_columns_and_ignores_target(tmp_path):
    table, warnings = load(write(synthetic_applications(), tmp_path / "new.csv"), labelled=False)
    assert list(table.columns) == [*application_schema().test_names(), DATE_COLUMN]
    assert any("TARGET" in w and "ignored" in w for w in warnings)


# ------------------------------------------------------------------------------- failures
def test_missing_required_column_is_named(tmp_path):
    error = error_for(synthetic_applications().drop(columns=["AMT_ANNUITY"]), tmp_path)
    assert error.column == "AMT_ANNUITY" and error.source == "application_train.csv"
    assert "AMT_ANNUITY" in str(error) and str(error).startswith("application_train.csv:")


@pytest.mark.parametrize("column", ["SK_ID_CURR", "TARGET", *CORE_COLUMNS])
def test_every_required_column_is_enforced(column):
    frame = synthetic_applications().drop(columns=[column])
    with pytest.raises(DataValidationError) as info:
        prepare_applications(frame, source="upload.csv", labelled=True)
    assert info.value.column == column


def test_non_numeric_value_names_file_column_value_and_row(tmp_path):
    frame = synthetic_applications()
    frame["AMT_CREDIT"] = frame["AMT_CREDIT"].astype(object)
    frame.loc[16, "AMT_CREDIT"] = "abc"
    error = error_for(frame, tmp_path)
    assert str(error) == (
        "application_train.csv: column AMT_CREDIT must be numeric; found 'abc' at row 17"
    )
    assert (error.source, error.column, error.example, error.row) == (
        "application_train.csv", "AMT_CREDIT", "abc", 17,
    )


def test_blank_and_na_cells_in_numeric_columns_are_missing_not_errors():
    frame = synthetic_applications()
    frame["AMT_ANNUITY"] = frame["AMT_ANNUITY"].astype(object)
    frame.loc[1, "AMT_ANNUITY"] = ""
    frame.loc[2, "AMT_ANNUITY"] = "NA"
    frame.loc[7, "AMT_ANNUITY"] = " 1234.5 "
    table, _ = prepare_applications(frame, source="x.csv", labelled=True)
    assert table["AMT_ANNUITY"].isna().tolist()[:3] == [False, True, True]
    assert table.loc[7, "AMT_ANNUITY"] == 1234.5


def test_hostile_value_in_numeric_column_gives_a_short_single_line_message():
    frame = synthetic_applications()
    frame["AMT_CREDIT"] = frame["AMT_CREDIT"].astype(object)
    frame.loc[0, "AMT_CREDIT"] = "<b>x</b>\n" + "9" * 5000
    with pytest.raises(DataValidationError) as info:
        prepare_applications(frame, source="x.csv", labelled=True)
    assert "\n" not in str(info.value) and len(str(info.value)) < 200


def test_duplicate_id_is_rejected(tmp_path):
    frame = synthetic_applications()
    frame.loc[9, "SK_ID_CURR"] = frame.loc[2, "SK_ID_CURR"]
    error = error_for(frame, tmp_path)
    assert error.column == "SK_ID_CURR" and error.example == frame.loc[2, "SK_ID_CURR"]
    assert "unique" in str(error) and "rows 3 and 10" in str(error)


def test_missing_or_fractional_id_is_rejected(tmp_path):
    frame = synthetic_applications()
    frame["SK_ID_CURR"] = frame["SK_ID_CURR"].astype(float)
    frame.loc[4, "SK_ID_CURR"] = np.nan
    assert error_for(frame, tmp_path).row == 5
    frame.loc[4, "SK_ID_CURR"] = 12.5
    error = error_for(frame, tmp_path, "b.csv")
    assert error.column == "SK_ID_CURR" and "12.5" in str(error)


@pytest.mark.parametrize("value, expected", [(2, "found '2' at row 6"), (np.nan, "missing at row 6")])
def test_target_must_be_zero_or_one(tmp_path, value, expected):
    frame = synthetic_applications()
    frame["TARGET"] = frame["TARGET"].astype(float)
    frame.loc[5, "TARGET"] = value
    error = error_for(frame, tmp_path, "application_train.parquet")
    assert error.column == "TARGET" and error.row == 6
    assert expected in str(error).replace("'2.0'", "'2'")


def test_empty_files_are_rejected(tmp_path):
    empty = tmp_path / "application_train.csv"
    empty.write_bytes(b"")
    assert "empty" in str(error_for(empty, tmp_path))
    header_only = write(synthetic_applications().iloc[:0], tmp_path / "header.csv")
    assert "no rows" in str(error_for(header_only, tmp_path))
    with pytest.raises(DataValidationError):
        prepare_applications(pd.DataFrame(), source="x", labelled=False)


@pytest.mark.parametrize("name", ["application_train.csv", "application_train.csv.zip",
                                  "application_train.parquet"])
def test_binary_junk_is_a_validation_error(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(bytes(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8)))
    error = error_for(path, tmp_path)
    assert error.source == name and name in str(error)


def test_truncated_parquet_is_a_validation_error(tmp_path):
    path = write(synthetic_applications(), tmp_path / "application_train.parquet")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert "cannot be read" in str(error_for(path, tmp_path))


def _csv_cut_mid_row(newline: bool) -> bytes:
    """The CSV text of the synthetic table, its last line cut in half (a half-copied file)."""
    text = synthetic_applications().to_csv(index=False)
    body, last = text.rstrip("\n").rsplit("\n", 1)
    return (body + "\n" + last[: len(last) // 2] + ("\n" if newline else "")).encode()


@pytest.mark.parametrize("newline", [False, True])
@pytest.mark.parametrize("name", ["application_train.csv", "application_train.csv.zip"])
def test_csv_cut_mid_row_is_refused_naming_the_line(tmp_path, name, newline):
    """pandas pads the cut row with missing values: without the check it is accepted silently."""
    path = tmp_path / name
    data = _csv_cut_mid_row(newline)
    if name.endswith(".zip"):
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(name[: -len(".zip")], data)
    else:
        path.write_bytes(data)
    error = error_for(path, tmp_path)
    header_fields = len(application_schema().names)
    assert str(error).startswith(f"{name}: the file is cut short: its last line (line {N_ROWS + 1}) has ")
    assert f"of the header's {header_fields} fields" in str(error)
    assert error.source == name and error.row == N_ROWS


def test_line_with_a_wrong_field_count_is_refused_but_a_final_line_break_is_optional(tmp_path):
    lines = synthetic_applications().to_csv(index=False).rstrip("\n").split("\n")
    complete = tmp_path / "application_train.csv"
    complete.write_text("\n".join(lines))  # no line break after the last (complete) line: fine
    assert len(load(complete)[0]) == N_ROWS
    short = tmp_path / "short.csv"
    short.write_text("\n".join([*lines[:5], lines[5].rsplit(",", 3)[0], *lines[6:]]) + "\n")
    error = error_for(short, tmp_path)
    assert str(error) == f"short.csv: line 6 has {len(application_schema().names) - 3} fields where the header " \
                         f"has {len(application_schema().names)}"
    assert error.row == 5


def test_zip_must_hold_exactly_one_csv(tmp_path):
    path = tmp_path / "application_train.csv.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", "SK_ID_CURR\n1\n")
        archive.writestr("b.csv", "SK_ID_CURR\n2\n")
    assert "exactly one" in str(error_for(path, tmp_path))


def test_semicolon_csv_and_unknown_extension_are_explained(tmp_path):
    path = tmp_path / "application_train.csv"
    synthetic_applications().to_csv(path, sep=";", index=False)
    assert "';'" in str(error_for(path, tmp_path))
    other = tmp_path / "application_train.xlsx"
    other.write_bytes(b"PK")
    assert "unsupported" in str(error_for(other, tmp_path))
    assert "not found" in str(error_for(tmp_path / "absent.csv", tmp_path))


def test_windows_1252_csv_is_read(tmp_path):
    frame = synthetic_applications()
    frame.loc[0, "OCCUPATION_TYPE"] = "Employé"
    path = tmp_path / "application_train.csv"
    path.write_bytes(frame.to_csv(index=False).encode("cp1252"))
    table, _ = load(path)
    assert table.loc[0, "OCCUPATION_TYPE"] == "Employé"


# ------------------------------------------------------------------------------- content
def test_hostile_strings_are_kept_as_data(tmp_path):
    frame = synthetic_applications()
    hostile = ["<script>alert('x')</script>", "A" * 10_000, "Zoë 🏦 مرحبا, \"quoted\"\nnew line"]
    frame.loc[0:2, "OCCUPATION_TYPE"] = hostile
    for suffix in (".csv", ".parquet"):
        table, warnings = load(write(frame, tmp_path / f"application_train{suffix}"))
        assert table.loc[0:2, "OCCUPATION_TYPE"].tolist() == hostile
        assert any("OCCUPATION_TYPE" in w and "3 value(s)" in w for w in warnings)


def test_sentinel_and_missing_markers_become_missing(tmp_path):
    frame = synthetic_applications()
    table, _ = load(write(frame, tmp_path / "application_train.csv"))
    assert np.isnan(table.loc[3, "DAYS_EMPLOYED"])
    assert table["DAYS_EMPLOYED"].isna().sum() == 1
    assert pd.isna(table.loc[3, "ORGANIZATION_TYPE"]) and pd.isna(table.loc[4, "CODE_GENDER"])
    assert table["ORGANIZATION_TYPE"].notna().sum() == N_ROWS - 1


def test_clean_applications_alone_on_raw_columns():
    raw = pd.DataFrame({
        "SK_ID_CURR": [1, 2, 3],
        "DAYS_EMPLOYED": [-100, DAYS_EMPLOYED_SENTINEL, -5],
        "CNT_CHILDREN": [0, 1, 2],
        "NAME_TYPE_SUITE": ["XAP", "Family", None],
    })
    cleaned = clean_applications(raw)
    assert cleaned["DAYS_EMPLOYED"].isna().tolist() == [False, True, False]
    assert cleaned["DAYS_EMPLOYED"].dtype == "float64" and cleaned["CNT_CHILDREN"].dtype == "float64"
    assert cleaned["SK_ID_CURR"].dtype == "int64"
    assert cleaned["NAME_TYPE_SUITE"].isna().tolist() == [True, False, True]
    assert raw["DAYS_EMPLOYED"].tolist()[1] == DAYS_EMPLOYED_SENTINEL  # input untouched


def test_extra_column_is_dropped_with_a_warning():
    frame = synthetic_applications().assign(MY_NOTES="hello")
    table, warnings = prepare_applications(frame, source="upload.csv", labelled=True)
    assert "MY_NOTES" not in table.columns
    assert any("MY_NOTES" in w and w.startswith("upload.csv:") for w in warnings)


def test_missing_optional_columns_are_added_as_missing_with_a_warning():
    frame = synthetic_applications().drop(columns=["OWN_CAR_AGE", "FONDKAPREMONT_MODE"])
    table, warnings = prepare_applications(frame, source="upload.csv", labelled=True)
    assert table["OWN_CAR_AGE"].isna().all() and table["OWN_CAR_AGE"].dtype == "float64"
    assert table["FONDKAPREMONT_MODE"].isna().all() and table["FONDKAPREMONT_MODE"].dtype == "str"
    assert any("OWN_CAR_AGE" in w and "FONDKAPREMONT_MODE" in w for w in warnings)
    assert list(table.columns) == [*application_schema().names, DATE_COLUMN]


def test_only_required_columns_is_enough():
    required = ["SK_ID_CURR", *CORE_COLUMNS]
    table, warnings = prepare_applications(
        synthetic_applications(labelled=False)[required], source="api", labelled=False
    )
    assert table.shape == (N_ROWS, len(application_schema().test_names()) + 1)  # + APPLICATION_DATE
    assert len(warnings) == 1 and "absent" in warnings[0]


# ------------------------------------------------------------------------------- secondary & folder
def test_secondary_table_keys_and_numbers_are_checked():
    bureau = pd.DataFrame({"SK_ID_CURR": [1, 2], "SK_ID_BUREAU": [10, 11],
                           "AMT_CREDIT_SUM": ["5", "x"], "CREDIT_ACTIVE": ["Active", "Closed"]})
    with pytest.raises(DataValidationError) as info:
        prepare_secondary(bureau, table="bureau", source="bureau.csv")
    assert (info.value.column, info.value.row, info.value.example) == ("AMT_CREDIT_SUM", 2, "x")
    balance = pd.DataFrame({"SK_ID_BUREAU": [10.0, np.nan], "STATUS": [0, 1]})
    with pytest.raises(DataValidationError) as info:
        prepare_secondary(balance, table="bureau_balance", source="bureau_balance.csv")
    assert info.value.column == "SK_ID_BUREAU" and info.value.row == 2
    with pytest.raises(DataValidationError, match="SK_ID_BUREAU"):
        prepare_secondary(pd.DataFrame({"STATUS": ["C"]}), table="bureau_balance", source="b.csv")
    table, _ = prepare_secondary(balance.fillna(11), table="bureau_balance", source="b.csv")
    assert table["SK_ID_BUREAU"].dtype == "int64" and table["STATUS"].tolist() == ["0", "1"]


def test_load_home_credit_folder(tmp_path):
    write(synthetic_applications(), tmp_path / "application_train.csv.zip")
    test = synthetic_applications(labelled=False)
    test["SK_ID_CURR"] += 1000
    write(test, tmp_path / "application_test.parquet")
    write(pd.DataFrame({"SK_ID_CURR": [500_001], "SK_ID_BUREAU": [7], "AMT_CREDIT_SUM": [1.0]}),
          tmp_path / "bureau.csv")
    data = load_home_credit(tmp_path)
    assert data.train.shape == (N_ROWS, 123) and data.test.shape == (N_ROWS, 122)  # + APPLICATION_DATE
    assert set(data.secondary) == {"bureau"} and data.warnings == ()
    assert data.sources["application_train"].name == "application_train.csv.zip"
    assert load_home_credit(tmp_path, secondary=False).secondary == {}


def test_load_home_credit_without_train(tmp_path):
    with pytest.raises(DataValidationError, match="application_train"):
        load_home_credit(tmp_path)
    data = load_home_credit(tmp_path, require_train=False)
    assert data.train is None and data.test is None and data.secondary == {}
    with pytest.raises(DataValidationError):
        load_home_credit(tmp_path / "nowhere")


# ------------------------------------------------------------------------------- real data
REAL_DIR = get_settings().home_credit_dir


@pytest.mark.skipif(not (REAL_DIR / "application_train.parquet").exists(), reason="no real data")
def test_real_home_credit_folder():
    raw = pd.read_parquet(REAL_DIR / "application_train.parquet", columns=["DAYS_EMPLOYED"])
    sentinels = int((raw["DAYS_EMPLOYED"] == DAYS_EMPLOYED_SENTINEL).sum())
    assert sentinels > 0
    data = load_home_credit(REAL_DIR, secondary=False)
    assert data.train.shape == (37_051, 123)  # the 122 columns + APPLICATION_DATE (unknown)
    assert data.train[DATE_COLUMN].isna().all()
    assert len(data.test) == 48_744
    assert data.train["DAYS_EMPLOYED"].isna().sum() == sentinels + int(raw["DAYS_EMPLOYED"].isna().sum())
    assert (data.train["DAYS_EMPLOYED"] == DAYS_EMPLOYED_SENTINEL).sum() == 0
    assert data.train["TARGET"].isin((0, 1)).all()


def test_application_dates_come_from_the_file_or_the_as_of_date(tmp_path):
    frame = synthetic_applications()
    undated, _ = prepare_applications(frame, source="f.csv", labelled=True)
    assert undated[DATE_COLUMN].isna().all()
    stamped, _ = prepare_applications(frame, source="f.csv", labelled=True, as_of=pd.Timestamp("2026-03-31"))
    assert (stamped[DATE_COLUMN] == pd.Timestamp("2026-03-31")).all()
    dated = frame.assign(**{DATE_COLUMN: [f"2026-01-{i % 28 + 1:02d}" for i in range(len(frame))]})
    table, warnings = load(write(dated, tmp_path / "application_train.csv"))
    assert table[DATE_COLUMN].dt.day.tolist() == [i % 28 + 1 for i in range(len(frame))]
    assert not any(DATE_COLUMN in w for w in warnings)  # neither "unknown column" nor "no date"


@pytest.mark.parametrize("bad", ["2026-02-30", "", "yesterday"])
def test_a_bad_application_date_names_its_row(tmp_path, bad):
    frame = synthetic_applications()
    dates = ["2026-01-15"] * len(frame)
    dates[3] = bad
    error = error_for(frame.assign(**{DATE_COLUMN: dates}), tmp_path)
    assert error.column == DATE_COLUMN and error.row == 4
    assert "YYYY-MM-DD" in str(error)
