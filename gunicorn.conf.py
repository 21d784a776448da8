"""gunicorn settings for the PaaS (``Procfile``): everything tunable from the environment.

preload: the Dash app (model, pages, database schema, env admin) is built once in the master and
shared copy-on-write by the workers; threads serve Dash's many small callback requests.
"""
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
preload_app = True
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
accesslog = None  # app logs its own structured events; the PaaS router logs requests
errorlog = "-"
# "*": on a PaaS the dyno is reachable only through the router; elsewhere set the proxy address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")


# JSON logs before the app is imported (preload runs before gunicorn's on_starting hook), so
# start-up messages and errors are structured too.
from app.security.logs import configure_logging  # noqa: E402

configure_logging(os.environ.get("LOG_FORMAT", "json"))
