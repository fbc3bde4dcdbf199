"""The public surface: the curated names of ivrsched and of each subpackage, a lazy import."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import ivrsched

ROOT = Path(__file__).resolve().parent.parent
SUBPACKAGES = ("rules", "request", "planning", "simulation", "oracle", "forecasting", "io",
               "dispatch", "policy", "sandbox", "cli")

#: The curated API. A change here is a change of the public API: on purpose, or not at all.
PUBLIC = {
    "Calendar", "CallingPolicy", "Clock", "ContentType", "DeliveryTimeWindow", "Destination",
    "DestinationFile", "parse_policy",
    "DestinationFileError", "DestinationSchedule", "Dialect", "Forecast", "Group", "IdSource",
    "InputFileError", "IvrschedError", "Message", "MessagePlan", "Notice", "OutcomeSource",
    "Plan", "PlanRangeError", "Problem", "Request", "RequestError", "RequestShape", "Retry",
    "SeededIds", "SendingSpeed", "Simulation", "Status", "StreamSummary", "StreamingPlan",
    "TimeUnit", "Violation", "WindowCalendar", "__version__", "closed_periods", "forecast",
    "outcomes", "parse_request", "plan", "simulate", "stream_plan", "verify",
}


def test_the_exported_names_are_exactly_the_curated_set() -> None:
    assert set(ivrsched.__all__) == PUBLIC
    assert len(ivrsched.__all__) == len(PUBLIC)
    assert set(dir(ivrsched)) >= PUBLIC


def test_every_exported_name_is_the_object_its_module_defines() -> None:
    from ivrsched.abc import Calendar
    from ivrsched.forecasting.load import forecast
    from ivrsched.planning.planner import plan
    from ivrsched.simulation import outcomes

    assert ivrsched.plan is plan and ivrsched.forecast is forecast
    assert ivrsched.Calendar is Calendar
    assert ivrsched.outcomes is outcomes and isinstance(ivrsched.outcomes, ModuleType)
    for name in PUBLIC - {"__version__"}:
        assert getattr(ivrsched, name) is not None


def test_what_mypy_sees_is_what_runs() -> None:
    # The TYPE_CHECKING imports (for mypy and IDEs) name the same modules as the lazy table.
    tree = ast.parse((ROOT / "ivrsched" / "__init__.py").read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    imports: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "_NAMES" for t in node.targets):
            table = ast.literal_eval(node.value)
        if isinstance(node, ast.ImportFrom) and node.module and node.module != "ivrsched._lazy" \
                and node.module.startswith("ivrsched"):
            for alias in node.names:
                assert alias.asname == alias.name
                module = f"{node.module}.{alias.name}" if alias.name == "outcomes" else node.module
                imports[alias.name] = module
    assert table == imports
    assert set(table) | {"__version__"} == PUBLIC


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        ivrsched.nothing_here  # noqa: B018 - the lookup is the test


def _modules_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, cwd=ROOT, timeout=120)
    return set(result.stdout.split())


def test_import_ivrsched_imports_nothing_heavy() -> None:
    loaded = _modules_after("import ivrsched")
    assert "ivrsched" in loaded
    for heavy in ("numpy", "matplotlib", "hypothesis", "ivrsched.simulation.engine",
                  "ivrsched.simulation.outcomes", "ivrsched.forecasting.load",
                  "ivrsched.forecasting.plot", "ivrsched.planning.planner",
                  "ivrsched.oracle.conformance"):
        assert heavy not in loaded, heavy
    # One name loads its own module (and what that module needs), not the others.
    loaded = _modules_after("import ivrsched; ivrsched.parse_request")
    assert "ivrsched.request.parsing" in loaded
    assert not {"ivrsched.simulation.engine", "ivrsched.forecasting.load", "numpy"} & loaded


@pytest.mark.parametrize("name", SUBPACKAGES)
def test_a_subpackage_is_a_module_never_a_function(name: str) -> None:
    package = importlib.import_module(f"ivrsched.{name}")
    assert isinstance(package, ModuleType) and package.__name__ == f"ivrsched.{name}"
    assert not callable(getattr(ivrsched, name))
    assert name not in ivrsched.__all__


def _declared(package: str) -> tuple[dict[str, str], dict[str, str]]:
    """The subpackage's name→module table and its TYPE_CHECKING imports, read from its source."""
    tree = ast.parse((ROOT / "ivrsched" / package / "__init__.py").read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    imports: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "_NAMES" for t in node.targets):
            table = ast.literal_eval(node.value)
        if isinstance(node, ast.ImportFrom) and node.module and \
                node.module.startswith("ivrsched.") and node.module != "ivrsched._lazy":
            for alias in node.names:
                assert alias.asname == alias.name  # explicit re-export, for mypy
                imports[alias.name] = node.module
    return table, imports


@pytest.mark.parametrize("name", [p for p in SUBPACKAGES if p != "cli"])
def test_each_subpackage_lists_its_public_names_and_where_they_live(name: str) -> None:
    package = importlib.import_module(f"ivrsched.{name}")
    table, imports = _declared(name)
    assert table == imports  # what mypy sees is what runs
    assert sorted(package.__all__) == sorted(table) and table
    for public, module_name in table.items():
        module = importlib.import_module(module_name)
        assert getattr(package, public) is getattr(module, public), public
        declared = getattr(module, "__all__", None)
        if declared is not None:
            assert public in declared, f"{module_name}.__all__ lacks {public}"
    assert set(table) <= set(dir(package))


def test_the_cli_package_exports_nothing() -> None:
    import ivrsched.cli

    assert ivrsched.cli.__all__ == []


def test_a_subpackage_imports_its_modules_only_on_use() -> None:
    loaded = _modules_after("import ivrsched.simulation, ivrsched.forecasting, ivrsched.io")
    assert not {"ivrsched.simulation.engine", "ivrsched.forecasting.load",
                "ivrsched.io.plan_formats", "numpy"} & loaded
    loaded = _modules_after("from ivrsched.simulation import simulate")
    assert "ivrsched.simulation.engine" in loaded and "ivrsched.forecasting.load" not in loaded


def test_the_interfaces_live_in_abc_and_stay_where_they_were_used() -> None:
    from ivrsched import abc, ids
    from ivrsched.planning import planner
    from ivrsched.rules import open_time
    from ivrsched.simulation import outcomes

    assert abc.__all__ == ["Calendar", "Clock", "IdSource", "OutcomeSource"]
    assert open_time.Calendar is abc.Calendar
    assert ids.IdSource is abc.IdSource
    assert outcomes.OutcomeSource is abc.OutcomeSource
    assert planner.Clock is abc.Clock
    # The implementations satisfy them structurally (a Protocol needs no base class).
    calendar: abc.Calendar = open_time.AlwaysOpen()
    source: abc.IdSource = ids.SeededIds(1)
    assert calendar.next_open(5) == 5 and len(source.bulk_id()) == 36


def _index_tables() -> tuple[str, str]:
    text = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    modules = text.split("## Modules", 1)[1]
    layout, rules = modules.split("Each rule of the contract has one module", 1)
    return layout, rules


def test_every_module_of_the_library_is_in_the_documented_layout() -> None:
    import re

    layout, _ = _index_tables()
    documented = set(re.findall(r"`((?:ivrsched\.)?[a-z_]+(?:\.[a-z_]+)?)`", layout))
    skipped = {"__init__", "__main__", "_lazy", "testing"}
    for path in sorted((ROOT / "ivrsched").rglob("*.py")):
        relative = path.relative_to(ROOT / "ivrsched").with_suffix("")
        if relative.name in skipped or relative.parts[0] == "cli":
            continue
        dotted = ".".join(relative.parts)
        assert dotted in documented or f"ivrsched.{dotted}" in documented, \
            f"{dotted} is not in the module table of docs/index.md"


def test_each_rule_names_one_existing_module_that_cites_it() -> None:
    import re

    _, rules = _index_tables()
    rows = dict(re.findall(r"^\| (S\d+) [^|]*\| `([a-z_.]+)`", rules, flags=re.MULTILINE))
    assert [f"S{n}" for n in range(1, 13)] == [r for r in rows if int(r[1:]) <= 12]
    for rule, module in rows.items():
        name = module if module.startswith("ivrsched") else f"ivrsched.{module}"
        source = Path(importlib.import_module(name).__file__ or "").read_text(encoding="utf-8")
        # The module says which rule it implements (S2 as "S2", or inside a range "S2–S5").
        cited = {int(n) for n in re.findall(r"\bS(\d+)\b", source)} | {
            n for a, b in re.findall(r"\bS(\d+)[–-]S(\d+)\b", source)
            for n in range(int(a), int(b) + 1)}
        assert int(rule[1:]) in cited, (rule, module)
