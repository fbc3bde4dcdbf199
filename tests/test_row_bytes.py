"""Rows assembled as byte matrices (ivrsched.io.row_bytes) and the block hashing of generated
messageIds: each piece equals the one-value-at-a-time text it replaces."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from ivrsched.ids import SeededIds, uuid4_text_of_digest
from ivrsched.io import row_bytes


def _rows(matrix: row_bytes.ByteMatrix) -> list[str]:
    """Each row of a matrix without its NUL padding."""
    return [bytes(row).replace(b"\x00", b"").decode("ascii") for row in matrix]


@given(st.lists(st.integers(0, 2**63 - 1), min_size=1, max_size=40))
def test_digits_are_the_decimal_text_of_each_value(values: list[int]) -> None:
    assert _rows(row_bytes.digits(np.array(values, dtype=np.int64))) == [str(v) for v in values]


def test_digits_of_zero_and_of_powers_of_ten() -> None:
    matrix = row_bytes.digits(np.array([0, 9, 10, 100], dtype=np.int64))
    assert matrix.shape == (4, 3)
    assert _rows(matrix) == ["0", "9", "10", "100"]
    assert bytes(matrix[0]) == b"\x00\x000"  # padded on the left


@given(st.lists(st.text("0123456789+abc-", max_size=20), min_size=1, max_size=30))
def test_ascii_texts_hold_each_text(texts: list[str]) -> None:
    assert _rows(row_bytes.ascii_texts(texts)) == texts


@given(st.lists(st.binary(min_size=16, max_size=16), min_size=1, max_size=30))
def test_uuid_texts_equal_the_one_at_a_time_text(digests: list[bytes]) -> None:
    matrix = row_bytes.uuid_texts(b"".join(digests))
    assert _rows(matrix) == [uuid4_text_of_digest(d) for d in digests]


def test_uuid_text_sets_the_version_and_variant_digits() -> None:
    # All bits set: version digit 4, variant digit b (10 followed by 11), hand-written.
    assert _rows(row_bytes.uuid_texts(b"\xff" * 16)) == ["ffffffff-ffff-4fff-bfff-ffffffffffff"]
    assert _rows(row_bytes.uuid_texts(bytes(16))) == ["00000000-0000-4000-8000-000000000000"]


def test_rows_bytes_lays_fields_end_to_end_and_bands_only_in_their_rows() -> None:
    text = row_bytes.rows_bytes(
        ["a", row_bytes.digits(np.array([5, 12, 7], dtype=np.int64)),
         row_bytes.Band(["<", row_bytes.ascii_texts(["x", "yz"]), ">"], 2), ";\n"], 3)
    assert text == b"a5<x>;\na12<yz>;\na7;\n"


def test_fill_writes_into_part_of_a_wider_matrix() -> None:
    matrix = np.zeros((2, 8), dtype=np.uint8)
    width = row_bytes.fill(matrix, ["k=", row_bytes.digits(np.array([3, 45], dtype=np.int64))])
    assert width == 4
    assert row_bytes.squeezed(matrix) == b"k=3k=45"


seeds = st.integers(-(10**30), 10**30) | st.text(max_size=12)


@given(seeds, st.integers(0, 5), st.integers(0, 10**12), st.integers(0, 40))
def test_message_digests_are_the_hashes_of_the_message_ids(seed: int | str, message: int,
                                                           start: int, count: int) -> None:
    ids = SeededIds(seed)
    digests = ids.message_digests(message, start, start + count)
    assert len(digests) == 16 * count
    assert [uuid4_text_of_digest(digests[16 * k:16 * k + 16]) for k in range(count)] == \
        [ids.message_id(message, start + k) for k in range(count)]


def test_message_digests_of_an_empty_range() -> None:
    assert SeededIds(1).message_digests(0, 5, 5) == b""
    assert SeededIds(1).message_digests(0, 5, 3) == b""
