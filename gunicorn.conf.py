"""gunicorn settings for the PaaS (``Procfile``): everything tunable from the environment.

preload: the Dash app (model, pages, database schema, env admin) is built once in the master and
shared copy-on-write by the workers; threads serve Dash's many small callback requests. The
allocators are tuned before the app is loaded and the master's objects frozen before each fork
(``app.process_memory``): a worker's private memory is page cache the mapped portfolio loses.
Settings are validated first (app.config): a typo such as ``APP_ENV=prod`` or a number out of range
stops the start with one ``error:`` line naming the variable, exit code 2.
"""
import logging
import os
import sys

from app.config import SettingsError, env_number, get_settings
from app.process_memory import freeze_before_fork, tune_allocators
from app.security.logs import configure_logging

try:
    settings = get_settings()
    workers = env_number("WEB_CONCURRENCY", 2, low=1, high=64)
    threads = env_number("GUNICORN_THREADS", 4, low=1, high=256)
    timeout = env_number("GUNICORN_TIMEOUT", 60, low=1, high=3600)
except SettingsError as exc:
    print(f"error: {exc}", file=sys.stderr)
    sys.exit(2)  # SystemExit passes through gunicorn's config loader: no traceback

bind = f"0.0.0.0:{settings.port}"
worker_class = "gthread"
preload_app = True
graceful_timeout = 30
keepalive = 5
accesslog = None  # app logs its own structured events; the PaaS router logs requests
errorlog = "-"
# gunicorn's own lines (booting, workers, errors) in the app's format: JSON by default (LOG_FORMAT).
logger_class = "app.security.gunicorn_logging.AppFormatLogger"
# "*": on a PaaS the dyno is reachable only through the router; elsewhere set the proxy address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")

# JSON logs before the app is imported (preload runs before gunicorn's on_starting hook), so
# start-up messages and errors are structured too.
configure_logging(settings.log_format)

tuned = tune_allocators()  # before preload: the model and pages are allocated under these settings
logging.getLogger("app.process_memory").info("memory settings: %s", ", ".join(f"{k}={v}" for k, v in tuned.items()) or "as given")


def pre_fork(server, worker):
    """In the master, just before a worker is forked: freeze what it built (``freeze_before_fork``)."""
    freeze_before_fork()
