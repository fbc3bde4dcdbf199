"""The "Journal" section of docs/dispatch.md names exactly the tables, columns, column types,
indexes and meta keys of a journal the dispatcher writes, so that the page cannot drift from
the code (read back from ``sqlite_master`` and ``PRAGMA table_info``, not from the schema
text)."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from ivrsched.dispatch import Dispatcher

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2030, 1, 7, 9, 0, tzinfo=timezone.utc)


def journal_section() -> str:
    text = (ROOT / "docs" / "dispatch.md").read_text(encoding="utf-8")
    return text.split("\n## Journal\n", 1)[1].split("\n## ", 1)[0]


def documented() -> dict[str, list[tuple[str, str]]]:
    """Table name -> [(first cell, second cell)] of the table under its ``### `name``` heading."""
    tables: dict[str, list[tuple[str, str]]] = {}
    for part in re.split(r"\n### ", journal_section())[1:]:
        heading, body = part.split("\n", 1)
        name = re.fullmatch(r"`(\w+)`", heading.strip())
        if name is None:
            continue
        rows = []
        for line in body.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if line.startswith("| `") and len(cells) >= 2:
                rows.append((cells[0].strip("`"), cells[1]))
        tables[name.group(1)] = rows
    return tables


def a_journal(tmp_path: Path, policy: dict[str, object] | None = None) -> sqlite3.Connection:
    request = {"messages": [{"scenarioId": "S", "destinations": [{"to": "41793026700"}]}]}
    Dispatcher.create(tmp_path / "j.db", request, now=T0, policy=policy).close()
    return sqlite3.connect(tmp_path / "j.db")


def test_the_documented_tables_are_the_journal_tables(tmp_path: Path) -> None:
    db = a_journal(tmp_path)
    real = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert real == {"meta", "operations", "cursors", "closures", "attempts", "results",
                    "policy_steps"}
    assert set(documented()) == real


def test_the_documented_columns_and_types_are_the_real_ones_in_order(tmp_path: Path) -> None:
    db = a_journal(tmp_path)
    docs = documented()
    for table in docs:
        if table == "meta":
            continue
        real = [(row[1], row[2]) for row in db.execute(f"PRAGMA table_info({table})")]
        assert docs[table] == real, table


def test_the_documented_meta_keys_are_those_written(tmp_path: Path) -> None:
    db = a_journal(tmp_path)
    columns = [(row[1], row[2]) for row in db.execute("PRAGMA table_info(meta)")]
    assert columns == [("key", "TEXT"), ("value", "TEXT")]
    assert "`key TEXT PRIMARY KEY`, `value TEXT`" in journal_section()
    keys = {row[0] for row in db.execute("SELECT key FROM meta")}
    # "policy" is written only for a campaign under a calling policy.
    assert {key for key, _ in documented()["meta"]} == keys | {"policy"}
    assert "policy" not in keys


def test_a_journal_under_a_policy_has_the_policy_key(tmp_path: Path) -> None:
    db = a_journal(tmp_path, policy={"frequencyCap": {"maxAttempts": 2, "periodMinutes": 60}})
    keys = {row[0] for row in db.execute("SELECT key FROM meta")}
    assert {key for key, _ in documented()["meta"]} == keys


def test_the_documented_indexes_and_modes_are_the_real_ones(tmp_path: Path) -> None:
    db = a_journal(tmp_path)
    indexes = {row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    assert indexes == {"attempts_open", "attempts_first"}
    section = journal_section()
    for name in indexes:
        assert f"`{name}`" in section
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert "WAL" in section and "microseconds" in section
    # Instants are integers: every *_us column is INTEGER.
    for table, rows in documented().items():
        for column, kind in rows:
            if column.endswith("_us") and table != "meta":
                assert kind == "INTEGER", (table, column)
