"""Calling policies (SPEC S15): recipient-local calling hours, closed dates, public holidays and
a rolling frequency cap per number, applied on top of a request's own rules.

Needs the ``policy`` extra (``pip install 'ivrsched[policy]'``: phonenumbers, holidays); the
modules import those packages only when a policy actually needs them.
"""

from __future__ import annotations

from ivrsched.policy.document import (
    CallingHours,
    CallingPolicy,
    FrequencyCap,
    HolidayRegion,
    HoursPeriod,
    parse_policy,
)

__all__ = ["CallingHours", "CallingPolicy", "FrequencyCap", "HolidayRegion", "HoursPeriod",
           "parse_policy"]
