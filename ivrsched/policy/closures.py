"""Whole local days without calls (SPEC S15): the policy's closed dates and the public holidays
of a country (and subdivision) as the ``holidays`` package knows them.

A day is closed in every candidate zone by its own local date: 2026-12-25 in America/New_York
is a different stretch of real time than 2026-12-25 in America/Los_Angeles.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ivrsched.policy.document import CallingPolicy, HolidayRegion

#: Bound on the per-date cache.
_CACHE_LIMIT = 1 << 16


def region_problem(country: str, subdivision: str | None) -> tuple[str, str] | None:
    """Why the ``holidays`` package cannot give the holidays of this region (the member to
    blame and a message), or None when it can."""
    try:
        import holidays
    except ImportError:
        return ("country", "public holidays need the policy extra: pip install "
                "'ivrsched[policy]'")
    supported: dict[str, Any] = holidays.list_supported_countries()
    if country not in supported:
        return ("country", f"the holidays package has no country {country!a} (an ISO 3166-1 "
                "alpha-2 code such as US or FR)")
    if subdivision is not None and subdivision not in supported[country]:
        known = ", ".join(supported[country][:12])
        more = ", …" if len(supported[country]) > 12 else ""
        return ("subdivision", f"the holidays package has no subdivision {subdivision!a} of "
                f"{country}" + (f" (known: {known}{more})" if known else " (it has none)"))
    return None


class Closures:
    """Answers "is this local date closed, and why?" for one policy, with a per-date cache."""

    def __init__(self, closed_dates: frozenset[date], region: HolidayRegion | None) -> None:
        self._closed = closed_dates
        self._region = region
        self._holidays: Any = None
        self._cache: dict[date, str | None] = {}

    @classmethod
    def of(cls, policy: CallingPolicy) -> Closures:
        """The closures of ``policy``."""
        return cls(policy.closed_dates, policy.holidays)

    @property
    def empty(self) -> bool:
        """True when no date is ever closed."""
        return not self._closed and self._region is None

    def reason(self, day: date) -> str | None:
        """Why ``day`` is closed (``closed date 2026-12-25``, ``public holiday Christmas Day
        (US-FL)``), or None when it is not."""
        if day in self._cache:
            return self._cache[day]
        found: str | None = None
        if day in self._closed:
            found = f"closed date {day.isoformat()}"
        elif self._region is not None:
            name = self._holiday_calendar().get(day)
            if name is not None:
                found = f"public holiday {name} ({self._region})"
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[day] = found
        return found

    def _holiday_calendar(self) -> Any:
        if self._holidays is None:
            import holidays

            assert self._region is not None
            # Years are filled in on demand as dates are asked about.
            self._holidays = holidays.country_holidays(self._region.country,
                                                       subdiv=self._region.subdivision)
        return self._holidays


__all__ = ["Closures", "region_problem"]
