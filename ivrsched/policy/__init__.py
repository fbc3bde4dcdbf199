"""Calling policies (SPEC S15): recipient-local calling hours, closed dates, public holidays and
a rolling frequency cap per number, applied on top of a request's own rules.

Needs the ``policy`` extra (``pip install 'ivrsched[policy]'``: phonenumbers, holidays); the
modules import those packages only when a policy actually needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ivrsched._lazy import lazy_names

if TYPE_CHECKING:
    from ivrsched.policy.document import CallingHours as CallingHours
    from ivrsched.policy.document import CallingPolicy as CallingPolicy
    from ivrsched.policy.document import FrequencyCap as FrequencyCap
    from ivrsched.policy.document import HolidayRegion as HolidayRegion
    from ivrsched.policy.document import HoursPeriod as HoursPeriod
    from ivrsched.policy.document import parse_policy as parse_policy
    from ivrsched.policy.zone_summary import ZoneCount as ZoneCount
    from ivrsched.policy.zone_summary import ZoneSummary as ZoneSummary
    from ivrsched.policy.zone_summary import describe_zones as describe_zones
    from ivrsched.policy.zone_summary import summarize_zones as summarize_zones

#: Each public name and the module that defines it (imported on first use).
_NAMES = {
    "CallingHours": "ivrsched.policy.document",
    "CallingPolicy": "ivrsched.policy.document",
    "FrequencyCap": "ivrsched.policy.document",
    "HolidayRegion": "ivrsched.policy.document",
    "HoursPeriod": "ivrsched.policy.document",
    "parse_policy": "ivrsched.policy.document",
    "ZoneCount": "ivrsched.policy.zone_summary",
    "ZoneSummary": "ivrsched.policy.zone_summary",
    "describe_zones": "ivrsched.policy.zone_summary",
    "summarize_zones": "ivrsched.policy.zone_summary",
}

__all__ = [
    "CallingHours",
    "CallingPolicy",
    "FrequencyCap",
    "HolidayRegion",
    "HoursPeriod",
    "ZoneCount",
    "ZoneSummary",
    "describe_zones",
    "parse_policy",
    "summarize_zones",
]
__getattr__, __dir__ = lazy_names(__name__, _NAMES, globals())
