"""A sender process of its own, as `portal alerts send` runs one: passes until nothing is due.

Run as `python sender_process.py <json config> <sender name> <limit> <minutes ahead>`; prints
"ready", waits for a line on stdin, then sends and prints the messages it sent. "Minutes ahead"
moves its clock on, so a sender started after one was killed finds that one's lease run out.
"""

import json
import sys
from datetime import timedelta

from notifications.sending import send_due
from portal.app import create_app
from portal.db import db, utcnow


def main() -> None:
    config, sender_name = json.loads(sys.argv[1]), sys.argv[2]
    limit, ahead = int(sys.argv[3]), timedelta(minutes=float(sys.argv[4]))
    app = create_app(config)
    with app.app_context():
        print("ready", flush=True)
        sys.stdin.readline()
        messages = 0
        while True:
            now = utcnow() + ahead
            tally = send_due(db.session, now, digest=False, sender_name=sender_name, limit=limit)
            messages += tally.messages
            if tally.claimed == 0:
                break
    print(messages, flush=True)


if __name__ == "__main__":
    main()
