"""Exceptions and the records they carry (problems and notices)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One fault of a request: where it is (a JSON Pointer), its ``code`` (see docs/request.md)
    and what is wrong, in plain words. The fields are in the order of :class:`Notice`'s."""

    path: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}: {self.message}"


@dataclass(frozen=True)
class Notice:
    """A change the library made to a request (or a fact worth knowing), and why."""

    path: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{display_path(self.path)}: {self.message}"


def display_path(path: str) -> str:
    """Render a JSON Pointer for people: the root pointer (empty string) reads as ``(root)``.

    A member name may hold any character: those that are not printable (a newline, an unpaired
    surrogate, U+2028, ...) are shown as Python escapes, so that each problem stays one line
    and can be written in any encoding. ``Problem.path`` itself keeps the exact pointer.
    """
    if not path:
        return "(root)"
    if path.isprintable():
        return path
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in path)


class IvrschedError(Exception):
    """Base class of every error this library raises on purpose."""


class RequestError(IvrschedError, ValueError):
    """A request that cannot be planned; ``errors`` lists every problem found, not the first."""

    def __init__(self, errors: Iterable[Problem]) -> None:
        self.errors: tuple[Problem, ...] = tuple(errors)
        lines = "\n".join(str(p) for p in self.errors)
        super().__init__(f"{len(self.errors)} problem(s) in the request:\n{lines}")


class PlanRangeError(IvrschedError, OverflowError):
    """A plan would need an instant outside years 1..9999 (SPEC S12)."""
