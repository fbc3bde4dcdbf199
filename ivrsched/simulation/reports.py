"""Delivery reports (SPEC S10): one per destination when it reaches its final status.

The JSON form is ``{"results": [{bulkId, messageId, from, to, sentAt, callbackData, status,
error, voiceCall}]}``. The XML form carries the same fields; its schema is not published, so this
module's is an interpretation (see docs/simulation.md): ``<results>`` holds one ``<result>``
whose scalar fields are attributes and whose objects (``status``, ``error``, ``voiceCall``) are
child elements with attributes; a null field is an absent attribute or element. Attributes are
used because ElementTree writes every XML 1.0 character of an attribute value as itself or as a
character reference, so CR, LF and TAB survive a round trip, which element text does not
guarantee (XML parsers turn a literal CR in text into LF). The XML is built and read with
:mod:`xml.etree.ElementTree`; no markup is assembled from strings.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ivrsched.errors import IvrschedError
from ivrsched.planning.planner import Plan
from ivrsched.request.fields import non_xml_char
from ivrsched.request.model import ContentType
from ivrsched.rules.instants import US_PER_SECOND, format_us
from ivrsched.simulation.engine import DestinationResult, Ending
from ivrsched.simulation.outcomes import Outcome

JSON = ContentType.JSON
XML = ContentType.XML


#: The report's fields in order: top-level scalars, then each object's fields and their types.
SCALARS = ("bulkId", "messageId", "from", "to", "sentAt", "callbackData")
OBJECTS: dict[str, tuple[tuple[str, type], ...]] = {
    "status": (("groupId", int), ("groupName", str), ("id", int), ("name", str),
               ("description", str)),
    "error": (("name", str), ("description", str), ("permanent", bool)),
    "voiceCall": (("startTime", str), ("answerTime", str), ("endTime", str), ("duration", int)),
}


class ReportEncodingError(IvrschedError, ValueError):
    """A report field holds a character its content type (XML 1.0) cannot carry."""


def content_type(plan: Plan, message: int) -> ContentType:
    """The report content type of a message: its ``notifyContentType``, JSON when absent."""
    return plan.messages[message].message.notify_content_type or JSON


#: Why a calling policy (S15) left a destination uncalled, by ending.
_NO_ATTEMPT = {
    Ending.NO_ZONE: "No time zone is known for the number and the calling policy has no "
                    "fallbackZone.",
    Ending.NEVER_OPEN: "The calling policy never allows a call to the number.",
}


def _error(result: DestinationResult) -> dict[str, object] | None:
    """The ``error`` object. The platform's error codes are not in SPEC.md, so it names what
    ended the destination: the last attempt's outcome, NO_ATTEMPT, or REJECTED."""
    if result.ending is Ending.ANSWERED:
        return None
    if result.ending is Ending.REJECTED:
        return {"name": "REJECTED",
                "description": result.reason or result.status.description,
                "permanent": True}
    cancelled = result.ending is Ending.CANCELLED
    if result.last is None:
        before = "the request was cancelled" if cancelled else "the deadline"
        return {"name": "NO_ATTEMPT",
                "description": _NO_ATTEMPT.get(result.ending,
                                               f"No attempt was allowed before {before}."),
                "permanent": False}
    kind: Outcome = result.last.outcome.kind
    if cancelled:  # S13: no attempt starts at or after a cancel
        return {"name": kind.name,
                "description": f"Attempt {result.attempts} ended {kind.value}; then the "
                               "request was cancelled.",
                "permanent": False}
    why = ("the deadline" if result.ending is Ending.DEADLINE
           else "the last retry")
    return {"name": kind.name,
            "description": f"Attempt {result.attempts} ended {kind.value}; it was {why}.",
            "permanent": False}


def _voice_call(result: DestinationResult) -> dict[str, object] | None:
    last = result.last
    if last is None:
        return None
    offset = last.offset_minutes
    answer = last.answer_us
    # Whole seconds talked, from the answer to the end (floor: no float touches a time).
    talked = 0 if answer is None else (last.end_us - answer) // US_PER_SECOND
    return {"startTime": format_us(last.start_us, offset),
            "answerTime": None if answer is None else format_us(answer, offset),
            "endTime": format_us(last.end_us, offset),
            "duration": talked}


def report_result(plan: Plan, result: DestinationResult) -> dict[str, object]:
    """One entry of ``results`` for a destination's final status (keys in S10's order).

    ``sentAt`` is the start of the first attempt, or the message's start (S2) when no call
    was made. ``voiceCall`` describes the last attempt (null without one); its ``duration`` is
    the whole seconds from answer to end (0 when not answered).
    """
    message_plan = plan.messages[result.message]
    message = message_plan.message
    sent_at = result.first_start_us if result.first_start_us is not None \
        else message_plan.start_us
    return {
        "bulkId": plan.bulk_id,
        "messageId": result.message_id,
        "from": message.sender,
        "to": result.to,
        "sentAt": format_us(sent_at, result.offset_minutes),
        "callbackData": message.callback_data,
        "status": result.status.as_json(),
        "error": _error(result),
        "voiceCall": _voice_call(result),
    }


def delivery_report(plan: Plan, result: DestinationResult) -> dict[str, object]:
    """The report document for one destination: ``{"results": [entry]}``."""
    return {"results": [report_result(plan, result)]}


# -- JSON and XML renderings -----------------------------------------------------------------

def json_report(report: Mapping[str, object]) -> str:
    """The JSON text of a report (non-ASCII kept as is)."""
    return json.dumps(report, ensure_ascii=False)


def _attribute(value: object, where: str) -> str:
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    bad = non_xml_char(text)
    if bad is not None:
        raise ReportEncodingError(f"{where} contains U+{ord(bad):04X}, which an XML "
                                  "delivery report cannot carry")
    return text


def _set(element: ET.Element, name: str, value: object, where: str) -> None:
    if value is not None:
        element.set(name, _attribute(value, f"{where}.{name}"))


def xml_element(report: Mapping[str, Any]) -> ET.Element:
    """The report as an ElementTree element (see the module's docstring for the schema)."""
    root = ET.Element("results")
    for n, entry in enumerate(report["results"]):
        where = f"results[{n}]"
        element = ET.SubElement(root, "result")
        for name in SCALARS:
            _set(element, name, entry.get(name), where)
        for name, fields in OBJECTS.items():
            value = entry.get(name)
            if value is None:
                continue
            child = ET.SubElement(element, name)
            for field_name, _ in fields:
                _set(child, field_name, value.get(field_name), f"{where}.{name}")
    return root


def xml_report(report: Mapping[str, Any]) -> bytes:
    """The XML document of a report, UTF-8 with an XML declaration.

    Raises :class:`ReportEncodingError` when a field holds a character XML 1.0 cannot carry
    (validation rejects such ``callbackData`` for XML messages; other fields are checked here).
    """
    body: bytes = ET.tostring(xml_element(report), encoding="utf-8", xml_declaration=True)
    return body


def _typed(text: str | None, kind: type, where: str) -> object:
    if text is None:
        return None
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"{where} is not an integer: {text!r}") from None
    if kind is bool:
        if text not in ("true", "false"):
            raise ValueError(f"{where} is not true or false: {text!r}")
        return text == "true"
    return text


def parse_xml_report(data: bytes | str) -> dict[str, object]:
    """Read an XML report back into the JSON form's values (the inverse of
    :func:`xml_report`). Raises ValueError for a document not in that schema."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValueError(f"not well-formed XML: {exc}") from None
    if root.tag != "results":
        raise ValueError(f"the root element is <{root.tag}>, not <results>")
    results: list[dict[str, object]] = []
    for n, element in enumerate(root):
        if element.tag != "result":
            raise ValueError(f"unexpected <{element.tag}> in <results>")
        entry: dict[str, object] = {name: element.get(name) for name in SCALARS}
        children = {child.tag: child for child in element}
        unknown = set(children) - set(OBJECTS)
        if unknown or len(children) != len(element):
            raise ValueError(f"result {n}: unexpected or repeated child elements")
        for name, fields in OBJECTS.items():
            child = children.get(name)
            entry[name] = None if child is None else {
                field_name: _typed(child.get(field_name), kind, f"result {n} {name}.{field_name}")
                for field_name, kind in fields}
        results.append(entry)
    return {"results": results}


def render(report: Mapping[str, Any], kind: ContentType | str) -> bytes:
    """The bytes sent to ``notifyUrl`` for ``kind`` (application/json or application/xml)."""
    if kind == XML:
        return xml_report(report)
    # Lone surrogates (valid JSON escapes) cannot be UTF-8 encoded: keep them escaped.
    return json_report(report).encode("utf-8", "backslashreplace")


# -- where reports go ---------------------------------------------------------------------

@dataclass(frozen=True)
class ReportDirectory:
    """One file per destination in ``directory``: ``report-<message>-<index>.json`` or
    ``.xml``, after the message's content type (names never depend on user-given IDs)."""

    directory: Path

    def write(self, plan: Plan, result: DestinationResult) -> None:
        """Write the report of ``result``."""
        kind = content_type(plan, result.message)
        body = render(delivery_report(plan, result), kind)
        suffix = "xml" if kind is XML else "json"
        path = self.directory / f"report-{result.message}-{result.index}.{suffix}"
        path.write_bytes(body)


@dataclass(frozen=True)
class ReportStream:
    """One JSON line per report: ``{"message", "index", "notifyUrl", "contentType", "body"}``,
    ``body`` being the JSON report object, or the XML document as text."""

    out: IO[str]

    def write(self, plan: Plan, result: DestinationResult) -> None:
        """Write the report of ``result`` as one line."""
        kind = content_type(plan, result.message)
        report = delivery_report(plan, result)
        body: object = xml_report(report).decode("utf-8") if kind is XML else report
        line = {"message": result.message, "index": result.index,
                "notifyUrl": plan.messages[result.message].message.notify_url,
                "contentType": kind, "body": body}
        self.out.write(json.dumps(line, ensure_ascii=False) + "\n")


__all__ = [
    "JSON", "OBJECTS", "SCALARS", "XML", "ReportDirectory", "ReportEncodingError",
    "ReportStream", "content_type", "delivery_report", "json_report", "parse_xml_report",
    "render", "report_result", "xml_element", "xml_report",
]
