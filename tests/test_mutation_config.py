"""The mutation-testing configuration stays consistent: the map of each mutated module's tests
(pyproject.toml) names test files that exist and that mutmut's first pass runs, and the list of
equivalent survivors (tests/mutation_equivalents.toml) names mapped modules, each mutant once,
each group with a reason; under mutmut, a property's own larger example count is lowered to the
mutation profile's."""

from __future__ import annotations

import fnmatch
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _pyproject() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


def _module_path(module: str) -> str:
    return module.replace(".", "/") + ".py"


def test_every_mapped_module_is_mutated_and_its_tests_are_run_by_the_first_pass() -> None:
    tool = _pyproject()["tool"]
    selection = set(tool["mutmut"]["pytest_add_cli_args_test_selection"])
    patterns = tool["mutmut"]["only_mutate"]
    mapped = tool["ivrsched"]["mutation_tests"]
    assert mapped, "no module is mapped to its tests"
    for module, files in mapped.items():
        assert (ROOT / _module_path(module)).is_file(), module
        assert any(fnmatch.fnmatch(_module_path(module), p) for p in patterns), module
        for name in files:
            assert (ROOT / name).is_file(), name
            assert name in selection, f"{name} ({module}) is not in mutmut's first pass"


def test_every_mutated_rule_module_has_tests() -> None:
    tool = _pyproject()["tool"]
    mapped = set(tool["ivrsched"]["mutation_tests"])
    mutated = {p.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
               for pattern in tool["mutmut"]["only_mutate"] for p in ROOT.glob(pattern)
               if p.name != "__init__.py"}
    assert mutated, "only_mutate matches no module"
    assert mutated <= mapped, sorted(mutated - mapped)


def test_every_equivalent_is_listed_once_with_a_reason() -> None:
    with (ROOT / "tests" / "mutation_equivalents.toml").open("rb") as file:
        groups = tomllib.load(file)["equivalent"]
    mapped = set(_pyproject()["tool"]["ivrsched"]["mutation_tests"])
    seen: Counter[tuple[str, str]] = Counter()
    for group in groups:
        assert set(group) == {"module", "mutants", "why"}, group
        assert group["module"] in mapped, group["module"]
        assert group["mutants"], group
        assert len(group["why"].strip()) >= 20, group
        for name in group["mutants"]:
            assert "__mutmut_" in name, name
            seen[(group["module"], name)] += 1
    assert [key for key, n in seen.items() if n > 1] == []


def _properties() -> tuple[Any, Any, list[int]]:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    calls: list[int] = []

    @settings(max_examples=300, deadline=None, database=None)
    @given(st.integers())
    def many(x: int) -> None:
        calls.append(x)

    @settings(max_examples=5, database=None)
    @given(st.integers())
    def few(x: int) -> None:
        calls.append(x)

    return many, few, calls


def test_under_mutation_a_property_asking_for_more_examples_gets_the_profiles(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    import conftest

    many, few, calls = _properties()
    monkeypatch.setattr(conftest, "_CHOSEN", "mutation")
    conftest._cap_for_mutation([SimpleNamespace(obj=many), SimpleNamespace(obj=few),
                                SimpleNamespace(obj=lambda: None)])
    own = many._hypothesis_internal_use_settings
    assert own.max_examples == 25
    assert own.deadline is None  # its other settings are kept
    assert few._hypothesis_internal_use_settings.max_examples == 5
    many()
    assert 0 < len(calls) <= 25


def test_other_profiles_keep_a_propertys_own_count(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    import conftest

    many, _, _ = _properties()
    monkeypatch.setattr(conftest, "_CHOSEN", "ci")
    conftest._cap_for_mutation([SimpleNamespace(obj=many)])
    assert many._hypothesis_internal_use_settings.max_examples == 300
