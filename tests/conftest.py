"""Shared pytest configuration: Hypothesis profiles, and the test map of mutation testing.

``default`` explores new random examples on every run; ``ci`` (chosen when the CI variable is
set, as ``.ci/run`` runs) uses the same bounded number of examples but derandomised, so that a
CI run is reproducible; ``thorough`` is for a long local run:
``HYPOTHESIS_PROFILE=thorough pytest``; ``nightly`` runs the properties of the parser, the
planner and the simulation engine (marked ``nightly`` here) with 8,000 examples each, over
100,000 in all: ``HYPOTHESIS_PROFILE=nightly pytest -m nightly``; ``mutation`` is what mutmut
runs under (derandomised and small: every mutant reruns the properties). See
docs/development.md.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, is_hypothesis_test, settings

settings.register_profile("default", max_examples=100, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=100, derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("nightly", max_examples=8_000, deadline=None,
                          suppress_health_check=list(HealthCheck))
settings.register_profile("mutation", max_examples=25, derandomize=True, deadline=None,
                          database=None, suppress_health_check=[HealthCheck.too_slow])
#: mutmut names the mutant under test in this variable (and "stats" while it maps tests).
_MUTANT = os.environ.get("MUTANT_UNDER_TEST")
_CHOSEN = os.environ.get("HYPOTHESIS_PROFILE", "mutation" if _MUTANT is not None
                         else "ci" if os.environ.get("CI") else "default")
settings.load_profile(_CHOSEN)
_ROOT = Path(__file__).resolve().parent.parent
#: The property tests of the parser, the planner and the simulation engine: the nightly run.
NIGHTLY_FILES = ("tests/test_parsing.py", "tests/test_plan_properties.py",
                 "tests/test_simulation.py")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "nightly: a property of the nightly run "
                            "(HYPOTHESIS_PROFILE=nightly pytest -m nightly)")


def _relative(item: pytest.Item) -> str:
    return item.path.resolve().relative_to(_ROOT).as_posix()


def _mark_nightly(items: list[pytest.Item]) -> None:
    """Mark the Hypothesis tests of :data:`NIGHTLY_FILES`; under the nightly profile, also
    raise a test's own smaller ``max_examples`` to the profile's."""
    nightly = settings.get_profile("nightly").max_examples
    for item in items:
        test = getattr(item, "obj", None)
        if _relative(item) not in NIGHTLY_FILES or not is_hypothesis_test(test):
            continue
        item.add_marker(pytest.mark.nightly)
        if _CHOSEN == "nightly" and _own_examples(test) < nightly:
            _set_examples(test, nightly, suppress_health_check=list(HealthCheck))


def _cap_for_mutation(items: list[pytest.Item]) -> None:
    """Under the mutation profile, lower a Hypothesis test's own larger ``max_examples`` to the
    profile's: a surviving mutant runs every one of its tests, and a few properties that ask for
    hundreds of examples would otherwise be most of the verifier's survivors' time."""
    if _CHOSEN != "mutation":
        return
    most = settings.get_profile("mutation").max_examples
    for item in items:
        test = getattr(item, "obj", None)
        if is_hypothesis_test(test) and _own_examples(test) > most:
            _set_examples(test, most)


def _own_examples(test: Any) -> int:
    count: int = test._hypothesis_internal_use_settings.max_examples
    return count


def _set_examples(test: Any, count: int, **more: Any) -> None:
    """Give a Hypothesis test ``count`` examples, keeping its other settings."""
    test._hypothesis_internal_use_settings = settings(
        test._hypothesis_internal_use_settings, max_examples=count, **more)


@functools.cache
def _mutation_map() -> dict[str, list[str]]:
    with (_ROOT / "pyproject.toml").open("rb") as file:
        table: dict[str, list[str]] = tomllib.load(file)["tool"]["ivrsched"]["mutation_tests"]
    return table


def _mutation_tests(mutant: str) -> list[str] | None:
    """The test files pyproject.toml's ``[tool.ivrsched.mutation_tests]`` gives the module of
    ``mutant`` (a mutant, ``ivrsched.rules.pacing.xǁPaceǁoffset__mutmut_3``, or a function as
    mutmut's first pass names it, ``ivrsched.rules.pacing.xǁPaceǁoffset``); None when it names
    nothing of a mapped module (mutmut's own runs: ``stats``, ``fail``)."""
    for module, files in _mutation_map().items():
        if mutant.startswith(module + "."):
            return list(files)
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the nightly properties; under mutmut, cap the properties' examples and keep only
    the tests that pyproject.toml maps to the mutant's module."""
    _mark_nightly(items)
    _cap_for_mutation(items)
    mutant = os.environ.get("MUTANT_UNDER_TEST")
    files = _mutation_tests(mutant) if mutant else None
    if files is None:
        return
    keep, drop = [], []
    for item in items:
        (keep if _relative(item) in files else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
    # mutmut stops at the first failing test: the quickest first, so a caught mutant costs
    # little (mutmut gives the tests in no particular order).
    items[:] = sorted(keep, key=lambda item: _DURATIONS.get(item.nodeid, 0.0))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """In mutmut's first pass, forget the calls a test made into modules it is not mapped to,
    before mutmut files them under the test: a mutant is then given only its module's tests,
    and its time limit (a multiple of their measured time) is theirs, not that of every test
    that happens to reach the module. (mutmut 3.8 gathers a test's calls in
    ``state()._stats`` and files them at teardown; the ``mutation`` extra pins that version.)"""
    if _MUTANT != "stats":
        return
    from mutmut.state import state

    relative = _relative(item)
    hits = state()._stats
    for name in list(hits):
        files = _mutation_tests(name)
        if files is not None and relative not in files:
            hits.discard(name)


def _test_durations() -> dict[str, float]:
    """Each test's duration in mutmut's first pass (its ``mutmut-stats.json``, beside the
    mutated copy's tests), or nothing before that pass has written it."""
    try:
        with (_ROOT / "mutmut-stats.json").open("rb") as file:
            durations: dict[str, float] = json.load(file)["duration_by_test"]
    except (OSError, ValueError, KeyError):
        return {}
    return durations


#: Read once, when mutmut's process imports this file: every mutant's process, forked from it,
#: inherits it.
_DURATIONS = _test_durations()


@pytest.fixture(autouse=True, scope="session")
def _fresh_rule_caches() -> None:
    """Under mutmut, empty the rule modules' memo caches before a mutant's tests: mutmut forks
    each mutant from a process that ran the unmutated code, and a cached answer from it would
    hide a mutant of the cached function."""
    if os.environ.get("MUTANT_UNDER_TEST") is None:
        return
    import sys

    for name, module in list(sys.modules.items()):
        if name.startswith(("ivrsched.rules", "ivrsched.oracle")):
            for value in list(vars(module).values()):
                clear = getattr(value, "cache_clear", None)
                if callable(clear) and getattr(value, "__module__", None) == name:
                    clear()


@pytest.fixture(scope="module")
def new_journal() -> Iterator[Callable[[], Path]]:
    """A function giving a new journal path at each call, all in one temporary directory for
    the module (a Hypothesis test runs many examples in one call of a fixture, so each example
    asks for its own path)."""
    numbers = itertools.count()
    with tempfile.TemporaryDirectory() as directory:
        yield lambda: Path(directory) / f"journal-{next(numbers)}.db"
