"""Settings from the environment are validated: a typo refuses to start instead of running in development."""
import logging
import subprocess
import sys

import pytest

from app.config import ENVIRONMENTS, NUMERIC_BOUNDS, PROJECT_DIR, Settings, SettingsError, get_settings
from app.security.logs import JsonFormatter
from tests.scripts.script_support import script_env

VARIABLES = ["APP_ENV", "LOG_FORMAT", "APP_LANGUAGE", "FOUR_EYES", "PORTFOLIO_ENGINE", "PORTFOLIO_DATABASE_URL", *(name for name, _, _ in NUMERIC_BOUNDS.values())]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_valid_and_blank_values_mean_default(monkeypatch):
    monkeypatch.setenv("SESSION_IDLE_MINUTES", " ")
    monkeypatch.setenv("APP_ENV", "")
    settings = get_settings()
    assert settings.env == "development" and settings.session_idle_minutes == 30 and settings.log_format == "json"


@pytest.mark.parametrize("value", ENVIRONMENTS)
def test_known_environments_are_accepted(monkeypatch, value):
    monkeypatch.setenv("APP_ENV", value)
    assert get_settings().is_production == (value == "production")


@pytest.mark.parametrize("name, value, message", [
    ("APP_ENV", "prod", "environment variable APP_ENV must be one of development, production, got 'prod'"),
    ("APP_ENV", "Production", "APP_ENV must be one of development, production"),
    ("LOG_FORMAT", "xml", "environment variable LOG_FORMAT must be one of json, text, got 'xml'"),
    ("APP_LANGUAGE", "de", "APP_LANGUAGE must be one of fr, en"),
    ("SESSION_IDLE_MINUTES", "-5", "environment variable SESSION_IDLE_MINUTES must be between 1 and 1440, got -5"),
    ("SESSION_IDLE_MINUTES", "ten", "SESSION_IDLE_MINUTES must be an integer, got 'ten'"),
    ("PORT", "0", "PORT must be between 1 and 65535"),
    ("PORT", "70000", "PORT must be between 1 and 65535"),
    ("TRUSTED_PROXY_HOPS", "-1", "TRUSTED_PROXY_HOPS must be between 0 and 10"),
    ("CREDIT_COST_FN", "-1", "CREDIT_COST_FN must be at least"),
    ("CREDIT_COST_FP", "nan", "CREDIT_COST_FP must be a finite number"),
    ("LOGIN_MAX_FAILURES", "0", "LOGIN_MAX_FAILURES must be between 1"),
])
def test_bad_values_are_refused_naming_the_variable(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        get_settings()
    assert message in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("attribute", sorted(NUMERIC_BOUNDS))
def test_every_numeric_setting_has_bounds_at_both_reading_and_construction(monkeypatch, attribute):
    name, low, high = NUMERIC_BOUNDS[attribute]
    assert low is not None
    kind = float if isinstance(getattr(Settings(), attribute), float) else int
    monkeypatch.setenv(name, str(kind(low) - 1))
    with pytest.raises(SettingsError, match=name):
        get_settings()
    monkeypatch.delenv(name)
    with pytest.raises(SettingsError, match=name):
        Settings(**{attribute: kind(low) - 1})


def test_python_m_app_refuses_a_mistyped_environment_in_one_line():
    result = subprocess.run([sys.executable, "-m", "app"], cwd=PROJECT_DIR, capture_output=True, text=True,
                            timeout=120, env={**script_env(), "APP_ENV": "prod"})
    assert result.returncode == 2
    assert result.stderr == "error: environment variable APP_ENV must be one of development, production, got 'prod'\n"


def test_gunicorn_config_refuses_a_bad_setting_in_one_line():
    pytest.importorskip("gunicorn")
    result = subprocess.run([sys.executable, "-m", "gunicorn", "app.wsgi:server", "-c", "gunicorn.conf.py",
                             "--check-config"], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120,
                            env={**script_env(), "SESSION_IDLE_MINUTES": "-5"})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "error: environment variable SESSION_IDLE_MINUTES must be between 1 and 1440, got -5")


@pytest.mark.parametrize("fmt, json_lines", [("json", True), ("text", False)])
def test_gunicorn_own_lines_use_the_apps_format(monkeypatch, fmt, json_lines):
    pytest.importorskip("gunicorn")
    from gunicorn.config import Config

    from app.security.gunicorn_logging import AppFormatLogger

    monkeypatch.setenv("LOG_FORMAT", fmt)
    cfg = Config()
    cfg.set("errorlog", "-")
    logger = AppFormatLogger(cfg)
    handlers = logger.error_log.handlers
    assert handlers and all(isinstance(h.formatter, JsonFormatter) == json_lines for h in handlers)
    record = logging.LogRecord("gunicorn.error", logging.INFO, __file__, 1, "Booting worker with pid: %s", (42,), None)
    line = handlers[0].format(record)
    if json_lines:
        import json

        assert json.loads(line) | {"time": None} == {"time": None, "level": "INFO", "logger": "gunicorn.error",
                                                    "message": "Booting worker with pid: 42"}
    else:
        assert line.endswith("INFO gunicorn.error Booting worker with pid: 42")


@pytest.mark.parametrize("value, expected", [(None, True), ("", True), ("on", True), ("TRUE", True), ("1", True),
                                             ("off", False), ("No", False), ("0", False)])
def test_four_eyes_is_on_by_default_and_read_as_a_flag(monkeypatch, value, expected):
    if value is not None:
        monkeypatch.setenv("FOUR_EYES", value)
    assert get_settings().four_eyes is expected


def test_a_mistyped_four_eyes_is_refused_not_read_as_off(monkeypatch):
    monkeypatch.setenv("FOUR_EYES", "flase")
    with pytest.raises(SettingsError, match="FOUR_EYES must be one of 1, true.*got 'flase'"):
        get_settings()


def test_the_portfolio_engine_is_local_unless_postgresql_is_asked_with_a_postgresql_database(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert get_settings().portfolio_engine == "local"
    monkeypatch.setenv("PORTFOLIO_ENGINE", "postgres")  # a typo: refused, not served locally by surprise
    with pytest.raises(SettingsError, match="PORTFOLIO_ENGINE must be one of local, postgresql"):
        get_settings()
    monkeypatch.setenv("PORTFOLIO_ENGINE", "postgresql")
    with pytest.raises(SettingsError, match="PORTFOLIO_DATABASE_URL"):  # the SQLite default cannot hold it
        get_settings()
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/app")
    assert get_settings().portfolio_database_url == "postgresql+psycopg://u:p@db:5432/app"
    monkeypatch.setenv("PORTFOLIO_DATABASE_URL", "postgresql://u:p@warehouse/portfolio")
    assert get_settings().portfolio_database_url == "postgresql+psycopg://u:p@warehouse/portfolio"
