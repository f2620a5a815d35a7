"""A catalog file read into chunks of row records, by a second process when it is big.

Reading and checking the lines of a 200,000-line file costs about 2 s of pure Python,
and comparing and inserting them about as much again. A thread cannot overlap the two
halves: both hold the GIL most of the time (bench/bench_catalog.py measures a
read-ahead thread at about the sum of both). A process can, on the second core: it
parses and checks the lines while this one compares and inserts the chunk before.

Starting a process costs a few tenths of a second (it imports this package), so a
file under `PROCESS_MIN_BYTES` is read by a thread (`rows.read_ahead`). The process
reads a local copy of the stored file, so any storage backend works, and hands back
each chunk through a pipe; a pipe holds little, so the child waits while this side is
busy and memory holds about two chunks, whatever the file's size.
"""

from __future__ import annotations

import os
import pickle
import queue
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from poser.tasks.batches.catalog.rows import CHUNK_ROWS, read_ahead, read_row
from poser.utils.tabular import Columns, TabularError, open_table

#: Files from this size are read by a second process (about 25,000 catalog lines).
PROCESS_MIN_BYTES = 2 * 1024 * 1024
_COPY_BLOCK = 1024 * 1024
#: Chunks the child may read ahead of this side.
_AHEAD = 3
_FRAME_HEADER = struct.Struct("<Q")
# Where the poser package is, for the child to import it from.
_SOURCE_ROOT = Path(__file__).resolve().parents[3]

Chunk = list[dict[str, Any]]


@dataclass
class CatalogChunks:
    """The file's column keys, whether it has rows under its header, where they were
    read (`Table.read_from`: the sheet and the header's line, in the operator's words),
    its rows as chunks of records (iterate once), and the reading process's id (None:
    a thread)."""

    headers: tuple[str, ...]
    has_rows: bool
    read_from: str
    chunks: Iterator[Chunk]
    process_id: int | None = None


@contextmanager
def read_chunks(
    stream: BinaryIO,
    name: str,
    columns: Columns,
    batch_id: int,
    data_set_id: int,
    *,
    size: int = CHUNK_ROWS,
    process_min_bytes: int | None = None,
) -> Iterator[CatalogChunks]:
    """The rows of ``stream`` (a stored catalog file) as chunks of `read_row` records.

    A file that cannot be read raises `TabularError`, when it is opened or at the
    chunk where the problem is, as `open_table` does.
    """
    if process_min_bytes is None:
        process_min_bytes = PROCESS_MIN_BYTES
    with ExitStack() as stack:
        spool = stack.enter_context(tempfile.NamedTemporaryFile(prefix="poser-catalog-"))
        copied = _copy_up_to(stream, spool, process_min_bytes)
        if copied < process_min_bytes:
            spool.seek(0)
            table = stack.enter_context(open_table(spool, name, columns=columns))
            yield CatalogChunks(
                table.headers,
                table.has_rows,
                table.read_from,
                read_ahead(table, batch_id, data_set_id, size, decimal_mark=table.decimal_mark),
            )
            return
        shutil.copyfileobj(stream, spool, _COPY_BLOCK)
        spool.flush()
        child = stack.enter_context(
            _ChildReader(spool.name, name, columns, batch_id, data_set_id, size)
        )
        yield CatalogChunks(
            child.headers, child.has_rows, child.read_from, child.chunks(), child.process_id
        )


def _copy_up_to(stream: BinaryIO, spool: Any, limit: int) -> int:
    copied = 0
    while copied < limit:
        block = stream.read(_COPY_BLOCK)
        if not block:
            break
        spool.write(block)
        copied += len(block)
    return copied


class _ChildReader:
    """The reading process, and this side of its pipe.

    A thread of this side moves the child's messages out of the pipe as they come
    (it waits on the pipe without the GIL), so the child can read up to
    `_AHEAD` chunks ahead of a slow chunk here instead of waiting for each `recv`.
    """

    def __init__(
        self, path: str, name: str, columns: Columns, batch_id: int, data_set_id: int, size: int
    ) -> None:
        # A fresh interpreter, not multiprocessing: fork would copy a worker's threads
        # and connections half-way through whatever they were doing, and spawn runs the
        # caller's __main__ again, which a script without a main guard does not survive.
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(
            filter(None, (str(_SOURCE_ROOT), environment.get("PYTHONPATH")))
        )
        # Messages come on a pipe of their own: whatever a library prints to the child's
        # stdout cannot get mixed into them.
        receive, send = os.pipe()
        try:
            self._process = subprocess.Popen(  # noqa: S603 - our own module, no shell
                [sys.executable, "-m", __name__, str(send)],
                stdin=subprocess.PIPE,
                env=environment,
                pass_fds=(send,),
            )
        finally:
            os.close(send)  # the child holds it now: its end is the pipe's end
        self._receive = os.fdopen(receive, "rb")
        self.process_id = self._process.pid
        stdin = self._process.stdin
        assert stdin is not None
        with stdin:
            pickle.dump((path, name, columns, batch_id, data_set_id, size), stdin)
        self._frames: queue.Queue[bytes | None] = queue.Queue(maxsize=_AHEAD)
        self._stop = threading.Event()
        self._pump = threading.Thread(target=self._move_frames, name="catalog-pipe", daemon=True)
        self._pump.start()
        self.headers: tuple[str, ...] = ()
        self.has_rows = False
        self.read_from = ""

    def __enter__(self) -> _ChildReader:
        try:
            self.headers, self.has_rows, self.read_from = self._next("table")
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def chunks(self) -> Iterator[Chunk]:
        while (chunk := self._next("rows")) is not None:
            yield chunk

    def _move_frames(self) -> None:
        while not self._stop.is_set():
            frame = _read_frame(self._receive)
            while not self._stop.is_set():
                try:
                    self._frames.put(frame, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if frame is None:
                return

    def _next(self, expected: str) -> Any:
        frame = self._frames.get()
        if frame is None:
            code = self._process.wait(5)
            raise TabularError(f"the file reader stopped unexpectedly (exit code {code})")
        kind, *payload = pickle.loads(frame)  # noqa: S301 - our own child's messages
        if kind == "error":
            message, line = payload
            raise TabularError(message, line=line)
        if kind == "end":
            return None
        assert kind == expected, (kind, expected)
        return payload[0] if len(payload) == 1 else tuple(payload)

    def close(self) -> None:
        self._stop.set()
        if self._process.poll() is None:
            self._process.kill()  # the caller stopped early: an error, a cancelled job
        self._process.wait()
        self._pump.join()  # the child's end is gone: its read ends
        self._receive.close()


def _read_frame(stream: BinaryIO) -> bytes | None:
    """One message's bytes, or None at the end of the pipe."""
    header = stream.read(_FRAME_HEADER.size)
    if len(header) < _FRAME_HEADER.size:
        return None
    (length,) = _FRAME_HEADER.unpack(header)
    frame = stream.read(length)
    return frame if len(frame) == length else None


def _read_in_child(
    path: str, name: str, columns: Columns, batch_id: int, data_set_id: int, size: int
) -> Iterator[tuple[Any, ...]]:
    """The messages the child sends: the table, chunks of rows, then the end (or an
    error, as a message and a line: what TabularError holds)."""
    try:
        with open(path, "rb") as stream, open_table(stream, name, columns=columns) as table:
            yield ("table", table.headers, table.has_rows, table.read_from)
            mark = table.decimal_mark
            chunk: Chunk = []
            for row in table:
                chunk.append(read_row(row, batch_id, data_set_id, decimal_mark=mark))
                if len(chunk) >= size:
                    yield ("rows", chunk)
                    chunk = []
            if chunk:
                yield ("rows", chunk)
        yield ("end",)
    except TabularError as error:
        yield ("error", error.message, error.line)


def _child_main(send: int) -> None:
    arguments = pickle.load(sys.stdin.buffer)  # noqa: S301 - from the parent, our own
    with os.fdopen(send, "wb") as out:
        try:
            for message in _read_in_child(*arguments):
                frame = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
                out.write(_FRAME_HEADER.pack(len(frame)))
                out.write(frame)
                out.flush()
        except BrokenPipeError:
            pass  # the parent stopped reading


if __name__ == "__main__":
    _child_main(int(sys.argv[1]))
