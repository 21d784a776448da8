"""WSGI entry point for gunicorn (``gunicorn app.wsgi:server``): one Dash app per process.

Production refuses to start without SECRET_KEY: the ConfigurationError names what to set.
"""
from app.shell import create_app

app = create_app(warm_up=True)
server = app.server
