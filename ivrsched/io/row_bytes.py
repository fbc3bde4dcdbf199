"""Rows of text assembled as byte matrices: the chunked writers' fastest path.

A chunk of rows is laid out as one matrix of bytes, a row of the matrix per output row and a
band of columns per field, each field as wide as its widest value. Narrower values are padded
with NUL bytes (left of a number's digits, right of a text), which no row of the writers may
contain (JSON escapes it, and only rows needing no escape come here), so dropping every NUL
from the matrix's bytes leaves exactly the rows, joined. Every step is a NumPy copy or a single
pass of ``bytes.replace`` in C: no Python object is made per row or per field.

Needs NumPy (the ``fast`` extra), as :mod:`ivrsched.io.chunked` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ivrsched.rules.vector import Int64Array

ByteMatrix = NDArray[np.uint8]
#: A field: the same text in every row (``str``), or one value per row (a matrix).
Field = str | ByteMatrix

#: The two hex digits of each byte value, as ASCII, read as one 16-bit value (a look-up in
#: this table copies both digits at once).
_HEX = np.frombuffer("".join(f"{b:02x}" for b in range(256)).encode(), dtype=np.uint16)
#: Where a UUID's five groups of hex digits go in its 36 characters (between them, the four
#: hyphens): (position in the text, position in the 32 digits, width).
_UUID_GROUPS = ((0, 0, 8), (9, 8, 4), (14, 12, 4), (19, 16, 4), (24, 20, 12))


def digits(values: Int64Array) -> ByteMatrix:
    """The decimal text of each non-negative value, right-aligned and NUL-padded on the left
    (``0`` is ``"0"``)."""
    if not values.size:
        return np.empty((0, 1), dtype=np.uint8)
    width = len(str(int(values.max())))
    powers = np.int64(10) ** np.arange(width - 1, -1, -1, dtype=np.int64)
    shifted = values[:, None] // powers
    text = (shifted % 10 + 48).astype(np.uint8)
    # A leading zero is padding, except the last digit (the value 0 itself).
    text[:, :-1][shifted[:, :-1] == 0] = 0
    return text


def ascii_texts(texts: Sequence[str]) -> ByteMatrix:
    """Texts of ASCII characters, NUL-padded on the right to the longest."""
    array = np.array(texts, dtype=bytes)
    if not array.size:
        return np.empty((0, 1), dtype=np.uint8)
    return array.view(np.uint8).reshape(array.size, array.dtype.itemsize)


def byte_texts(texts: NDArray[Any]) -> ByteMatrix:
    """A NumPy array of bytes (such as rendered instants) as a byte matrix, not copied."""
    return texts.view(np.uint8).reshape(texts.size, texts.dtype.itemsize)


def uuid_texts(digests: bytes) -> ByteMatrix:
    """The UUID-4 text of each 16-byte digest (version 4, RFC 4122 variant), as
    ``ivrsched.ids.uuid4_text_of_digest`` writes it one at a time."""
    raw = np.frombuffer(digests, dtype=np.uint8).reshape(-1, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # the version digit: 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # the variant digit: 8, 9, a or b
    hexes = _HEX[raw].view(np.uint8)
    out = np.full((raw.shape[0], 36), ord("-"), dtype=np.uint8)
    for text_at, hex_at, width in _UUID_GROUPS:
        out[:, text_at:text_at + width] = hexes[:, hex_at:hex_at + width]
    return out


@dataclass(frozen=True)
class Band:
    """Fields that only the first ``count`` rows have (such as a later attempt): NUL in the
    other rows."""

    parts: Sequence[Field]
    count: int


def fill(target: ByteMatrix, parts: Sequence[Field | Band]) -> int:
    """Lay ``parts`` side by side into the rows of ``target`` from its first column; returns
    the width used. The texts of every row are laid once, as one template row broadcast
    into all rows, before the per-row fields are copied over it."""
    flat = [(part, None) if not isinstance(part, Band) else (inner, part.count)
            for part in parts for inner in (part.parts if isinstance(part, Band) else [part])]
    width = sum(len(part) if isinstance(part, str) else part.shape[1] for part, _ in flat)
    template = np.zeros(width, dtype=np.uint8)
    at = 0
    for part, _ in flat:
        if isinstance(part, str):
            template[at:at + len(part)] = np.frombuffer(part.encode("ascii"), dtype=np.uint8)
            at += len(part)
        else:
            at += part.shape[1]
    band = target[:, :width]
    band[:] = template
    at = 0
    for part, count in flat:
        step = len(part) if isinstance(part, str) else part.shape[1]
        if count is not None:
            band[count:, at:at + step] = 0
        if not isinstance(part, str):
            rows = target.shape[0] if count is None else count
            band[:rows, at:at + step] = part[:rows]
        at += step
    return width


def width_of(parts: Sequence[Field | Band]) -> int:
    """The width :func:`fill` uses for ``parts``."""
    return sum(width_of(part.parts) if isinstance(part, Band)
               else len(part) if isinstance(part, str) else part.shape[1] for part in parts)


def rows_matrix(parts: Sequence[Field | Band], rows: int) -> ByteMatrix:
    """The byte matrix of ``rows`` rows made of ``parts``."""
    matrix = np.empty((rows, width_of(parts)), dtype=np.uint8)
    fill(matrix, parts)
    return matrix


def rows_bytes(parts: Sequence[Field | Band], rows: int) -> bytes:
    """The ``rows`` rows made of ``parts`` laid end to end, joined (ASCII bytes)."""
    return squeezed(rows_matrix(parts, rows))


def squeezed(matrix: NDArray[np.uint8]) -> bytes:
    """A matrix's bytes in row order without their NUL padding: ASCII text, kept as bytes
    (decoding them only for a text stream to encode them again would cost as much as making
    them; :mod:`ivrsched.io.chunked` writes them to byte streams as they are)."""
    return matrix.tobytes().replace(b"\x00", b"")


__all__ = [
    "Band",
    "ascii_texts",
    "byte_texts",
    "digits",
    "fill",
    "rows_bytes",
    "rows_matrix",
    "squeezed",
    "uuid_texts",
    "width_of",
]
