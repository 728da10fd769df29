"""The sandbox's state: resources by collection, and answers kept for idempotency keys.

A *bucket* is a concrete collection path (``/contacts``, ``/contacts/ct_1/notes``), so
nested collections keep their items apart. Records keep their JSON bytes next to their
data: a read answers without serialising again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from harness.sandbox.responses import Answer, dump_json


@dataclass(frozen=True, slots=True)
class Record:
    id: str
    data: dict[str, Any]
    payload: bytes


class Store:
    """Resources by bucket and id, in creation order; thread-safe."""

    def __init__(self) -> None:
        self._buckets: dict[str, OrderedDict[str, Record]] = {}
        self._numbers: dict[str, int] = {}
        self._lock = threading.Lock()

    def get(self, bucket: str, rid: str) -> Record | None:
        items = self._buckets.get(bucket)
        return None if items is None else items.get(rid)

    def put(self, bucket: str, rid: str, data: dict[str, Any]) -> Record:
        record = Record(rid, data, dump_json(data))
        with self._lock:
            self._buckets.setdefault(bucket, OrderedDict())[rid] = record
        return record

    def remove(self, bucket: str, rid: str) -> Record | None:
        with self._lock:
            items = self._buckets.get(bucket)
            return None if items is None else items.pop(rid, None)

    def all(self, bucket: str) -> list[Record]:
        with self._lock:
            return list(self._buckets.get(bucket, {}).values())

    def count(self, bucket: str) -> int:
        return len(self._buckets.get(bucket, ()))

    def next_number(self, bucket: str, start: int = 1) -> int:
        """A fresh integer id for ``bucket`` (never reused, even after a delete)."""
        with self._lock:
            number = max(self._numbers.get(bucket, start - 1) + 1, start)
            while str(number) in self._buckets.get(bucket, {}):
                number += 1
            self._numbers[bucket] = number
            return number

    def owner(self, bucket: str, field: str, value: Any) -> str | None:
        """The id of the resource whose ``field`` equals ``value`` (text case-insensitively)."""
        wanted = value.lower() if isinstance(value, str) else value
        for record in self.all(bucket):
            held = record.data.get(field)
            if (held.lower() if isinstance(held, str) else held) == wanted:
                return record.id
        return None

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()
            self._numbers.clear()


class IdempotencyCache:
    """Answers by (client, operation, idempotency key), replayed for a repeated key."""

    def __init__(self, limit: int = 10_000) -> None:
        self._answers: OrderedDict[tuple[str, str, str], Answer] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str]) -> Answer | None:
        with self._lock:
            return self._answers.get(key)

    def put(self, key: tuple[str, str, str], outcome: Answer) -> None:
        with self._lock:
            self._answers[key] = outcome
            while len(self._answers) > self._limit:
                self._answers.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
