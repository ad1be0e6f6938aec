"""A scheduler process for the lease tests: its own app and engine, one job on the parent's word.

Usage: python scheduler_process.py DATABASE_URL INSTANCE_DIR SOURCE_ID HOLDER. Prints "ready"
once the app is built, waits for a line on stdin, runs the job and prints "ran" or "skipped".
"""

import sys

from portal.app import create_app
from scrapers.scheduler import run_scheduled_source


def main(database_url: str, instance: str, source_id: str, holder: str) -> None:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PORTAL_INDEX_DIR": f"{instance}/index",
            "PORTAL_OUTBOX_DIR": f"{instance}/outbox",
            "PORTAL_FETCH_MIN_INTERVAL": 0,
        }
    )
    print("ready", flush=True)
    sys.stdin.readline()
    ran = run_scheduled_source(app, int(source_id), holder)
    print("ran" if ran else "skipped", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
