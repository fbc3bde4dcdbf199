"""Public Hypothesis strategies for testing a dispatcher against ivrsched (and ivrsched itself).

Install with the test extra: ``pip install 'ivrsched[test]'``. Everything here generates plain
JSON-ready data (dicts, lists, strings, integers), so the values can be fed to an implementation
in any language.

- :func:`requests` — valid request dicts (messages shape), with knobs for size, pacing, retry,
  delivery windows, rejected destinations and given messageIds.
- :func:`invalid_requests` — ``(request, expected_error_paths)`` pairs: each request has one or
  more request-level faults (S7) and ``parse_request`` must report exactly those JSON Pointers.
- :func:`outcome_tables` — per attempt outcomes for a request (S10): rows
  ``{"messageId" or "to", "attempt", "outcome", "duration_us"}``.
- :func:`attempt_logs` — attempt logs that conform to a request (S11), derived from its plan,
  optionally with realistic lateness: rows ``{"messageId" or "to", "attempt", "time"[, "end"]}``.
- :func:`calling_policies` — calling policy documents (S15): hours (one period or several), a
  recipient or fixed zone, a fallback zone, closed dates, holidays, a frequency cap.
- :func:`zoned_numbers` — numbers whose candidate zones the phonenumbers data knows (one zone,
  several zones, none).
- :func:`policy_requests` — requests whose destinations are such numbers, recurring within and
  across messages, each with a messageId; :func:`policy_attempt_logs` — attempt logs that
  conform to a request under a policy (plan-shaped, or with random outcomes).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised by a test that hides hypothesis
    raise ImportError(
        "ivrsched.testing needs Hypothesis; install the test extra: "
        "pip install 'ivrsched[test]'"
    ) from exc

from ivrsched.ids import IdSource
from ivrsched.planning.planner import DestinationSchedule, plan
from ivrsched.request.destinations import normalize_to
from ivrsched.request.model import Request
from ivrsched.request.parsing import parse_request
from ivrsched.rules.instants import US_PER_MINUTE, format_us
from ivrsched.rules.retry import LADDER

if TYPE_CHECKING:
    from ivrsched.policy.document import CallingPolicy

UNITS = ("second", "minute", "hour", "day")
WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")
OUTCOMES = ("answered", "no-answer", "busy", "failed")
#: The submission time :func:`attempt_logs` and :func:`outcome_tables` plan with by default
#: (a Monday, a few days before most generated ``sendAt`` values).
DEFAULT_NOW = datetime(2030, 1, 1, 0, 0, tzinfo=timezone.utc)

Json = dict[str, Any]


# -- parts of a request ------------------------------------------------------------------------

def sending_speeds() -> st.SearchStrategy[Json]:
    """``sendingSpeed`` objects (S3); small speeds are favoured so that pacing windows fill."""
    return st.fixed_dictionaries({"speed": st.one_of(st.integers(1, 10), st.integers(1, 5000)),
                                  "timeUnit": st.sampled_from(UNITS)})


def retries() -> st.SearchStrategy[Json]:
    """Valid ``retry`` objects (S5): periods on and off the ladder (the parser snaps them),
    ``minPeriod <= maxPeriod`` after snapping, ``maxCount`` 0..6 (above 4 is clamped)."""
    def build(a: int, b: int, count: int) -> Json:
        low, high = sorted((a, b))
        return {"minPeriod": low, "maxPeriod": high, "maxCount": count}

    periods = st.one_of(st.sampled_from(LADDER), st.integers(1, 1500))
    return st.builds(build, periods, periods, st.integers(0, 6))


def numbers() -> st.SearchStrategy[str]:
    """International numbers as S7 accepts them: 7 to 15 digits, no leading 0."""
    return st.integers(10**6, 10**15 - 1).map(str)


def bad_numbers() -> st.SearchStrategy[str | None]:
    """Addresses S7 rejects: missing, empty, too short, leading 0, not digits."""
    return st.one_of(st.none(), st.just(""), st.from_regex(r"[1-9][0-9]{0,5}", fullmatch=True),
                     st.from_regex(r"0[0-9]{6,14}", fullmatch=True), st.just("+41 79 302"))


#: Months of 2030 in which some zone of :data:`TIME_ZONES` changes its clocks.
_DST_MONTHS = (3, 4, 9, 10, 11)

#: ``timeZone`` values :func:`delivery_time_windows` draws from: zones with DST in both
#: hemispheres (one with a half-hour change, one changing at midnight), zones without DST, odd
#: offsets, fixed ``Etc/`` offsets and UTC under its own names.
TIME_ZONES = (
    "UTC", "Etc/UTC", "GMT", "Etc/GMT-14", "Etc/GMT+12", "Europe/London", "Europe/Zagreb",
    "America/New_York", "America/St_Johns", "America/Santiago", "Australia/Sydney",
    "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Tokyo",
    "Africa/Casablanca",
)


def send_ats() -> st.SearchStrategy[str]:
    """``sendAt`` values in 2030, whole seconds or with fractions, various offsets. Mostly in
    January (a few days after :data:`DEFAULT_NOW`); sometimes in a month in which a zone of
    :data:`TIME_ZONES` changes its clocks (March, April, September, October, November), so that
    zoned windows are explored across DST changes."""
    return st.builds(
        lambda month, day, second, micros, offset: (
            f"2030-{month:02d}-{day:02d}T{second // 3600:02d}:{second // 60 % 60:02d}:"
            f"{second % 60:02d}.{micros:06d}{'+' if offset >= 0 else '-'}"
            f"{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
        ),
        st.one_of(st.just(1), st.sampled_from(_DST_MONTHS)),
        st.integers(1, 28), st.integers(0, 86399), st.integers(0, 999999),
        st.sampled_from([0, 60, -300, 330, 840, -720]),
    )


def delivery_time_windows(time_zones: bool | None = None) -> st.SearchStrategy[Json]:
    """``deliveryTimeWindow`` objects (S6): distinct days, and either whole days or a
    ``from``/``to`` pair at least 60 minutes apart on the same day; ``time_zones`` adds a
    ``timeZone`` from :data:`TIME_ZONES` (None: sometimes, True: always, False: never)."""
    def build(days: list[str], hours: tuple[int, int] | None, zone: str | None) -> Json:
        window: Json = {"days": days}
        if hours is not None:
            start, end = hours
            window["from"] = {"hour": start // 60, "minute": start % 60}
            window["to"] = {"hour": end // 60, "minute": end % 60}
        if zone is not None:
            window["timeZone"] = zone
        return window

    def span(start: int) -> st.SearchStrategy[tuple[int, int]]:
        return st.integers(start + 60, 23 * 60 + 59).map(lambda end: (start, end))

    hours = st.integers(0, 22 * 60 + 59).flatmap(span)
    days = st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True)
    zones = st.sampled_from(TIME_ZONES)
    zone = {None: st.none() | zones, True: zones, False: st.none()}[time_zones]
    return st.builds(build, days, st.none() | hours, zone)


def _choice(knob: bool | None) -> st.SearchStrategy[bool]:
    """None: either way; True/False: always that."""
    return st.booleans() if knob is None else st.just(knob)


def messages(max_destinations: int = 30, *, min_destinations: int = 1,
             paced: bool | None = None, retry: bool | None = None,
             windows: bool | None = False, rejected: bool = False,
             send_at: bool | None = None,
             validity: bool | None = None) -> st.SearchStrategy[Json]:
    """One message object with ``min_destinations``..``max_destinations`` destinations
    (``{"to": …}`` each). Each knob is None (sometimes), True (always) or False (never):
    ``paced`` adds ``sendingSpeed``, ``retry`` a ``retry`` object, ``windows`` a
    ``deliveryTimeWindow``, ``send_at`` a ``sendAt``, ``validity`` a ``validityPeriod``
    (1..3000 minutes). ``rejected=True`` mixes in destinations S7 rejects."""
    address = st.one_of(numbers(), bad_numbers()) if rejected else numbers()
    destinations = st.lists(st.builds(lambda to: {"to": to}, address),
                            min_size=min_destinations, max_size=max_destinations)
    optional: list[tuple[str, bool | None, st.SearchStrategy[Any]]] = [
        ("retry", retry, retries()),
        ("sendingSpeed", paced, sending_speeds()),
        ("validityPeriod", validity, st.integers(1, 3000)),
        ("sendAt", send_at, send_ats()),
        ("deliveryTimeWindow", windows, delivery_time_windows()),
    ]

    @st.composite
    def build(draw: st.DrawFn) -> Json:
        message: Json = {"scenarioId": "SCENARIO", "destinations": draw(destinations)}
        for key, knob, values in optional:
            if draw(_choice(knob)):
                message[key] = draw(values)
        return message

    return build()


def requests(max_messages: int = 3, max_destinations: int = 30, *, min_destinations: int = 1,
             paced: bool | None = None, retry: bool | None = None,
             windows: bool | None = False, rejected: bool = False,
             message_ids: bool = False, send_at: bool | None = None,
             validity: bool | None = None) -> st.SearchStrategy[Json]:
    """Valid request dicts in the messages shape (``{"messages": [...]}``), 1..``max_messages``
    messages. The knobs are those of :func:`messages`; ``message_ids=True`` gives some
    destinations a ``messageId`` (unique across the request unless ``rejected`` also adds
    duplicates). Windows are off by default; ``windows=None`` means sometimes."""
    one = messages(max_destinations, min_destinations=min_destinations, paced=paced,
                   retry=retry, windows=windows, rejected=rejected, send_at=send_at,
                   validity=validity)

    @st.composite
    def build(draw: st.DrawFn) -> Json:
        items = draw(st.lists(one, min_size=1, max_size=max_messages))
        if message_ids:
            counter = 0
            for message in items:
                for destination in message["destinations"]:
                    if draw(st.booleans()):
                        counter += 1
                        duplicate = rejected and counter > 1 and draw(st.integers(0, 9)) == 0
                        destination["messageId"] = f"id-{counter - 1 if duplicate else counter}"
        return {"messages": items}

    return build()


# -- invalid requests --------------------------------------------------------------------------

#: Request-level faults (S7) as ``(name, apply)``: ``apply(message, path)`` breaks a message
#: dict in place and returns the JSON Pointers the parser must report.
_Fault = Callable[[Json, str], list[str]]


def _set(key: str, value: object, *suffix: str) -> _Fault:
    def apply(message: Json, path: str) -> list[str]:
        message[key] = value
        return [f"{path}/{'/'.join((key, *suffix))}"]
    return apply


def _drop_scenario(message: Json, path: str) -> list[str]:
    del message["scenarioId"]
    return [f"{path}/scenarioId"]


def _no_destinations(message: Json, path: str) -> list[str]:
    message["destinations"] = []
    return [f"{path}/destinations"]


FAULTS: dict[str, _Fault] = {
    "missing scenarioId": _drop_scenario,
    "empty destinations": _no_destinations,
    "retry period below 1": _set("retry", {"minPeriod": 0, "maxPeriod": 5, "maxCount": 1},
                                 "minPeriod"),
    "retry without maxCount": _set("retry", {"minPeriod": 1, "maxPeriod": 5}, "maxCount"),
    "retry min > max": _set("retry", {"minPeriod": 30, "maxPeriod": 5, "maxCount": 1},
                            "minPeriod"),
    "negative maxCount": _set("retry", {"minPeriod": 1, "maxPeriod": 5, "maxCount": -1},
                              "maxCount"),
    "speed 0": _set("sendingSpeed", {"speed": 0, "timeUnit": "minute"}, "speed"),
    "unknown timeUnit": _set("sendingSpeed", {"speed": 1, "timeUnit": "week"}, "timeUnit"),
    "validity 0": _set("validityPeriod", 0),
    "validity as text": _set("validityPeriod", "60"),
    "sendAt without offset": _set("sendAt", "2030-01-01T10:00:00"),
    "sendAt not a date": _set("sendAt", "tomorrow"),
    "sender too short": _set("from", "12"),
    "callbackData too long": _set("callbackData", "x" * 201),
    "bad notifyContentType": _set("notifyContentType", "text/plain"),
    "notifyUrl not http": _set("notifyUrl", "ftp://example.com/reports"),
    "window without days": _set("deliveryTimeWindow", {"days": []}, "days"),
    "window on FUNDAY": _set("deliveryTimeWindow", {"days": ["FUNDAY"]}, "days", "0"),
    "window 30 minutes": _set("deliveryTimeWindow",
                              {"days": ["MONDAY"], "from": {"hour": 9, "minute": 0},
                               "to": {"hour": 9, "minute": 30}}, "to"),
    "window from without to": _set("deliveryTimeWindow",
                                   {"days": ["MONDAY"], "from": {"hour": 9, "minute": 0}}, "to"),
}


def invalid_requests(max_messages: int = 3,
                     max_faults: int = 3) -> st.SearchStrategy[tuple[Json, frozenset[str]]]:
    """``(request, expected_error_paths)``: a valid request with 1..``max_faults`` request-level
    faults (each in a different message field) injected. ``parse_request(request)`` must raise
    a ``RequestError`` whose problems' paths are exactly ``expected_error_paths``."""
    @st.composite
    def build(draw: st.DrawFn) -> tuple[Json, frozenset[str]]:
        request = draw(requests(max_messages, 5, paced=False, retry=False, windows=False,
                                send_at=False, validity=False))
        targets = [(m, name) for m in range(len(request["messages"])) for name in FAULTS]
        chosen = draw(st.lists(st.sampled_from(targets), min_size=1, max_size=max_faults,
                               unique_by=lambda t: (t[0], _field_of(t[1]))))
        expected: set[str] = set()
        for m, name in chosen:
            expected.update(FAULTS[name](request["messages"][m], f"/messages/{m}"))
        return request, frozenset(expected)

    return build()


def _field_of(fault: str) -> str:
    """The message field a fault breaks (two faults of one field would overwrite each other)."""
    probe: Json = {"scenarioId": "S", "destinations": [{"to": "41793026700"}]}
    return FAULTS[fault](probe, "")[0].split("/")[1]


# -- outcomes and logs -------------------------------------------------------------------------

def _identity(schedule: DestinationSchedule, unique_tos: set[str],
              ids: IdSource | None) -> dict[str, str] | None:
    """How a log names a destination: its given messageId, else its ``to`` when no other
    destination has that number, else the generated messageId when the caller knows the ID
    source, else not at all (None)."""
    if schedule.destination.message_id is not None:
        return {"messageId": schedule.destination.message_id}
    if schedule.to and normalize_to(schedule.to) in unique_tos:
        return {"to": schedule.to}
    if ids is not None:
        return {"messageId": schedule.message_id}
    return None


def _unique_tos(request: Request) -> set[str]:
    counts: dict[str, int] = {}
    for message in request.messages:
        for destination in message.destinations:
            if destination.to:
                key = normalize_to(destination.to)
                counts[key] = counts.get(key, 0) + 1
    return {to for to, n in counts.items() if n == 1}


def _as_request(request: Request | Json) -> Request:
    return request if isinstance(request, Request) else parse_request(request)


def outcome_tables(request: Request | Json, now: datetime = DEFAULT_NOW, *,
                   ids: IdSource | None = None) -> st.SearchStrategy[list[Json]]:
    """Outcomes for every attempt the request's plan could make (S10), as rows
    ``{"messageId" or "to": …, "attempt": k, "outcome": o, "duration": s, "duration_us": d}``
    with ``o`` one of ``answered``, ``no-answer``, ``busy``, ``failed``, ``d`` a whole number
    of microseconds (up to 10 minutes for an answered call, 60 s for the others) and ``s`` the
    same as exact decimal seconds text. The rows are an outcomes file as
    :func:`ivrsched.io.outcome_files.load_outcomes_jsonl` reads it (one ``json.dumps`` per line).
    Destinations are named as :func:`attempt_logs` names them."""
    the_request = _as_request(request)
    the_plan = plan(the_request, now=now, ids=ids)
    unique = _unique_tos(the_request)
    slots = [(identity, len(schedule.attempts_us)) for schedule in the_plan
             if (identity := _identity(schedule, unique, ids)) is not None]
    answered = st.tuples(st.just("answered"), st.integers(0, 10 * US_PER_MINUTE))
    failed = st.tuples(st.sampled_from(OUTCOMES[1:]), st.integers(0, US_PER_MINUTE))
    outcome = st.one_of(answered, failed)

    @st.composite
    def build(draw: st.DrawFn) -> list[Json]:
        rows: list[Json] = []
        for identity, count in slots:
            for attempt in range(1, count + 1):
                name, duration = draw(outcome)
                rows.append({**identity, "attempt": attempt, "outcome": name,
                             "duration": _seconds(duration), "duration_us": duration})
        return rows

    return build()


def _seconds(us: int) -> str:
    """Microseconds as exact decimal seconds text (``"1.500000"``); no float involved."""
    return f"{us // 1_000_000}.{us % 1_000_000:06d}"


def attempt_logs(request: Request | Json, now: datetime = DEFAULT_NOW, *,
                 ids: IdSource | None = None, late: bool = True,
                 ends: bool | None = None) -> st.SearchStrategy[list[Json]]:
    """Attempt logs that conform to ``request`` submitted at ``now`` (S11), in time order.

    Rows are ``{"messageId" or "to": …, "attempt": k, "time": …}`` plus ``"end"`` when ``ends``
    (None: sometimes), times rendered as S1 says in the message's offset. Each destination the
    log can name (see :func:`outcome_tables`) makes a prefix of its planned attempts (it may be
    answered early). With ``late``, an implementation's lateness is imitated without breaking a
    rule: a message's first attempts may all start the same amount late (which keeps the pace;
    not with a delivery window), and each retry may wait longer than its gap, measured from
    the previous attempt's end; attempts that would reach the deadline are dropped. Without
    ``late`` every attempt is at its planned instant (and an ``end`` equals its ``time``). Verify
    these logs with the same ``ids`` (and ``exact=True`` only when ``late`` is False).
    """
    the_request = _as_request(request)
    the_plan = plan(the_request, now=now, ids=ids)
    unique = _unique_tos(the_request)
    lateness = st.one_of(st.just(0), st.integers(0, 10 * US_PER_MINUTE)) if late else st.just(0)

    @st.composite
    def build(draw: st.DrawFn) -> list[Json]:
        with_ends = draw(_choice(ends))
        timed: list[tuple[int, int, int, Json]] = []
        for message_plan in the_plan.messages:
            timeline = message_plan.timeline
            windowless = message_plan.message.delivery_time_window is None
            shift = draw(lateness) if windowless else 0
            for schedule in message_plan:
                identity = _identity(schedule, unique, ids)
                if identity is None or not schedule.attempts_us:
                    continue
                made = draw(st.integers(1, len(schedule.attempts_us)))
                at = ended = schedule.attempts_us[0] + shift
                for number in range(1, made + 1):
                    if number > 1:
                        waited = timeline.retry_after_us(ended, number - 1) + draw(lateness)
                        at = timeline.calendar.next_open(waited)
                    if timeline.deadline_us is not None and at >= timeline.deadline_us:
                        break
                    # Without lateness every retry is at its planned instant, which is g_k
                    # after the previous attempt's start: an end later than that start would
                    # make the retry too soon (S11 measures from the end), so calls take 0.
                    duration = draw(st.integers(0, 2 * US_PER_MINUTE)) \
                        if with_ends and late else 0
                    row: Json = {**identity, "attempt": number,
                                 "time": format_us(at, schedule.offset_minutes)}
                    if with_ends:
                        row["end"] = format_us(at + duration, schedule.offset_minutes)
                    ended = at + duration
                    timed.append((at, message_plan.message_index, schedule.index, row))
        timed.sort(key=lambda item: item[:3])
        return [row for *_, row in timed]

    return build()


# -- calling policies (S15) --------------------------------------------------------------------

#: Numbers with known candidate zones (phonenumbers data): New York, Denver, Boise and Los
#: Angeles (two zones), Phoenix (no DST), Chicago, Paris; and one with no known zone.
ZONED_NUMBERS = ("12125550100", "13035550100", "12085550100", "16025550100", "13125550100",
                 "33145678901", "4179302")
#: Zones :func:`calling_policies` draws fixed and fallback zones from.
POLICY_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
                "America/Los_Angeles", "Europe/Paris", "UTC")


def zoned_numbers() -> st.SearchStrategy[str]:
    """Numbers from :data:`ZONED_NUMBERS`, with or without a leading ``+``."""
    return st.builds(lambda n, plus: ("+" if plus else "") + n, st.sampled_from(ZONED_NUMBERS),
                     st.booleans())


def _hours_period(min_from: int) -> st.SearchStrategy[Json]:
    def build(days: list[str] | None, span: tuple[int, int] | None) -> Json:
        period: Json = {}
        if days is not None:
            period["days"] = days
        if span is not None:
            start, end = span
            period["from"] = {"hour": start // 60, "minute": start % 60}
            period["to"] = {"hour": end // 60, "minute": end % 60}
        return period

    spans = st.integers(min_from, 23 * 60).flatmap(
        lambda start: st.integers(start + 1, 24 * 60).map(lambda end: (start, end)))
    days = st.none() | st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True)
    return st.builds(build, days, st.none() | spans)


def calling_policies(*, hours: bool | None = None, periods: bool | None = None,
                     fixed_zone: bool | None = None, fallback: bool | None = None,
                     closed_dates: bool | None = None, holidays: bool | None = None,
                     cap: bool | None = None, min_from: int = 0,
                     first_day: str = "2030-01-01",
                     days: int = 60) -> st.SearchStrategy[Json]:
    """Valid calling policy documents (S15). Each knob is None (sometimes), True (always) or
    False (never): ``hours`` a ``callingHours`` object, ``periods`` several hour periods
    instead of one, ``fixed_zone`` an IANA ``zone`` instead of ``recipient``, ``fallback`` a
    ``fallbackZone``, ``closed_dates`` some dates among the ``days`` days from ``first_day``,
    ``holidays`` US, US-FL or FR holidays, ``cap`` a ``frequencyCap``. ``min_from`` (minutes
    after midnight) bounds the start of hours (e.g. 240 keeps them clear of DST changes at
    night, for tests that compare with a naive reading of local time)."""
    from datetime import date

    origin = date.fromisoformat(first_day)
    zone_names = st.sampled_from(POLICY_ZONES)

    @st.composite
    def build(draw: st.DrawFn) -> Json:
        policy: Json = {}
        if draw(_choice(hours)):
            block: Json = {"zone": draw(zone_names) if draw(_choice(fixed_zone))
                           else "recipient"}
            if draw(_choice(fallback)):
                block["fallbackZone"] = draw(zone_names)
            if draw(_choice(periods)):
                block["periods"] = draw(st.lists(_hours_period(min_from), min_size=1,
                                                 max_size=3))
            else:
                block.update(draw(_hours_period(min_from)))
            policy["callingHours"] = block
        if draw(_choice(closed_dates)):
            offsets = draw(st.lists(st.integers(0, days - 1), max_size=6, unique=True))
            policy["closedDates"] = [(origin + timedelta(days=k)).isoformat() for k in offsets]
        if draw(_choice(holidays)):
            policy["holidays"] = draw(st.sampled_from([{"country": "US"},
                                                       {"country": "US", "subdivision": "FL"},
                                                       {"country": "FR"}]))
        if draw(_choice(cap)):
            policy["frequencyCap"] = {"maxAttempts": draw(st.integers(1, 4)),
                                      "periodMinutes": draw(st.sampled_from(
                                          [1, 5, 30, 60, 1440, 43200]))}
        return policy

    return build()


def policy_requests(max_messages: int = 3, max_destinations: int = 8, *,
                    max_numbers: int = 3, paced: bool | None = None,
                    retry: bool | None = None, windows: bool | None = None,
                    validity: bool | None = None) -> st.SearchStrategy[Json]:
    """Requests to test a dispatcher under a calling policy (S15): every destination is a
    number of :data:`ZONED_NUMBERS` (one known zone, several, or none), drawn from a pool of
    1..``max_numbers`` so that a number recurs within and across messages (the frequency cap
    couples them), and has a unique ``messageId`` (``m0-3``: message 0, position 3), so a log
    can name each one. Paced messages go at 1..6 per minute or per hour. The other knobs are
    those of :func:`messages`; the messages start at the submission time."""
    @st.composite
    def build(draw: st.DrawFn) -> Json:
        request = draw(requests(max_messages, max_destinations, paced=paced, retry=retry,
                                windows=windows, send_at=False, validity=validity))
        pool = draw(st.lists(zoned_numbers(), min_size=1, max_size=max_numbers))
        for m, message in enumerate(request["messages"]):
            for i, destination in enumerate(message["destinations"]):
                destination["to"] = draw(st.sampled_from(pool))
                destination["messageId"] = f"m{m}-{i}"
            if "sendingSpeed" in message:
                message["sendingSpeed"] = {"speed": draw(st.integers(1, 6)),
                                           "timeUnit": draw(st.sampled_from(["minute",
                                                                             "hour"]))}
        return request

    return build()


def policy_attempt_logs(request: Request | Json, policy: CallingPolicy | Json,
                        now: datetime = DEFAULT_NOW, *,
                        ids: IdSource | None = None, failure_delay_us: int = 0,
                        outcomes: bool | None = None) -> st.SearchStrategy[list[Json]]:
    """Attempt logs that conform to ``request`` submitted at ``now`` under the calling
    ``policy`` (a :class:`~ivrsched.policy.CallingPolicy` or its document), in time order: the
    attempts :func:`ivrsched.policy.pacing.run_policy` places.

    ``outcomes`` False: plan-shaped (every attempt fails ``failure_delay_us`` after it starts;
    rows without ``end``); True: each attempt answered or not at random, with a duration of up
    to 3 minutes given as ``end``; None: either. Rows are named as :func:`attempt_logs` names
    them (a destination it cannot name is left out; with :func:`policy_requests` every one is
    named). Verify them with ``policy=``, the same ``ids`` and ``failure_delay``; they conform
    also with ``exact=True`` and ``require_all=True`` when every destination is named."""
    from ivrsched.policy.document import CallingPolicy, parse_policy
    from ivrsched.policy.pacing import MessageRun, PolicyAttempt, run_policy

    the_request = _as_request(request)
    the_policy = policy if isinstance(policy, CallingPolicy) else parse_policy(policy)
    the_plan = plan(the_request, now=now, ids=ids,
                    failure_delay=timedelta(microseconds=failure_delay_us))
    unique = _unique_tos(the_request)
    runs = [MessageRun(m.message_index, m.timeline, m.message.destinations)
            for m in the_plan.messages]

    @st.composite
    def build(draw: st.DrawFn) -> list[Json]:
        realised = draw(_choice(outcomes))

        def outcome(message: int, index: int, attempt: int, start_us: int) -> tuple[bool, int]:
            if not realised:
                return False, start_us + failure_delay_us
            return draw(st.booleans()), start_us + draw(st.integers(0, 3 * US_PER_MINUTE))

        rows: list[Json] = []
        for record in run_policy(runs, the_policy, outcome):
            if not isinstance(record, PolicyAttempt):
                continue
            schedule = the_plan.messages[record.message][record.index]
            identity = _identity(schedule, unique, ids)
            if identity is None:
                continue
            row: Json = {**identity, "attempt": record.attempt,
                         "time": format_us(record.start_us, schedule.offset_minutes)}
            if realised:
                row["end"] = format_us(record.end_us, schedule.offset_minutes)
            rows.append(row)
        return rows

    return build()


__all__ = [
    "DEFAULT_NOW",
    "FAULTS",
    "OUTCOMES",
    "POLICY_ZONES",
    "TIME_ZONES",
    "UNITS",
    "WEEKDAYS",
    "ZONED_NUMBERS",
    "attempt_logs",
    "bad_numbers",
    "calling_policies",
    "delivery_time_windows",
    "invalid_requests",
    "messages",
    "numbers",
    "outcome_tables",
    "policy_attempt_logs",
    "policy_requests",
    "requests",
    "retries",
    "send_ats",
    "sending_speeds",
    "zoned_numbers",
]
