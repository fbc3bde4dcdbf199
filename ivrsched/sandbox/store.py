"""The sandbox's own SQLite file (``DATA_DIR/sandbox.db``): which bulks it holds, and every
delivery report with whether it was pulled or pushed, so that a restarted sandbox gives out no
report twice.

Each campaign's attempts live in its own dispatcher journal (``DATA_DIR/<n>.db``, see
docs/dispatch.md); this file holds only what the platform adds around them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BulkRecord", "ReportRecord", "SandboxStore"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS bulks (
    bulk_id    TEXT PRIMARY KEY,   -- the bulkId clients use (generated when the request has none)
    dialect    TEXT NOT NULL,      -- ivr, tts-advanced or calls-bulk
    journal    TEXT NOT NULL,      -- the dispatcher's journal, relative to the data directory
    created_us INTEGER NOT NULL    -- submission instant, integer µs
);
CREATE TABLE IF NOT EXISTS reports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    bulk_id      TEXT NOT NULL REFERENCES bulks(bulk_id),
    message_id   TEXT NOT NULL,
    due_us       INTEGER NOT NULL, -- when the destination reached its final status
    result       TEXT NOT NULL,    -- one entry of the report's "results", as JSON
    notify_url   TEXT,             -- where it is pushed (NULL: pull only)
    content_type TEXT NOT NULL,    -- application/json or application/xml
    pulled       INTEGER NOT NULL DEFAULT 0,  -- given out by GET /voice/1/reports
    pushed       INTEGER NOT NULL DEFAULT 0,  -- accepted by the receiver (or given up on)
    tries        INTEGER NOT NULL DEFAULT 0,
    next_try_us  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_push ON reports (pushed, next_try_us);
CREATE INDEX IF NOT EXISTS reports_pull ON reports (pulled, bulk_id, message_id);
"""


@dataclass(frozen=True)
class BulkRecord:
    bulk_id: str
    dialect: str
    journal: str
    created_us: int


@dataclass(frozen=True)
class ReportRecord:
    id: int
    bulk_id: str
    message_id: str
    due_us: int
    result: dict[str, object]
    notify_url: str | None
    content_type: str
    tries: int


class SandboxStore:
    """The sandbox's bookkeeping, one transaction per change (WAL, as the journals)."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(data_dir / "sandbox.db", isolation_level=None,
                                   check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    # -- bulks ------------------------------------------------------------------------------
    def add_bulk(self, record: BulkRecord) -> None:
        with self._db:
            self._db.execute("INSERT INTO bulks VALUES (?, ?, ?, ?)",
                             (record.bulk_id, record.dialect, record.journal,
                              record.created_us))

    def bulks(self) -> list[BulkRecord]:
        rows = self._db.execute("SELECT bulk_id, dialect, journal, created_us FROM bulks "
                                "ORDER BY created_us, bulk_id").fetchall()
        return [BulkRecord(*row) for row in rows]

    def has_bulk(self, bulk_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM bulks WHERE bulk_id = ?",
                                (bulk_id,)).fetchone() is not None

    def bulk_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM bulks").fetchone()[0])

    # -- reports ----------------------------------------------------------------------------
    def add_report(self, bulk_id: str, message_id: str, due_us: int,
                   result: dict[str, object], notify_url: str | None,
                   content_type: str) -> None:
        with self._db:
            self._db.execute(
                "INSERT INTO reports (bulk_id, message_id, due_us, result, notify_url, "
                "content_type, pushed, next_try_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (bulk_id, message_id, due_us, json.dumps(result), notify_url, content_type,
                 0 if notify_url else 1, due_us))

    def reported(self, bulk_id: str) -> set[str]:
        """The messageIds of ``bulk_id`` that already have their report."""
        rows = self._db.execute("SELECT message_id FROM reports WHERE bulk_id = ?", (bulk_id,))
        return {row[0] for row in rows}

    def next_push_us(self) -> int | None:
        row = self._db.execute("SELECT min(next_try_us) FROM reports WHERE pushed = 0")
        value = row.fetchone()[0]
        return None if value is None else int(value)

    def pushes_due(self, now_us: int) -> Iterator[ReportRecord]:
        rows = self._db.execute(
            "SELECT id, bulk_id, message_id, due_us, result, notify_url, content_type, tries "
            "FROM reports WHERE pushed = 0 AND next_try_us <= ? ORDER BY next_try_us, id",
            (now_us,)).fetchall()
        for row in rows:
            yield ReportRecord(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5],
                               row[6], row[7])

    def mark_pushed(self, report_id: int) -> None:
        with self._db:
            self._db.execute("UPDATE reports SET pushed = 1 WHERE id = ?", (report_id,))

    def retry_push(self, report_id: int, next_try_us: int, give_up: bool) -> None:
        with self._db:
            self._db.execute("UPDATE reports SET tries = tries + 1, next_try_us = ?, "
                             "pushed = ? WHERE id = ?",
                             (next_try_us, 1 if give_up else 0, report_id))

    def pull(self, bulk_id: str | None, message_id: str | None, limit: int,
             now_us: int) -> list[dict[str, object]]:
        """Up to ``limit`` reports due by ``now_us`` not given out before, oldest first; each
        is marked as given out in the same transaction, so none is given out twice."""
        clauses, values = ["pulled = 0", "due_us <= ?"], [now_us]
        if bulk_id is not None:
            clauses.append("bulk_id = ?")
            values.append(bulk_id)  # type: ignore[arg-type]
        if message_id is not None:
            clauses.append("message_id = ?")
            values.append(message_id)  # type: ignore[arg-type]
        with self._db:
            rows = self._db.execute(
                f"SELECT id, result FROM reports WHERE {' AND '.join(clauses)} "
                "ORDER BY due_us, id LIMIT ?", (*values, limit)).fetchall()
            self._db.executemany("UPDATE reports SET pulled = 1 WHERE id = ?",
                                 [(row[0],) for row in rows])
        return [json.loads(row[1]) for row in rows]
