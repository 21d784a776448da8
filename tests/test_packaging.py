"""pyproject.toml is the source of the dependencies; the hashed locks agree with it; no sys.path edits."""
import ast
import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from app.config import PROJECT_DIR

PYPROJECT = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", re.MULTILINE)


def _lock(name: str) -> dict[str, str]:
    text = (PROJECT_DIR / name).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 1)[1] if text.startswith("#") else text)
    pins = {}
    for entry in entries:
        match = PIN.match(entry.strip())
        if match:
            assert "--hash=sha256:" in entry, f"{name}: {match.group(1)} is not hashed"
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def _satisfied(requirements: list[str], pins: dict[str, str], lock: str) -> None:
    for line in requirements:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{lock} does not pin {requirement.name} (declared in pyproject.toml)"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{lock} pins {requirement.name}=={pins[name]}, outside pyproject's {requirement.specifier}")


def test_runtime_lock_is_hashed_and_satisfies_pyproject():
    pins = _lock("requirements.txt")
    _satisfied(PYPROJECT["project"]["dependencies"], pins, "requirements.txt")
    assert "shap" not in pins and "pytest" not in pins  # test-only tools stay out of the deployment


def test_dev_lock_pins_the_runtime_versions_and_the_dev_extra():
    runtime, dev = _lock("requirements.txt"), _lock("requirements-dev.txt")
    assert {name: dev.get(name) for name in runtime} == runtime
    _satisfied(PYPROJECT["project"]["optional-dependencies"]["dev"], dev, "requirements-dev.txt")


def test_declared_runtime_dependencies_are_imported_and_unimported_ones_are_not_declared():
    declared = {canonicalize_name(Requirement(r).name) for r in PYPROJECT["project"]["dependencies"]}
    imported = set()
    for path in (PROJECT_DIR / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    assert "shap" not in imported and "joblib" not in imported
    assert {"shap", "joblib"}.isdisjoint(declared)
    import_names = {"scikit-learn": "sklearn", "psycopg": "psycopg", "argon2-cffi": "argon2",
                    "dash-bootstrap-components": "dash_bootstrap_components", "flask": "flask", "fpdf2": "fpdf"}
    for name in declared:
        module = import_names.get(name, name.replace("-", "_"))
        # used, never imported: pandas' Parquet engine, SQLAlchemy's PostgreSQL driver, the Procfile's server
        assert module in imported or name in {"pyarrow", "psycopg", "gunicorn"}, f"{name} is declared, never imported"


def test_no_code_edits_sys_path():
    for folder in ("app", "scripts"):
        for path in (PROJECT_DIR / folder).rglob("*.py"):
            edits = re.search(r"sys\.path\.(insert|append)|sys\.path\s*[+=]", path.read_text())
            assert not edits, f"{path.relative_to(PROJECT_DIR)} edits sys.path"


def test_one_python_version_file_for_the_paas():
    assert (PROJECT_DIR / ".python-version").read_text().strip() == "3.11"
    assert not (PROJECT_DIR / "runtime.txt").exists()  # deprecated on the PaaS, and it overrode .python-version


def test_an_installed_copy_reads_the_project_folders_from_the_environment_or_working_directory(
        monkeypatch, tmp_path):
    import app.config as config

    site = tmp_path / "lib" / "site-packages"
    (site / "app").mkdir(parents=True)
    (site / "pyproject.toml").write_text("")  # some wheels leave one there: not a checkout
    monkeypatch.setattr(config, "PACKAGE_DIR", site / "app")
    monkeypatch.delenv("CREDIT_PROJECT_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert config._project_dir() == tmp_path.resolve()
    monkeypatch.setenv("CREDIT_PROJECT_DIR", str(PROJECT_DIR))
    assert config._project_dir() == PROJECT_DIR
    monkeypatch.setattr(config, "PACKAGE_DIR", PROJECT_DIR / "app")
    monkeypatch.delenv("CREDIT_PROJECT_DIR")
    assert config._project_dir() == PROJECT_DIR


def test_the_served_portfolio_and_its_column_store_are_never_committed():
    """Generated at first start or by scripts (the store is a link to a version folder: a pattern
    for folders only let the link into git once)."""
    import shutil
    import subprocess

    import pytest

    if shutil.which("git") is None or not (PROJECT_DIR / ".git").exists():
        pytest.skip("not a git checkout")
    generated = ["model/demo/portfolio.parquet", "model/demo/portfolio.columns",
                 "model/demo/.portfolio.columns.v-0123abcd", "model/demo/.portfolio.columns.lock"]
    ignored = subprocess.run(["git", "check-ignore", "--no-index", *generated], cwd=PROJECT_DIR,
                             capture_output=True, text=True, check=False).stdout.split()
    assert ignored == generated
    tracked = subprocess.run(["git", "ls-files", "model"], cwd=PROJECT_DIR, capture_output=True, text=True,
                             check=True).stdout.split()
    assert not [p for p in tracked if "portfolio.columns" in p or p.endswith("portfolio.parquet")]
