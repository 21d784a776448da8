"""One configuration module: paths anchored on the package, settings from environment variables.

Everything a deployment may change is read from the environment here, once, so the rest of the code
never calls ``os.environ`` itself. Paths default to folders of the project checkout.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def _project_dir() -> Path:
    """The folder holding ``model/``, ``data/`` and ``assets/``: the checkout around the package (a
    source tree or ``pip install -e .``); for a copy installed by ``pip install .`` (the package in
    site-packages), ``CREDIT_PROJECT_DIR`` or else the working directory (run from the checkout)."""
    explicit = os.environ.get("CREDIT_PROJECT_DIR", "").strip()
    if explicit:
        return Path(explicit).resolve()
    # Not "is there a pyproject.toml beside app/": a third-party wheel leaves one in site-packages.
    if PACKAGE_DIR.parent.name not in ("site-packages", "dist-packages"):
        return PACKAGE_DIR.parent
    return Path.cwd().resolve()


PROJECT_DIR = _project_dir()
#: The demo model (trained on the synthetic portfolio, committed) and the default folder of a model
#: trained on real Home Credit files (git-ignored: its out-of-fold file holds real clients' rows).
DEFAULT_MODEL_DIR = PROJECT_DIR / "model" / "demo"
REAL_MODEL_DIR = PROJECT_DIR / "model" / "home-credit"
DATA_DIR = PROJECT_DIR / "data"
SYNTH_PARAMS_DIR = DATA_DIR / "synth"
SCHEMA_PATH = PACKAGE_DIR / "scoring" / "application_schema.json"
#: Where the real Kaggle files live on a developer machine (never committed, see README).
DEFAULT_HOME_CREDIT_DIR = PROJECT_DIR.parent / "shared" / "data" / "home-credit"
#: Local state (SQLite database of accounts, audit trail, decisions); git-ignored.
DEFAULT_INSTANCE_DIR = PROJECT_DIR / "instance"
DEFAULT_SQLITE_PATH = DEFAULT_INSTANCE_DIR / "credit.sqlite3"
#: Experiment tracking of the training tools (app/training/tracking.py): a local MLflow store inside the
#: project, git-ignored, anchored here rather than on the working directory (MLflow's own default), so
#: every run lands in one store whichever folder the script is started from. ``MLFLOW_TRACKING_URI``
#: chooses another store (a shared server); artefacts then go where that store says.
DEFAULT_MLRUNS_DIR = PROJECT_DIR / "mlruns"
DEFAULT_TRACKING_URI = f"sqlite:///{DEFAULT_MLRUNS_DIR / 'mlflow.db'}"

#: Attributes a lender may not score on (EU gender directive 2004/113/EC, French Code pénal
#: art. 225-1: sex and family situation). They are excluded from the model's inputs and kept only
#: to monitor fairness. Age is used by the model (permitted when actuarially justified) and is
#: therefore monitored by age band.
PROTECTED_ATTRIBUTES: tuple[str, ...] = (
    "CODE_GENDER",
    "NAME_FAMILY_STATUS",
    "CNT_CHILDREN",
    "CNT_FAM_MEMBERS",
)
#: Inputs a client must never be refused for, excluded from the model's inputs by configuration
#: (shell-style patterns over the application columns; ``app.scoring.features.excluded_inputs``).
#: ``*_SOCIAL_CIRCLE``: how many people of the client's social circle were observed (``OBS_``), and
#: how many of them defaulted (``DEF_``). A fact about other people, which the client can neither check nor change; "someone you
#: know defaulted" is not a reason a lender can give for a refusal. Unlike the protected attributes
#: they are not kept for monitoring either. Effect on the real rows: README "Benchmarks".
NEVER_REFUSED_FOR: tuple[str, ...] = (
    "*_SOCIAL_CIRCLE",
)


#: The environments the app knows. Anything else (``APP_ENV=prod``, a typo) refuses to start: it
#: would otherwise run in development mode (no Secure cookie, random secret, SQLite) on a server.
ENVIRONMENTS = ("development", "production")
LOG_FORMATS = ("json", "text")
LANGUAGES = ("fr", "en")
#: Where the served portfolio's queries run: "local" (the column store memory-mapped beside the
#: portfolio file, app.scoring.column_store) or "postgresql" (published tables, app.scoring.portfolio_sql)
PORTFOLIO_ENGINES = ("local", "postgresql")


class SettingsError(ValueError):
    """A setting read from the environment is malformed or out of range; the message is one line
    naming the variable and what it accepts. ``python -m app`` and gunicorn stop on it (exit 2)."""


def _raw(name: str) -> str | None:
    raw = os.environ.get(name)
    return None if raw is None or raw.strip() == "" else raw.strip()


def env_number(name: str, default, kind: type = int, low=None, high=None):
    """``kind(os.environ[name])`` (``default`` when unset or blank), within [low, high]: else SettingsError."""
    raw = _raw(name)
    if raw is None:
        value = default
    else:
        try:
            value = kind(raw)
        except ValueError:
            what = "an integer" if kind is int else "a number"
            raise SettingsError(f"environment variable {name} must be {what}, got {raw!r}") from None
    _check_range(name, value, low, high)
    return value


def _check_range(name: str, value, low, high) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise SettingsError(f"environment variable {name} must be a finite number, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = (f"between {low} and {high}" if low is not None and high is not None
                  else f"at least {low}" if low is not None else f"at most {high}")
        raise SettingsError(f"environment variable {name} must be {bounds}, got {value!r}")


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise SettingsError(f"environment variable {name} must be one of {', '.join(allowed)}, got {value!r}")


TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def env_flag(name: str, default: bool) -> bool:
    """A yes/no setting: 1/true/yes/on or 0/false/no/off (any case); anything else is a SettingsError,
    never silently read as "off" (``FOUR_EYES=flase`` must not switch the approvals off)."""
    raw = _raw(name)
    if raw is None:
        return default
    if raw.lower() in TRUE_WORDS:
        return True
    if raw.lower() in FALSE_WORDS:
        return False
    raise SettingsError(f"environment variable {name} must be one of {', '.join(TRUE_WORDS + FALSE_WORDS)}, got {raw!r}")


#: Every numeric setting: attribute -> (environment variable, smallest, largest accepted value).
NUMERIC_BOUNDS: dict[str, tuple[str, float | None, float | None]] = {
    "cost_fn": ("CREDIT_COST_FN", 1e-9, None),  # euros
    "cost_fp": ("CREDIT_COST_FP", 1e-9, None),
    "seed": ("CREDIT_SEED", 0, 2**31 - 1),
    "port": ("PORT", 1, 65535),
    "session_idle_minutes": ("SESSION_IDLE_MINUTES", 1, 24 * 60),
    "session_max_hours": ("SESSION_MAX_HOURS", 1, 7 * 24),
    "login_max_failures": ("LOGIN_MAX_FAILURES", 1, 1000),
    "login_max_failures_per_ip": ("LOGIN_MAX_FAILURES_PER_IP", 1, 100_000),
    "login_window_minutes": ("LOGIN_WINDOW_MINUTES", 1, 24 * 60),
    "trusted_proxy_hops": ("TRUSTED_PROXY_HOPS", 0, 10),
}


@dataclass(frozen=True)
class Settings:
    """Deployment settings, read from the environment by :func:`get_settings`."""

    model_dir: Path = DEFAULT_MODEL_DIR
    home_credit_dir: Path = DEFAULT_HOME_CREDIT_DIR
    #: Business costs in euros: a missed default loses about 5,000 € (60-75 % of an average credit
    #: of 8,500 € never repaid), a refused good client the ~500 € margin its credit would have made.
    cost_fn: float = 5_000.0
    cost_fp: float = 500.0
    seed: int = 42
    host: str = "127.0.0.1"
    port: int = 8050
    env: str = "development"
    default_language: str = "fr"
    # --- security layer (app/security): secrets are kept out of repr() so they never reach a log.
    secret_key: str = field(default="", repr=False)
    database_url: str = field(default=f"sqlite:///{DEFAULT_SQLITE_PATH}", repr=False)
    session_idle_minutes: int = 30
    session_max_hours: int = 10
    login_max_failures: int = 5
    login_max_failures_per_ip: int = 20
    login_window_minutes: int = 15
    trusted_proxy_hops: int = 0
    admin_username: str = ""
    admin_password: str = field(default="", repr=False)
    log_format: str = "json"
    #: Four-eyes principle: an override of the model waits for a manager's approval (app.security.decisions).
    four_eyes: bool = True
    #: MLflow store of the training tools' runs (``MLFLOW_TRACKING_URI``); may hold a password: not in repr().
    tracking_uri: str = field(default=DEFAULT_TRACKING_URI, repr=False)
    #: Where the portfolio's queries run (PORTFOLIO_ENGINE); with "postgresql", the database holding the
    #: published portfolio (PORTFOLIO_DATABASE_URL, by default DATABASE_URL's); may hold a password.
    portfolio_engine: str = "local"
    portfolio_database_url: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        """Refuse an unknown environment, log format or language, and numbers out of range."""
        _choice("APP_ENV", self.env, ENVIRONMENTS)
        _choice("LOG_FORMAT", self.log_format, LOG_FORMATS)
        _choice("APP_LANGUAGE", self.default_language, LANGUAGES)
        _choice("PORTFOLIO_ENGINE", self.portfolio_engine, PORTFOLIO_ENGINES)
        if self.portfolio_engine == "postgresql" and not self.portfolio_database_url.startswith("postgresql"):
            raise SettingsError("PORTFOLIO_ENGINE=postgresql needs a PostgreSQL database: set PORTFOLIO_DATABASE_URL "
                                "(or DATABASE_URL) to postgresql://...")
        for attribute, (name, low, high) in NUMERIC_BOUNDS.items():
            _check_range(name, getattr(self, attribute), low, high)

    @property
    def is_production(self) -> bool:
        return self.env == "production"


def get_settings() -> Settings:
    """Read and validate the settings from the environment (documented in the README).

    Raises :class:`SettingsError` (one line naming the variable) on an unknown ``APP_ENV``,
    ``LOG_FORMAT`` or ``APP_LANGUAGE``, a malformed number or one outside :data:`NUMERIC_BOUNDS`.
    """
    def number(attribute: str, default, kind: type = int):
        name, low, high = NUMERIC_BOUNDS[attribute]
        return env_number(name, default, kind, low, high)

    return Settings(
        model_dir=Path(os.environ.get("CREDIT_MODEL_DIR", DEFAULT_MODEL_DIR)),
        home_credit_dir=Path(os.environ.get("HOME_CREDIT_DIR", DEFAULT_HOME_CREDIT_DIR)),
        cost_fn=number("cost_fn", 5_000.0, float),
        cost_fp=number("cost_fp", 500.0, float),
        seed=number("seed", 42),
        host=os.environ.get("HOST", "127.0.0.1"),
        port=number("port", 8050),
        env=_raw("APP_ENV") or "development",
        default_language=_raw("APP_LANGUAGE") or "fr",
        secret_key=os.environ.get("SECRET_KEY", ""),
        database_url=database_url_from_env(),
        session_idle_minutes=number("session_idle_minutes", 30),
        session_max_hours=number("session_max_hours", 10),
        login_max_failures=number("login_max_failures", 5),
        login_max_failures_per_ip=number("login_max_failures_per_ip", 20),
        login_window_minutes=number("login_window_minutes", 15),
        trusted_proxy_hops=number("trusted_proxy_hops", 0),
        admin_username=os.environ.get("ADMIN_USERNAME", "").strip(),
        admin_password=os.environ.get("ADMIN_PASSWORD", ""),
        log_format=_raw("LOG_FORMAT") or "json",
        four_eyes=env_flag("FOUR_EYES", True),
        tracking_uri=_raw("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI,
        portfolio_engine=_raw("PORTFOLIO_ENGINE") or "local",
        portfolio_database_url=normalise_database_url(_raw("PORTFOLIO_DATABASE_URL") or database_url_from_env()),
    )


def normalise_database_url(url: str) -> str:
    """Make a PaaS-style URL usable by SQLAlchemy 2 with the psycopg 3 driver we ship.

    PaaS add-ons hand out ``postgres://...``, which SQLAlchemy 2 no longer accepts, and a bare
    ``postgresql://`` would select psycopg2, which is not installed.
    """
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def database_url_from_env() -> str:
    """DATABASE_URL when set (PostgreSQL in production), else a SQLite file (SQLITE_PATH)."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{Path(os.environ.get('SQLITE_PATH', DEFAULT_SQLITE_PATH))}"
