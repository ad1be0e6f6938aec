"""Full-text search over opportunities and plan lines: a Whoosh index derived from the database.

Who writes: with PORTAL_INDEX_WRITER true (the default; right for the CLI, the scheduler, the
demo and tests) a process indexes its own commits after they succeed. Web workers (`wsgi.py`)
never write: they only read, reopening the searcher when a writer committed a new generation,
and the scheduler's repair job (portal.search.jobs) picks up the few edits made through the web.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_search(app: "Flask") -> None:
    from portal.search.hooks import listen

    app.config.setdefault("PORTAL_INDEX_WRITER", True)
    listen()
