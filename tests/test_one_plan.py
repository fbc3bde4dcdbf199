"""One way to plan a request whatever the source of its destinations (issue 11): a list in the
request, a sequence, a one-shot iterator or a file give the same schedules, generated IDs,
bulkId and notices; the CLI prints the same plan with inline destinations and with the same
numbers from --destinations FILE."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivrsched import plan, simulate
from ivrsched.cli.main import main
from ivrsched.ids import SeededIds
from ivrsched.io.destination_files import DestinationFile, destinations_from_lines
from ivrsched.io.plan_formats import write_csv, write_json, write_jsonl, write_table
from ivrsched.request.parsing import MAX_DESTINATIONS, parse_request
from ivrsched.simulation.outcomes import Random

NOW = "2030-01-01T00:00:00Z"
RETRY = {"minPeriod": 1, "maxPeriod": 5, "maxCount": 2}
MESSAGE: dict[str, Any] = {"scenarioId": "S", "sendingSpeed": {"speed": 3, "timeUnit": "minute"},
                           "retry": RETRY}
NUMBERS = ["41793026700", "41793026701", "not a number", "41793026702", "12", "41793026703"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_inputs(tmp_path: Path, message: dict[str, Any], numbers: list[str]
                 ) -> tuple[str, str]:
    """An inline request listing ``numbers``, and a bare request plus a file of them."""
    inline = tmp_path / "inline.json"
    inline.write_text(json.dumps({"messages": [
        {**message, "destinations": [{"to": n} for n in numbers]}]}), encoding="utf-8")
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps({"messages": [message]}), encoding="utf-8")
    numbers_file = tmp_path / "numbers.txt"
    numbers_file.write_text("".join(n + "\n" for n in numbers), encoding="utf-8")
    return str(inline), str(bare) + "\0" + str(numbers_file)


def without_lines(jsonl: str) -> str:
    """The rows without the ``line`` member, which only a file's destinations have."""
    return re.sub(r', "line": \d+\}', "}", jsonl)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json", "table"])
def test_plan_with_inline_and_file_destinations_prints_the_same_plan(
        fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inline, pair = write_inputs(tmp_path, MESSAGE, NUMBERS)
    bare, numbers = pair.split("\0")
    common = ("--now", NOW, "--seed", "1", "--format", fmt)
    code_a, listed, _ = run(capsys, "plan", inline, *common)
    code_b, filed, err = run(capsys, "plan", bare, "--destinations", numbers, *common)
    assert (code_a, code_b) == (0, 0)
    assert "6 destinations, 4 accepted, 2 rejected" in err
    if fmt == "csv":
        assert filed == listed  # byte for byte
        # header, 4 accepted × 3 attempts, and one row for each of the 2 rejected ones
        assert filed.count("\n") == 1 + 4 * 3 + 2
    elif fmt == "jsonl":
        # Byte for byte, apart from the line number a file's row also carries.
        assert filed != listed and without_lines(filed) == listed
        assert [json.loads(r)["line"] for r in filed.splitlines()] == [1, 2, 3, 4, 5, 6]
    elif fmt == "json":
        document, expected = json.loads(filed), json.loads(listed)
        for message in document["messages"]:
            for row in message["destinations"]:
                del row["line"]
        assert document == expected and document["bulkId"] is not None
    else:
        assert filed == listed
        assert "bulkId" in filed


def test_the_generated_bulk_id_is_the_same_for_a_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Delivery reports of `simulate --destinations` carried bulkId null (issue 11).
    inline, pair = write_inputs(tmp_path, MESSAGE, NUMBERS)
    bare, numbers = pair.split("\0")
    common = ("--now", NOW, "--seed", "7", "--reports-format", "jsonl", "--format", "jsonl")
    assert main(["simulate", inline, *common, "--reports", str(tmp_path / "a")]) == 0
    assert main(["simulate", bare, "--destinations", numbers, *common,
                 "--reports", str(tmp_path / "b")]) == 0
    capsys.readouterr()
    listed = [json.loads(line) for line in
              (tmp_path / "a" / "reports.jsonl").read_text(encoding="utf-8").splitlines()]
    filed = [json.loads(line) for line in
             (tmp_path / "b" / "reports.jsonl").read_text(encoding="utf-8").splitlines()]
    bulk_ids = {r["body"]["results"][0]["bulkId"] for r in listed + filed}
    assert len(bulk_ids) == 1 and None not in bulk_ids
    assert bulk_ids == {SeededIds(7).bulk_id()}
    assert [r["body"] for r in filed] == [r["body"] for r in listed]


@pytest.mark.parametrize("command", ["forecast", "plot", "simulate", "verify", "respond",
                                     "plan", "explain"])
def test_every_command_gives_the_same_notices(
        command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A past sendAt (S2) and an ignored validity (paced): two notices every command tells.
    request = tmp_path / "r.json"
    request.write_text(json.dumps({"messages": [{
        **MESSAGE, "sendAt": "2029-12-01T00:00:00Z", "validityPeriod": 30,
        "destinations": [{"to": n} for n in NUMBERS[:2]]}]}), encoding="utf-8")
    log = tmp_path / "log.jsonl"
    log.write_text("", encoding="utf-8")
    argv = {"forecast": ["forecast", str(request)],
            "plot": ["plot", str(request), "-o", str(tmp_path / "p.svg")],
            "simulate": ["simulate", str(request), "--seed", "1", "--format", "jsonl"],
            "verify": ["verify", str(request), str(log)],
            "respond": ["respond", str(request)],
            "plan": ["plan", str(request), "--format", "jsonl"],
            "explain": ["explain", str(request)]}[command]
    code, out, err = run(capsys, *argv, "--now", NOW)
    assert code == 0, err
    told = out if command == "explain" else err
    assert "sendAt is in the past" in told
    assert "validityPeriod is ignored" in told


@pytest.mark.parametrize("command", ["forecast", "plot"])
def test_forecast_and_plot_take_a_seed(command: str, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    inline, _ = write_inputs(tmp_path, MESSAGE, NUMBERS)
    extra = ["--format", "json"] if command == "forecast" else ["-o", str(tmp_path / "p.svg")]
    code, out, err = run(capsys, command, inline, "--now", NOW, "--seed", "3", *extra)
    assert code == 0, err
    if command == "forecast":
        assert json.loads(out)["bulkId"] == SeededIds(3).bulk_id()


# -- the library: one function, every source --------------------------------------------------

def sources(numbers: list[str], path: Path) -> dict[str, Any]:
    path.write_text("".join(n + "\n" for n in numbers), encoding="utf-8")
    listed = list(destinations_from_lines(numbers))
    return {"list": listed, "iterator": iter(list(destinations_from_lines(numbers))),
            "generator": (d for d in destinations_from_lines(numbers)),
            "file": DestinationFile.open(path)}


def text_of(writer: Any, the_plan: Any) -> str:
    out = io.StringIO()
    writer(the_plan, out)
    return out.getvalue()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from([*NUMBERS, "41793026799", "+41793026798"]), max_size=12),
       st.sampled_from(["list", "iterator", "generator", "file"]))
def test_every_source_plans_like_the_request_listing_the_same_destinations(
        numbers: list[str], kind: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        source = sources(numbers, Path(directory) / "n.txt")[kind]
        listed = plan({"messages": [{**MESSAGE, "destinations": [{"to": n} for n in numbers]}]}
                      if numbers else {"messages": [MESSAGE]},
                      now=parse_now_dt(), ids=SeededIds(5),
                      **({} if numbers else {"destinations": []}))
        streamed = plan(parse_request({"messages": [MESSAGE]}, destinations_required=False),
                        source, now=parse_now_dt(), ids=SeededIds(5))
        assert streamed.bulk_id == listed.bulk_id
        assert streamed.notices == listed.notices
        assert without_lines(text_of(write_jsonl, streamed)) == text_of(write_jsonl, listed)
        if kind != "generator":  # a generator is read once (or held when counted first)
            assert text_of(write_csv, streamed) == text_of(write_csv, listed)
            assert len(streamed) == len(listed) == len(numbers)
            simulated = [r.record() for r in simulate(streamed, Random(seed=2)).events()]
            assert simulated == [r.record() for r in simulate(listed, Random(seed=2)).events()]


def test_a_counted_generator_is_held_and_read_again() -> None:
    numbers = ["41793026700", "x", "41793026701"]
    streamed = plan(parse_request({"messages": [MESSAGE]}, destinations_required=False),
                    (d for d in destinations_from_lines(numbers)), now=parse_now_dt(),
                    ids=SeededIds(1))
    assert streamed.messages[0].accepted_count == 2  # counts, holding the generator
    assert [s.to for s in streamed] == numbers  # …and it is read again
    assert streamed.bulk_id == SeededIds(1).bulk_id()


def test_the_count_notice_is_written_once_for_lists_and_streams() -> None:
    many = ["41793026700"] * (MAX_DESTINATIONS + 1)
    listed = plan({"messages": [{**MESSAGE, "destinations": [{"to": n} for n in many]}]},
                  now=parse_now_dt(), ids=SeededIds(1))
    streamed = plan(parse_request({"messages": [MESSAGE]}, destinations_required=False),
                    destinations_from_lines(many), now=parse_now_dt(), ids=SeededIds(1))
    expected = [(n.path, n.code, n.message) for n in listed.notices]
    assert [(n.path, n.code, n.message) for n in streamed.notices] == expected
    assert expected == [("/messages/0/destinations", "too-many-destinations",
                         f"{MAX_DESTINATIONS + 1} destinations, more than the platform's limit "
                         f"of {MAX_DESTINATIONS} per request; planned anyway")]


def test_json_and_table_of_a_stream_equal_the_list() -> None:
    numbers = [f"4179302{6700 + i:04d}" for i in range(30)] + ["bad"]
    listed = plan({"messages": [{**MESSAGE, "destinations": [{"to": n} for n in numbers]}]},
                  now=parse_now_dt(), ids=SeededIds(4))
    streamed = plan(parse_request({"messages": [MESSAGE]}, destinations_required=False),
                    list_stream(numbers), now=parse_now_dt(), ids=SeededIds(4))
    assert text_of(write_table, streamed) == text_of(write_table, listed)
    assert "(11 more destinations" in text_of(write_table, listed)
    assert without_lines(text_of(write_json, streamed)) == text_of(write_json, listed)


class list_stream:
    def __init__(self, numbers: list[str]) -> None:
        self.numbers = numbers

    def __iter__(self) -> Any:
        return destinations_from_lines(self.numbers)


def parse_now_dt() -> Any:
    from datetime import datetime, timezone

    return datetime(2030, 1, 1, tzinfo=timezone.utc)


def test_the_dead_code_issue_11_found_is_gone() -> None:
    # The simulation's `_Run.streamed` (the stream special case) and the plot's fallback import
    # of closed_periods: one plan and one time line leave nothing for them to do.
    import ivrsched.cli.simulate_cmd as simulate_cmd
    import ivrsched.forecasting.plot as plot_module

    assert not hasattr(simulate_cmd, "_Run")
    assert not hasattr(plot_module, "_closed_periods_function")
    assert "importlib" not in Path(plot_module.__file__).read_text(encoding="utf-8")
