"""Structured logs: one JSON object per line, for the PaaS log drain.

Security events name the username and, for client files, the client id, and nothing else
personal: no password, no client data, no IP beyond the login-failure counter.
"""
from __future__ import annotations

import datetime as dt
import json
import logging

EVENT_LOGGER = "app.events"


class JsonFormatter(logging.Formatter):
    """Format a record as a single JSON line with UTC time, level, logger, message, and ``event`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def formatter_for(fmt: str) -> logging.Formatter:
    """The app's formatter for ``LOG_FORMAT`` (``json`` or ``text``, validated by app.config)."""
    if fmt not in ("json", "text"):
        raise ValueError(f"unknown log format {fmt!r}: use json or text")
    return JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT)


def configure_logging(fmt: str = "json", level: int = logging.INFO) -> None:
    """Root logging: JSON lines (production default) or plain text (LOG_FORMAT=text)."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter_for(fmt))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def log_event(event: str, level: int = logging.INFO, **fields: object) -> None:
    """Log one security/audit event as structured fields (``event`` plus e.g. username, target)."""
    logging.getLogger(EVENT_LOGGER).log(level, event, extra={"fields": {"event": event, **fields}})
