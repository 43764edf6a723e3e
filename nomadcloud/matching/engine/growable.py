"""Append-only numpy columns for postings and per-slot data: compact appends (4 bytes a
number in ``array.array`` buffers, not a Python object each), numpy arrays on demand."""

from __future__ import annotations

from array import array

import numpy as np

_CODES: dict[type[np.generic], str] = {
    np.float32: "f",
    np.int8: "b",
    np.int16: "h",
    np.int32: "i",
    np.int64: "q",
}


class Column:
    """One growable column of numbers."""

    __slots__ = ("_array", "_code", "_dtype", "_pending")

    def __init__(self, dtype: type[np.generic]) -> None:
        self._dtype = dtype
        self._code = _CODES[dtype]
        self._array = np.zeros(0, dtype=dtype)
        self._pending = array(self._code)

    def append(self, value: float) -> None:
        self._pending.append(value)  # type: ignore[arg-type]

    def extend(self, values: list[int] | list[float]) -> None:
        self._pending.extend(values)  # type: ignore[arg-type]

    def array(self) -> np.ndarray:
        if self._pending:
            fresh = np.frombuffer(self._pending, dtype=self._dtype)
            self._array = np.concatenate([self._array, fresh])
            self._pending = array(self._code)
        return self._array

    def __len__(self) -> int:
        return len(self._array) + len(self._pending)


class Postings:
    """Rows of (slot, value, value …) in append order, one Column each."""

    __slots__ = ("columns",)

    def __init__(self, *value_types: type[np.generic]) -> None:
        self.columns = (Column(np.int32), *(Column(t) for t in value_types))

    def append(self, slot: int, *values: float) -> None:
        self.columns[0].append(slot)
        for column, value in zip(self.columns[1:], values, strict=True):
            column.append(value)

    def arrays(self) -> tuple[np.ndarray, ...]:
        return tuple(column.array() for column in self.columns)

    def __len__(self) -> int:
        return len(self.columns[0])


class Rows:
    """A growable matrix of int8 rows of one width (sentence vectors, one per slot); a slot
    without a vector holds zeros. The width is set by the first vector. Rows are written in
    place into a buffer that doubles when full, so an update costs one row, not a copy."""

    __slots__ = ("_buffer", "_count", "width")

    def __init__(self) -> None:
        self.width = 0
        self._buffer = np.zeros((0, 0), dtype=np.int8)
        self._count = 0

    def append(self, row: np.ndarray | None) -> None:
        if row is not None and not self.width:
            self.width = len(row)
            self._buffer = np.zeros((max(1024, self._count * 2), self.width), dtype=np.int8)
        if self.width:
            if self._count == len(self._buffer):
                grown = np.zeros((len(self._buffer) * 2, self.width), dtype=np.int8)
                grown[: self._count] = self._buffer[: self._count]
                self._buffer = grown
            if row is not None and len(row) == self.width:
                self._buffer[self._count] = row
        self._count += 1

    def array(self) -> np.ndarray:
        """The rows so far (a view: valid until the next append)."""
        return self._buffer[: self._count] if self.width else self._buffer
