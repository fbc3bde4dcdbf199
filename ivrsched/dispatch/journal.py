"""The dispatcher's journal: an SQLite file (stdlib ``sqlite3``), readable by any SQLite tool.

Every state change of a dispatcher is one transaction, committed before the change is visible
to the caller: a batch of attempts handed out by one ``due()``, one outcome, one lifecycle
operation. The file is in WAL mode with ``synchronous=FULL``, so a committed transaction
survives a crash of the process and of the machine. Each transaction bumps ``meta.version``;
a dispatcher that finds another version than its own when it starts a change (another process
wrote to the journal, e.g. ``ivrsched pause``) reloads its state first.

The tables are documented in docs/dispatch.md, "Journal".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ivrsched.dispatch.attempt import JournalError

#: The journal layout this code writes and reads.
FORMAT = "1"

SCHEMA = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE operations (
    seq INTEGER PRIMARY KEY,
    op TEXT NOT NULL CHECK (op IN ('pause', 'resume', 'reschedule', 'cancel')),
    at_us INTEGER NOT NULL,
    send_at_us INTEGER
);
CREATE TABLE cursors (
    message INTEGER PRIMARY KEY,
    position INTEGER NOT NULL,
    slot INTEGER NOT NULL
);
CREATE TABLE closures (
    message INTEGER PRIMARY KEY,
    ending TEXT NOT NULL,
    at_us INTEGER NOT NULL
);
CREATE TABLE attempts (
    seq INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    message INTEGER NOT NULL,
    position INTEGER NOT NULL,
    slot INTEGER,
    to_address TEXT NOT NULL,
    message_id TEXT NOT NULL,
    number INTEGER NOT NULL,
    time_us INTEGER NOT NULL,
    first_start_us INTEGER NOT NULL,
    outcome TEXT CHECK (outcome IN ('answered', 'no-answer', 'busy', 'failed')),
    end_us INTEGER,
    answered_at_us INTEGER,
    UNIQUE (message, position, number)
);
CREATE INDEX attempts_open ON attempts (outcome) WHERE outcome IS NULL;
CREATE INDEX attempts_first ON attempts (message, slot) WHERE number = 1;
CREATE TABLE results (
    seq INTEGER PRIMARY KEY,
    message INTEGER NOT NULL,
    position INTEGER NOT NULL,
    status INTEGER NOT NULL,
    ending TEXT NOT NULL,
    at_us INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    first_start_us INTEGER,
    last_key TEXT REFERENCES attempts (key),
    UNIQUE (message, position)
);
CREATE TABLE policy_steps (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('due', 'outcome', 'operation')),
    at_us INTEGER,
    ref TEXT
);
"""


def connect(path: str | Path, *, create: bool) -> sqlite3.Connection:
    """A connection to the journal at ``path`` in autocommit mode (transactions are explicit),
    WAL and ``synchronous=FULL``. ``create``: the file must not hold a journal yet."""
    target = Path(path)
    if not create and not target.exists():
        raise JournalError(f"{path}: no such journal")
    try:
        connection = sqlite3.connect(target, isolation_level=None, timeout=30.0)
        connection.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit is on disk before due() returns, also across a power loss.
        connection.execute("PRAGMA synchronous=FULL")
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error as exc:
        raise JournalError(f"{path}: not an SQLite journal ({exc})") from exc
    if create:
        if tables:
            connection.close()
            raise JournalError(f"{path}: already holds a database; a journal is created in a "
                               "new file")
        connection.executescript(f"BEGIN; {SCHEMA} COMMIT;")
    elif "meta" not in tables:
        connection.close()
        raise JournalError(f"{path}: not a dispatcher journal (no meta table)")
    return connection


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: ``BEGIN IMMEDIATE`` (the write lock is taken at once, so two
    processes never interleave their changes), committed at the end, rolled back on error."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def read_meta(connection: sqlite3.Connection) -> dict[str, str]:
    """Every ``meta`` entry."""
    return dict(connection.execute("SELECT key, value FROM meta").fetchall())


def version(connection: sqlite3.Connection) -> int:
    """The journal's change counter."""
    row = connection.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    return int(row[0]) if row is not None else 0


def bump_version(connection: sqlite3.Connection) -> int:
    """Count one more change; returns the new version."""
    new = version(connection) + 1
    connection.execute("UPDATE meta SET value = ? WHERE key = 'version'", (str(new),))
    return new


__all__ = ["FORMAT", "SCHEMA", "bump_version", "connect", "read_meta", "transaction",
           "version"]
