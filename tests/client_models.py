"""Requests as the platform's official Python client builds and serialises them.

The client's ``to_dict()`` is the JSON document of a model (member names as the API spells them,
nested models expanded); it leaves ``datetime`` values as objects, so that its own ``to_json()``
fails on a ``sendAt`` (a bug of this client version): the helper writes them as ISO 8601, as
the API expects. ``model_dump_json`` cannot be used instead: it drops the ``phoneNumber`` of a
Calls endpoint (the field is typed by its base class).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from pydantic import BaseModel

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def client_json(model: BaseModel) -> str:
    """The JSON text the client would send for ``model``."""
    return json.dumps(model.to_dict(), default=datetime.isoformat)  # type: ignore[attr-defined]


def us(when: datetime) -> int:
    """An aware datetime as integer microseconds since the epoch (exact, no float)."""
    return (when - EPOCH) // timedelta(microseconds=1)


def utc(*parts: int) -> int:
    """``datetime(*parts)`` in UTC, in microseconds."""
    return us(datetime(*parts, tzinfo=timezone.utc))  # type: ignore[arg-type,misc]


MINUTE = 60_000_000
SECOND = 1_000_000
