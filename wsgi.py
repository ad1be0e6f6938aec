"""gunicorn entry point: `gunicorn wsgi:app` (configuration comes from the environment)."""

from portal import create_app

app = create_app()
