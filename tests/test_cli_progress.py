"""Progress on standard error: a bar on a terminal, nothing in a pipe or under -q."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from ivrsched.cli.progress import count_lines, interactive, with_progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_lines_are_counted_with_or_without_a_last_line_ending(tmp_path: Path) -> None:
    cases = {"": 0, "a": 1, "a\n": 1, "a\nb": 2, "a\nb\n": 2, "\n\n": 2}
    for number, (text, expected) in enumerate(cases.items()):
        path = tmp_path / f"f{number}.txt"
        path.write_bytes(text.encode())
        assert count_lines(path) == expected, text
    big = tmp_path / "big.txt"
    big.write_bytes(b"41793026700\n" * 300_000)  # more than one 1 MiB block
    assert count_lines(big) == 300_000


def test_in_a_pipe_the_items_pass_through_with_nothing_printed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)
    assert not interactive()
    assert list(with_progress(range(5), total=5, description="x")) == [0, 1, 2, 3, 4]
    assert pipe.getvalue() == ""


def test_on_a_terminal_a_bar_shows_the_count_and_total(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setenv("TERM", "xterm")
    assert interactive()
    assert list(with_progress(range(1000), total=1000, description="numbers.txt")) == list(
        range(1000))
    shown = terminal.getvalue()
    # The bar names the work and its total (it is cleared when done: leave=False).
    assert "numbers.txt" in shown and "/1.00k" in shown and shown.endswith("\r")


def test_a_dumb_terminal_gets_no_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", _Terminal())
    monkeypatch.setenv("TERM", "dumb")
    assert not interactive()
