"""A stand-in for one gunicorn worker: the portal served on its own port, in its own process.

Run as `python worker_process.py <port> <json config>`; prints "ready" once it listens.
"""

import json
import sys

from werkzeug.serving import make_server

from portal.app import create_app


def main() -> None:
    port, config = int(sys.argv[1]), json.loads(sys.argv[2])
    server = make_server("127.0.0.1", port, create_app(config), threaded=False)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
