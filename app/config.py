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
DEFAULT_MODEL_DIR = PROJECT_DIR / "model"
DATA_DIR = PROJECT_DIR / "data"
SYNTH_PARAMS_DIR = DATA_DIR / "synth"
SCHEMA_PATH = PACKAGE_DIR / "scoring" / "application_schema.json"
#: Where the real Kaggle files live on a developer machine (never committed, see README).
DEFAULT_HOME_CREDIT_DIR = PROJECT_DIR.parent / "shared" / "data" / "home-credit"

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
    extra: dict = field(default_factory=dict)

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
    )
