"""Generated identifiers (SPEC S8), injectable and reproducible.

A plan may be asked for the i-th destination's messageId without producing the others, so an ID
source maps a position to an ID instead of handing out IDs in sequence.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from ivrsched.abc import IdSource

#: uuid.UUID(version=4) keeps the top two bits of hex digit 16 as the RFC 4122 variant, 10.
_VARIANT_DIGIT = {digit: "89ab"[int(digit, 16) & 0b11] for digit in "0123456789abcdef"}


def _uuid4_text(hex_digest: str) -> str:
    """The text of ``uuid.UUID(hex=hex_digest, version=4)``, without building the object
    (half the cost, which matters when writing millions of IDs)."""
    h = hex_digest
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT_DIGIT[h[16]]}{h[17:20]}-{h[20:]}"


@dataclass(frozen=True)
class SeededIds:
    """UUID-4-shaped IDs derived from a seed by hashing: the same seed gives the same IDs."""

    seed: int | str

    def _uuid(self, *parts: int | str) -> str:
        text = repr((self.seed, *parts))
        return _uuid4_text(hashlib.blake2b(text.encode(), digest_size=16).hexdigest())

    def bulk_id(self) -> str:
        """The bulkId this seed generates."""
        return self._uuid("bulk")

    def message_id(self, message: int, index: int) -> str:
        """The messageId this seed generates for destination ``index`` of message ``message``."""
        return self._uuid("message", message, index)

    def message_ids(self, message: int) -> Callable[[int], str]:
        """``index -> message_id(message, index)``, with the hashed text's common head built
        once (for streaming many IDs of one message)."""
        head = repr((self.seed, "message", message))[:-1] + ", "
        blake2b = hashlib.blake2b

        def message_id(index: int) -> str:
            return _uuid4_text(blake2b(f"{head}{index!r})".encode(), digest_size=16).hexdigest())

        return message_id

    def message_digests(self, message: int, start: int, stop: int) -> bytes:
        """The 16-byte hashes behind ``message_id(message, i)`` for ``start <= i < stop``, end
        to end: the messageId is the digest's hex text with the UUID version and variant bits
        set (:func:`uuid4_text_of_digest`). Hashing a block this way loops in C, which is what
        writers of millions of rows need."""
        if stop <= start:
            return b""
        head = repr((self.seed, "message", message))[:-1] + ", "
        # The texts hashed, "(seed, 'message', m, i)" for each i, split out of one string.
        joined = (head + (")\n" + head).join(map(str, range(start, stop))) + ")").encode()
        hashes = map(partial(hashlib.blake2b, digest_size=16), joined.split(b"\n"))
        return b"".join(map(hashlib.blake2b.digest, hashes))


def uuid4_text_of_digest(digest: bytes) -> str:
    """The messageId :class:`SeededIds` makes of one 16-byte digest."""
    return _uuid4_text(digest.hex())


def generated_message_ids(ids: IdSource, message: int) -> Callable[[int], str]:
    """``index -> ids.message_id(message, index)``, with :meth:`SeededIds.message_ids`' fast
    path when available."""
    if isinstance(ids, SeededIds):
        return ids.message_ids(message)
    return partial(ids.message_id, message)


def message_id_namer(ids: IdSource, message: int) -> Callable[[int, str | None], str]:
    """``(index, given) -> messageId`` of destination ``index`` of message ``message`` (S8):
    the messageId it was given, else the one ``ids`` generates. The one place that fallback is
    written; every plan, stream, simulation and verifier names destinations through it."""
    generate = generated_message_ids(ids, message)

    def name(index: int, given: str | None) -> str:
        return given if given is not None else generate(index)

    return name


def random_ids() -> SeededIds:
    """An ID source with a fresh random seed (the default when none is injected)."""
    return SeededIds(secrets.token_hex(16))


__all__ = ["IdSource", "SeededIds", "generated_message_ids", "message_id_namer", "random_ids",
           "uuid4_text_of_digest"]
