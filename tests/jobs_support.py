"""Fakes at the edges for unit tests of tasks.jobs: a dict store and a recording queue."""

from __future__ import annotations


class DictStore:
    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def put(self, key: str, value: bytes) -> None:
        self.data[key] = value

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    def delete(self, key: str) -> None:
        self.data.pop(key, None)


class RecordingQueue:
    def __init__(self) -> None:
        self.store = DictStore()
        self.enqueued: list[int] = []

    def enqueue(self, job_id: int) -> None:
        self.enqueued.append(job_id)
