"""Every script's command line: each option has a help line, impossible numbers are argparse errors.

The scripts are loaded the way ``python scripts/<name>.py`` runs them; their parsers are caught at
``parse_args`` (nothing is trained or read), so the walk covers every option of every script.
"""
import argparse
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.scripts.script_support import PROJECT_DIR, SCRIPTS, script_env, script_main

SCRIPT_NAMES = sorted(p.stem for p in SCRIPTS.glob("*.py") if not p.name.startswith("_"))


class _ParserCaughtError(Exception):
    def __init__(self, parser):
        self.parser = parser


def _parser_of(name: str, monkeypatch) -> argparse.ArgumentParser:
    monkeypatch.syspath_prepend(str(SCRIPTS))  # the benchmarks share _bench.py beside them
    main = script_main(name)

    def catch(self, *args, **kwargs):
        raise _ParserCaughtError(self)

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", catch)
    with pytest.raises(_ParserCaughtError) as caught:
        main([])
    return caught.value.parser


def _actions(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                yield f"subcommand {choice.dest}", choice
            for sub in action.choices.values():
                yield from _actions(sub)
        elif not isinstance(action, argparse._HelpAction):
            yield "/".join(action.option_strings) or action.dest, action


@pytest.mark.parametrize("name", SCRIPT_NAMES)
def test_every_option_has_a_help_line(name, monkeypatch):
    parser = _parser_of(name, monkeypatch)
    missing = [label for label, action in _actions(parser) if not (action.help or "").strip()]
    assert not missing, f"scripts/{name}.py: options without help: {missing}"


@pytest.mark.parametrize("name, argv, message", [
    ("train", ["--folds", "1"], "--folds: needs at least 2 folds, got 1"),
    ("train", ["--cost-fn", "-1"], "--cost-fn: costs must be positive"),
    ("train", ["--cost-fp", "0"], "--cost-fp: costs must be positive"),
    ("train", ["--search-budget", "nan"], "--search-budget: must be non-negative"),
    ("train", ["--folds", "two"], "--folds: 'two' is not an integer"),
    ("generate_portfolio", ["--n-new", "-3", "--out", "x"], "--n-new: must be non-negative, got -3"),
    ("benchmark_model", ["--folds", "1"], "--folds: needs at least 2 folds"),
    ("benchmark_model", ["--holdout", "1.5"], "--holdout: must be at least 0 and below 1"),
    ("benchmark_explain", ["--n", "0"], "--n: must be a positive integer"),
    ("benchmark_portfolio", ["--n", "-1"], "--n: must be a positive integer"),
    ("benchmark_app", ["--model-dir", "m", "--n", "0"], "--n: must be a positive integer"),
    ("benchmark_governance_pages", ["--repeat", "0"], "--repeat: must be a positive integer"),
    ("drift_report", ["--lang", "de"], "--lang: invalid choice"),
])
def test_impossible_arguments_are_argparse_errors(name, argv, message, monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(SCRIPTS))
    with pytest.raises(SystemExit) as exit_:
        script_main(name)(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and message in err and "Traceback" not in err, err
    assert ": error: argument " in err.splitlines()[-1]  # argparse's usage, then one error line


def test_help_runs_as_a_script_from_the_repository_root():
    result = subprocess.run([sys.executable, "scripts/predict.py", "--help"], cwd=PROJECT_DIR, env=script_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "--model-dir" in result.stdout, result.stderr


def _entry_points() -> dict[str, str]:
    return tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["project"]["scripts"]


@pytest.mark.parametrize("command, target", sorted(_entry_points().items()))
def test_each_entry_point_is_a_script_of_scripts_folder(command, target):
    module, _, function = target.partition(":")
    assert function == "main" and module.startswith("app.cli.")
    name = module.rsplit(".", 1)[1]
    assert command == "credit-" + name.replace("_", "-")
    shim = (SCRIPTS / f"{name}.py").read_text()
    assert f"from {module} import main" in shim  # python scripts/<name>.py runs the same code
    assert callable(__import__(module, fromlist=["main"]).main)


def test_installed_entry_point_runs():
    """In a virtual environment with the project installed (README: pip install -e .)."""
    command = Path(sys.executable).with_name("credit-train")
    if not command.exists():
        command = shutil.which("credit-train")
        if command is None:
            pytest.skip("project not installed in this environment (pip install -e .)")
    result = subprocess.run([str(command), "--folds", "1"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "--folds: needs at least 2 folds" in result.stderr
    assert "Traceback" not in result.stderr
