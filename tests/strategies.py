"""Hypothesis strategies shared by the test suite (valid request dicts and their parts)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from ivrsched.retry import LADDER

UNITS = ("second", "minute", "hour", "day")


def sending_speeds() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"speed": st.integers(1, 5000),
                                  "timeUnit": st.sampled_from(UNITS)})


def retries() -> st.SearchStrategy[dict[str, Any]]:
    def build(a: int, b: int, count: int) -> dict[str, Any]:
        low, high = sorted((a, b))
        return {"minPeriod": low, "maxPeriod": high, "maxCount": count}

    periods = st.one_of(st.sampled_from(LADDER), st.integers(1, 1500))
    return st.builds(build, periods, periods, st.integers(0, 6))


def numbers() -> st.SearchStrategy[str]:
    return st.from_regex(r"[1-9][0-9]{6,14}", fullmatch=True)


def send_ats() -> st.SearchStrategy[str]:
    """sendAt values around 2030, whole seconds or with fractions, various offsets."""
    return st.builds(
        lambda day, second, micros, offset: (
            f"2030-01-{day:02d}T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
            f".{micros:06d}{'+' if offset >= 0 else '-'}"
            f"{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
        ),
        st.integers(1, 28), st.integers(0, 86399), st.integers(0, 999999),
        st.sampled_from([0, 60, -300, 330, 840, -720]),
    )


def messages(max_destinations: int = 30) -> st.SearchStrategy[dict[str, Any]]:
    destinations = st.lists(st.builds(lambda to: {"to": to}, numbers()), min_size=1,
                            max_size=max_destinations)
    optional = {
        "retry": retries(),
        "sendingSpeed": sending_speeds(),
        "validityPeriod": st.integers(1, 3000),
        "sendAt": send_ats(),
    }
    return st.fixed_dictionaries({"scenarioId": st.just("SCENARIO"), "destinations": destinations},
                                 optional=optional)


def requests(max_messages: int = 3,
             max_destinations: int = 30) -> st.SearchStrategy[dict[str, Any]]:
    """Valid requests in the messages shape."""
    return st.fixed_dictionaries(
        {"messages": st.lists(messages(max_destinations), min_size=1, max_size=max_messages)})
