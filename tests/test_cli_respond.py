"""``ivrsched respond``: output, exit codes, stdin, errors without tracebacks."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ivrsched.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = ROOT / "examples" / "seed-request.json"
NOW = "2016-07-01T12:00:00+00:00"
M = "/messages/0"

ACCEPTED = {"groupId": 1, "groupName": "PENDING", "id": 26, "name": "PENDING_ACCEPTED",
            "description": "Message accepted, pending for delivery."}


def seed() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    return data


def write(tmp_path: Path, data: Any, name: str = "request.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def test_respond_on_the_seed_example(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["respond", str(SEED_FILE), "--now", NOW, "--seed", "5"])
    out, err = capsys.readouterr()
    assert code == 0
    document = json.loads(out)
    assert document["bulkId"] == "BULK-ID-123-xyz"
    assert [m["to"] for m in document["messages"]] == ["41793026727", "41793026731"]
    assert [m["status"] for m in document["messages"]] == [ACCEPTED, ACCEPTED]
    assert out.startswith("{\n  \"bulkId\"")          # indented
    # Notices go to stderr, not into the document.
    assert "/messages/0/retry/maxCount" in err
    assert "/messages/0/notifyUrl" in err


def test_seed_makes_output_reproducible(capsys: pytest.CaptureFixture[str]) -> None:
    outputs = []
    for seed in ("5", "5", "6"):
        assert main(["respond", str(SEED_FILE), "--now", NOW, "--seed", seed]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    assert outputs[0] != outputs[2]


def test_subprocess_matches_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["respond", str(SEED_FILE), "--now", NOW, "--seed", "9"]
    assert main(args) == 0
    in_process = capsys.readouterr().out
    result = subprocess.run([sys.executable, "-m", "ivrsched", *args], capture_output=True,
                            text=True, check=False, cwd=ROOT)
    assert result.returncode == 0
    assert result.stdout == in_process
    assert "Traceback" not in result.stderr


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(SEED_FILE.read_text(encoding="utf-8")))
    assert main(["respond", "-", "--now", NOW, "--seed", "5"]) == 0
    from_stdin = capsys.readouterr().out
    assert main(["respond", str(SEED_FILE), "--now", NOW, "--seed", "5"]) == 0
    assert capsys.readouterr().out == from_stdin


def test_invalid_request_lists_each_problem(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    data = seed()
    data["messages"][0]["from"] = "12"
    data["messages"][0]["sendAt"] = "yesterday"
    data["messages"][0]["retry"]["minPeriod"] = 0
    code = main(["respond", write(tmp_path, data), "--now", NOW])
    out, err = capsys.readouterr()
    assert code == 3
    assert out == ""
    lines = err.splitlines()
    assert sorted(line.split(": ", 1)[0] for line in lines) == [
        f"{M}/from", f"{M}/retry/minPeriod", f"{M}/sendAt"]
    assert all(line.split(": ", 1)[1] for line in lines)


def test_strict_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = seed()
    data["messages"][0]["destinations"][1]["to"] = "abc"
    path = write(tmp_path, data)
    assert main(["respond", path, "--now", NOW, "--seed", "1"]) == 0
    statuses = [m["status"]["id"] for m in json.loads(capsys.readouterr().out)["messages"]]
    assert statuses == [26, 52]
    assert main(["respond", path, "--now", NOW, "--strict"]) == 3
    assert capsys.readouterr().err.splitlines()[0].startswith(f"{M}/destinations/1/to: ")


def test_root_problem_reads_as_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["respond", write(tmp_path, "[1, 2]"), "--now", NOW]) == 3
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("(root): ")


def test_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.json"
    assert main(["respond", str(missing), "--now", NOW]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1
    assert "nope.json" in err


BAD_REQUESTS = {
    "array": "[]",
    "short-from": json.dumps({"messages": [{"scenarioId": "S", "from": "12",
                                            "destinations": [{"to": "41793026727"}]}]}),
    "no-offset": json.dumps({"scenarioId": "S", "to": ["41793026727"],
                             "sendAt": "2016-07-07T17:00:00"}),
    "bad-json": "{\"messages\": [",
    "deep": "[" * 50_000,
    "huge-int": "{\"scenarioId\": \"S\", \"to\": [\"41793026727\"], \"pause\": " + "9" * 5000 + "}",
    "bad-window": json.dumps({"scenarioId": "S", "to": ["41793026727"],
                              "deliveryTimeWindow": {"days": ["X"], "timeZone": "\ud800"}}),
}


@pytest.mark.parametrize("name", sorted(BAD_REQUESTS))
def test_bad_requests_exit_3_without_traceback(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, BAD_REQUESTS[name])
    result = subprocess.run([sys.executable, "-m", "ivrsched", "respond", path, "--now", NOW],
                            capture_output=True, text=True, check=False, cwd=ROOT)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert result.stderr.strip()


def respond_stdin(data: bytes, encoding: str) -> subprocess.CompletedProcess[bytes]:
    """``respond -`` in a subprocess whose standard streams use ``encoding``."""
    import os

    env = {**os.environ, "PYTHONIOENCODING": encoding}
    return subprocess.run([sys.executable, "-m", "ivrsched", "respond", "-", "--now", NOW],
                          input=data, capture_output=True, check=False, cwd=ROOT, env=env)


def test_stdin_that_is_not_utf8_exits_3_whatever_the_locale() -> None:
    data = b'{"scenarioId": "\xff", "to": ["41793026727"]}'
    for encoding in ("utf-8:strict", "utf-8:surrogateescape"):
        result = respond_stdin(data, encoding)
        err = result.stderr.decode("utf-8")
        assert result.returncode == 3, err
        assert "Traceback" not in err
        assert err == "ivrsched: standard input is not UTF-8 text\n"


def test_stdin_is_read_as_utf8_whatever_the_locale() -> None:
    # 200 × "é" is 200 characters (the callbackData limit) but 400 bytes: read through a
    # latin-1 text layer it would be 400 characters, and refused.
    request = {"scenarioId": "S", "to": ["41793026727"], "callbackData": "é" * 200}
    result = respond_stdin(json.dumps(request, ensure_ascii=False).encode("utf-8"), "latin-1")
    assert result.returncode == 0, result.stderr.decode("utf-8")


def test_help_lists_every_subcommand_and_the_exit_codes_of_the_readme() -> None:
    # Issue 2: `ivrsched --help` lists the subcommands and documents the exit codes, and the
    # README's table gives the same codes (the wording may differ, the codes may not).
    result = subprocess.run([sys.executable, "-m", "ivrsched", "--help"], capture_output=True,
                            text=True, check=False, cwd=ROOT)
    assert result.returncode == 0 and result.stderr == ""
    commands = ["plan", "explain", "respond", "simulate", "verify", "vectors", "forecast", "plot",
                "run", "pause", "resume", "cancel", "reschedule", "status", "log", "serve"]
    # A command's line is indented by four spaces; a help text that wraps continues deeper.
    listed = [line.split()[0] for line in result.stdout.split("positional arguments:")[1]
              .split("options:")[0].splitlines()[2:]
              if line.startswith("    ") and not line.startswith("     ")]
    assert listed == commands
    help_codes = [line.split()[0] for line in result.stdout.split("exit codes:")[1].splitlines()
                  if line.strip()]
    assert help_codes == ["0", "1", "2", "3", "4", "5", "6", "130"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8").split("### Exit codes")[1]
    readme_codes = [line.split("|")[1].strip() for line in readme.splitlines()
                    if line.startswith("| ") and line.split("|")[1].strip().isdigit()]
    assert readme_codes == help_codes


def test_version_names_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    import ivrsched

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"ivrsched {ivrsched.__version__}\n"
    from importlib.metadata import version

    assert ivrsched.__version__ == version("ivrsched")  # one source: hatch reads __init__.py
