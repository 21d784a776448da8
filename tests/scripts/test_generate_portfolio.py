"""scripts/generate_portfolio.py writes both tables; an --out it cannot create is one line, exit 2."""
import pandas as pd

from tests.scripts.script_support import one_error_line, script_main


def test_generates_both_tables_and_refuses_an_out_under_a_file(tmp_path, capsys):
    main = script_main("generate_portfolio")
    assert main(["--n-labelled", "20", "--n-new", "5", "--out", str(tmp_path / "bench")]) == 0
    assert len(pd.read_parquet(tmp_path / "bench" / "application_train.parquet")) == 20
    capsys.readouterr()
    blocker = tmp_path / "blocker"
    blocker.write_text("a file")
    for out in (blocker, blocker / "bench"):
        assert main(["--n-labelled", "20", "--n-new", "5", "--out", str(out)]) == 2  # FileExistsError before
        assert f"{blocker} is a file, not a folder" in one_error_line(capsys)
