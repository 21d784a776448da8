"""WSGI entry point for gunicorn (``gunicorn app.wsgi:server``): one Dash app per process."""
from app.shell import create_app

app = create_app()
server = app.server
