"""scripts/fit_synth.py reads tables with the project's loader: a missing folder or table is one line."""
from tests.scripts.script_support import one_error_line, script_main


def test_missing_folder_table_or_columns_are_one_line(tmp_path, capsys):
    main = script_main("fit_synth")
    out = ["--out", str(tmp_path / "synth")]
    assert main(["--data-dir", str(tmp_path / "absent"), *out]) == 2  # FileNotFoundError traceback before
    assert "folder not found" in one_error_line(capsys)
    assert main(["--data-dir", str(tmp_path), *out]) == 2
    assert "no application_train.parquet/.csv/.csv.zip in" in one_error_line(capsys)
    (tmp_path / "application_train.csv").write_text("SK_ID_CURR,TARGET\n1,0\n2,1\n")
    assert main(["--data-dir", str(tmp_path), *out]) == 2  # ValueError listing 120 names before
    line = one_error_line(capsys)
    assert "application_train lacks 120 schema column(s): AMT_ANNUITY" in line and "(+112)" in line
    (tmp_path / "application_train.csv").write_text("SK_ID_CURR,TARGET\n1,0\n2")
    assert main(["--data-dir", str(tmp_path), *out]) == 2
    assert "the file is cut short" in one_error_line(capsys)  # pandas' read_csv took it before
    assert not (tmp_path / "synth").exists()
