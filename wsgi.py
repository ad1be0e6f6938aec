"""gunicorn entry point: `gunicorn wsgi:app` (configuration comes from the environment).

Web workers only read the search index: the scheduler process is its single writer, and its
repair job indexes what the web commits (portal.search.jobs).
"""

from portal.app import create_app

app = create_app({"PORTAL_INDEX_WRITER": False})
