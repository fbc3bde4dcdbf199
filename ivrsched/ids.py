"""Generated identifiers (SPEC S8), injectable and reproducible.

A plan may be asked for the i-th destination's messageId without producing the others, so an ID
source maps a position to an ID instead of handing out IDs in sequence.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Protocol


class IdSource(Protocol):
    """Where generated ``bulkId`` and ``messageId`` values come from."""

    def bulk_id(self) -> str:
        """The bulkId of a request that gave none."""
        ...

    def message_id(self, message: int, index: int) -> str:
        """The messageId of destination ``index`` of message ``message``, when it gave none."""
        ...


@dataclass(frozen=True)
class SeededIds:
    """UUID-4-shaped IDs derived from a seed by hashing: the same seed gives the same IDs."""

    seed: int | str

    def _uuid(self, *parts: int | str) -> str:
        digest = hashlib.blake2b(repr((self.seed, *parts)).encode(), digest_size=16).digest()
        return str(uuid.UUID(bytes=digest, version=4))

    def bulk_id(self) -> str:
        return self._uuid("bulk")

    def message_id(self, message: int, index: int) -> str:
        return self._uuid("message", message, index)


def random_ids() -> SeededIds:
    """An ID source with a fresh random seed (the default when none is injected)."""
    return SeededIds(secrets.token_hex(16))
