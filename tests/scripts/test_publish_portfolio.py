"""scripts/publish_portfolio.py: bad input is one line and exit 2; a publication is reported, and not repeated."""
import shutil

from app.scoring.bundle import CARD_FILE
from app.security.db import get_engine
from tests.scoring.test_portfolio_sql import drop_publications
from tests.scripts.script_support import one_error_line, script_main
from tests.security.conftest import postgres_url


def test_a_database_that_is_not_postgresql_is_refused(small_model_dir, capsys):
    assert script_main("publish_portfolio")(["--model-dir", str(small_model_dir[0]),
                                             "--database-url", "sqlite:///x.sqlite3"]) == 2
    assert "postgresql://" in one_error_line(capsys)


def test_a_folder_without_portfolio_or_with_a_damaged_card_is_refused(small_model_dir, tmp_path, capsys):
    assert script_main("publish_portfolio")(["--model-dir", str(tmp_path), "--database-url", "postgresql://u@h/d"]) == 2
    assert "portfolio.parquet does not exist" in one_error_line(capsys)
    folder = tmp_path / "model"
    shutil.copytree(small_model_dir[0], folder, ignore=shutil.ignore_patterns("portfolio.columns*", ".portfolio*"))
    (folder / CARD_FILE).write_text("{")
    assert script_main("publish_portfolio")(["--model-dir", str(folder), "--database-url", "postgresql://u@h/d"]) == 2
    assert CARD_FILE in one_error_line(capsys)


def test_an_unreachable_database_is_one_line(small_model_dir, capsys):
    assert script_main("publish_portfolio")(["--model-dir", str(small_model_dir[0]), "--database-url",
                                             "postgresql://nobody:wrong@127.0.0.1:1/none"]) == 1
    assert "the database refused the publication" in one_error_line(capsys)


def test_a_publication_is_reported_then_found_done(small_model_dir, capsys):
    url = postgres_url()
    engine = get_engine(url)
    drop_publications(engine)
    main = script_main("publish_portfolio")
    assert main(["--model-dir", str(small_model_dir[0]), "--database-url", url]) == 0
    out = capsys.readouterr()
    assert "published as version" in out.out and "rows:" in out.err
    assert main(["--model-dir", str(small_model_dir[0]), "--database-url", url]) == 0
    assert "is already published" in capsys.readouterr().err
    drop_publications(engine)
