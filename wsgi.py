"""WSGI entry point: `flask --app wsgi ...` and `gunicorn wsgi:app`."""

from lrc_training import create_app

app = create_app()
