"""One configuration module: paths anchored on the package, settings from environment variables.

Everything a deployment may change is read from the environment here, once, so the rest of the code
never calls ``os.environ`` itself. Paths default to folders of the project checkout.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
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


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"environment variable {name} must be a number, got {raw!r}") from exc


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"environment variable {name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Deployment settings, read from the environment by :func:`get_settings`."""

    model_dir: Path = DEFAULT_MODEL_DIR
    home_credit_dir: Path = DEFAULT_HOME_CREDIT_DIR
    cost_fn: float = 10.0
    cost_fp: float = 1.0
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

    @property
    def is_production(self) -> bool:
        return self.env == "production"


def get_settings() -> Settings:
    """Read the settings from the environment (documented in the README)."""
    return Settings(
        model_dir=Path(os.environ.get("CREDIT_MODEL_DIR", DEFAULT_MODEL_DIR)),
        home_credit_dir=Path(os.environ.get("HOME_CREDIT_DIR", DEFAULT_HOME_CREDIT_DIR)),
        cost_fn=_env_float("CREDIT_COST_FN", 10.0),
        cost_fp=_env_float("CREDIT_COST_FP", 1.0),
        seed=_env_int("CREDIT_SEED", 42),
        host=os.environ.get("HOST", "127.0.0.1"),
        port=_env_int("PORT", 8050),
        env=os.environ.get("APP_ENV", "development"),
        default_language=os.environ.get("APP_LANGUAGE", "fr"),
        secret_key=os.environ.get("SECRET_KEY", ""),
        database_url=database_url_from_env(),
        session_idle_minutes=_env_int("SESSION_IDLE_MINUTES", 30),
        session_max_hours=_env_int("SESSION_MAX_HOURS", 10),
        login_max_failures=_env_int("LOGIN_MAX_FAILURES", 5),
        login_max_failures_per_ip=_env_int("LOGIN_MAX_FAILURES_PER_IP", 20),
        login_window_minutes=_env_int("LOGIN_WINDOW_MINUTES", 15),
        trusted_proxy_hops=_env_int("TRUSTED_PROXY_HOPS", 0),
        admin_username=os.environ.get("ADMIN_USERNAME", "").strip(),
        admin_password=os.environ.get("ADMIN_PASSWORD", ""),
        log_format=os.environ.get("LOG_FORMAT", "json"),
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
