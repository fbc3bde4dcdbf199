"""Readers and writers at the edge: input files read one way (text_files: destination files,
attempt logs, outcome files) and plan output formats.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivrsched._lazy import lazy_names

if TYPE_CHECKING:
    from ivrsched.io.arrow_export import plan_table as plan_table
    from ivrsched.io.arrow_export import write_parquet as write_parquet
    from ivrsched.io.atomic import atomic_text_file as atomic_text_file
    from ivrsched.io.chunked import write_csv_chunked as write_csv_chunked
    from ivrsched.io.chunked import write_jsonl_chunked as write_jsonl_chunked
    from ivrsched.io.destination_files import DestinationFile as DestinationFile
    from ivrsched.io.destination_files import DestinationFileError as DestinationFileError
    from ivrsched.io.destination_files import HeldDestinations as HeldDestinations
    from ivrsched.io.destination_files import with_destinations as with_destinations
    from ivrsched.io.logs import LogError as LogError
    from ivrsched.io.logs import LogRow as LogRow
    from ivrsched.io.logs import read_log as read_log
    from ivrsched.io.outcome_files import OutcomeFileError as OutcomeFileError
    from ivrsched.io.outcome_files import load_outcomes as load_outcomes
    from ivrsched.io.plan_formats import FORMATS as FORMATS
    from ivrsched.io.plan_formats import write_csv as write_csv
    from ivrsched.io.plan_formats import write_json as write_json
    from ivrsched.io.plan_formats import write_jsonl as write_jsonl
    from ivrsched.io.plan_formats import write_table as write_table
    from ivrsched.io.text_files import InputFileError as InputFileError
    from ivrsched.io.text_files import read_lines as read_lines

#: Each public name and the module that defines it (imported on first use).
_NAMES = {
    "InputFileError": "ivrsched.io.text_files",
    "read_lines": "ivrsched.io.text_files",
    "DestinationFile": "ivrsched.io.destination_files",
    "DestinationFileError": "ivrsched.io.destination_files",
    "HeldDestinations": "ivrsched.io.destination_files",
    "with_destinations": "ivrsched.io.destination_files",
    "LogError": "ivrsched.io.logs",
    "LogRow": "ivrsched.io.logs",
    "read_log": "ivrsched.io.logs",
    "OutcomeFileError": "ivrsched.io.outcome_files",
    "load_outcomes": "ivrsched.io.outcome_files",
    "FORMATS": "ivrsched.io.plan_formats",
    "write_csv": "ivrsched.io.plan_formats",
    "write_json": "ivrsched.io.plan_formats",
    "write_jsonl": "ivrsched.io.plan_formats",
    "write_table": "ivrsched.io.plan_formats",
    "write_csv_chunked": "ivrsched.io.chunked",
    "write_jsonl_chunked": "ivrsched.io.chunked",
    "plan_table": "ivrsched.io.arrow_export",
    "write_parquet": "ivrsched.io.arrow_export",
    "atomic_text_file": "ivrsched.io.atomic",
}

__all__ = [
    "FORMATS",
    "DestinationFile",
    "DestinationFileError",
    "HeldDestinations",
    "InputFileError",
    "LogError",
    "LogRow",
    "OutcomeFileError",
    "atomic_text_file",
    "load_outcomes",
    "plan_table",
    "read_lines",
    "read_log",
    "with_destinations",
    "write_csv",
    "write_csv_chunked",
    "write_json",
    "write_jsonl",
    "write_jsonl_chunked",
    "write_parquet",
    "write_table",
]
__getattr__, __dir__ = lazy_names(__name__, _NAMES, globals())
