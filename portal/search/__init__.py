"""Full-text search over opportunities and plan lines: a Whoosh index derived from the database.

Who writes: with PORTAL_INDEX_WRITER true (the default; right for the CLI, the scheduler, the
demo and tests) a process indexes its own commits synchronously after they succeed. Web workers
of a production deployment set PORTAL_INDEX_WRITER=false: they only read, reopening the searcher
when a writer committed a new generation, and the scheduler's `portal index repair` picks up
the few edits made through the web.
"""

import os

from flask import Flask


def init_search(app: Flask) -> None:
    from portal.search.hooks import listen

    app.config.setdefault(
        "PORTAL_INDEX_WRITER", os.environ.get("PORTAL_INDEX_WRITER", "true").lower() != "false"
    )
    listen()
