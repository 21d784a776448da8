"""gunicorn's own log lines (start-up, workers booted or killed, errors) in the app's format.

gunicorn formats ``gunicorn.error`` / ``gunicorn.access`` with its own plain-text formatter; the
``logger_class`` of ``gunicorn.conf.py`` keeps gunicorn's handlers (``errorlog``, ``accesslog``,
reopen on USR1) and gives them the app's formatter: JSON lines by default, the app's text format
with ``LOG_FORMAT=text``. One log drain then parses every line of the dyno.
"""
from __future__ import annotations

from gunicorn.glogging import Logger

from app.config import get_settings
from app.security.logs import formatter_for


class AppFormatLogger(Logger):
    """gunicorn's logger with the formatter of ``LOG_FORMAT`` (see :func:`formatter_for`)."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        formatter = formatter_for(get_settings().log_format)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(formatter)
