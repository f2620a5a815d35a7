"""The FileStore contract, run against every backend (local, memory, s3 on moto)."""

from __future__ import annotations

import hashlib
import io
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from poser.storage import FileStore, FsspecFileStore, InvalidKey
from poser.storage.fsspec_store import CHUNK_SIZE

MiB = 1024 * 1024


class ChunkedStream(io.RawIOBase):
    """A binary stream of ``total`` pseudo-random bytes that records each read size,
    optionally calling ``during`` or raising after ``fail_after`` bytes."""

    def __init__(
        self,
        total: int,
        *,
        fail_after: int | None = None,
        during: Callable[[], None] | None = None,
    ) -> None:
        self.total = total
        self.sent = 0
        self.fail_after = fail_after
        self.during = during
        self.read_sizes: list[int] = []
        self.sha256 = hashlib.sha256()
        self._random = random.Random(total)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.read_sizes.append(size)
        if self.fail_after is not None and self.sent >= self.fail_after:
            raise ConnectionResetError("client went away mid-upload")
        if self.during is not None and self.sent > 0:
            self.during()
        count = min(self.total - self.sent if size < 0 else size, self.total - self.sent)
        chunk = self._random.randbytes(count)
        self.sent += count
        self.sha256.update(chunk)
        return chunk


def raw_paths(store: FsspecFileStore) -> list[str]:
    """Every file really under the store's root, temporaries included."""
    return list(store.fs.find(store.root))


# -- write and read ----------------------------------------------------------------


def test_stores_are_file_stores(store: FsspecFileStore) -> None:
    assert isinstance(store, FileStore)
    assert store.list() == []


def test_write_bytes_and_read_back(store: FileStore) -> None:
    assert store.write("uploads/a.csv", b"sku,price\n1,2\n") == 14
    assert store.read_bytes("uploads/a.csv") == b"sku,price\n1,2\n"
    assert store.exists("uploads/a.csv")
    assert store.size("uploads/a.csv") == 14


@pytest.mark.parametrize(
    "make_data",
    [lambda: bytearray(b"payload"), lambda: memoryview(b"payload"), lambda: io.BytesIO(b"payload")],
    ids=["bytearray", "memoryview", "stream"],
)
def test_write_accepts_bytes_like_and_streams(
    store: FileStore, make_data: Callable[[], Any]
) -> None:
    assert store.write("k", make_data()) == 7
    assert store.read_bytes("k") == b"payload"


def test_write_empty_file(store: FileStore) -> None:
    assert store.write("empty", b"") == 0
    assert store.exists("empty")
    assert store.size("empty") == 0
    assert store.read_bytes("empty") == b""


def test_write_replaces_existing_file(store: FileStore) -> None:
    store.write("k", b"old and longer")
    store.write("k", b"new")
    assert store.read_bytes("k") == b"new"
    assert store.list() == ["k"]


@pytest.mark.parametrize(
    "make_data",
    [lambda: "text", lambda: io.StringIO("text"), lambda: 42],
    ids=["str", "text-stream", "int"],
)
def test_write_rejects_text_and_other_types(
    store: FsspecFileStore, make_data: Callable[[], Any]
) -> None:
    with pytest.raises(TypeError):
        store.write("k", make_data())
    assert not store.exists("k")
    assert raw_paths(store) == []


def test_open_streams_the_file(store: FileStore) -> None:
    store.write("big", bytes(range(256)) * 1000)
    with store.open("big") as stream:
        first = stream.read(1000)
        rest = stream.read()
    assert first == bytes(range(256)) * 3 + bytes(range(232))
    assert first + rest == bytes(range(256)) * 1000


def test_readers_are_independent(store: FileStore) -> None:
    store.write("k", b"0123456789")
    with store.open("k") as one, store.open("k") as two:
        assert one.read(4) == b"0123"
        assert two.read(2) == b"01"
        assert one.read() == b"456789"
        assert two.read() == b"23456789"


def test_streaming_write_of_20_mib(store: FileStore) -> None:
    source = ChunkedStream(20 * MiB)
    assert store.write("exports/big.bin", source) == 20 * MiB
    # Copied chunk by chunk: never one read of the whole stream.
    assert all(0 < size <= CHUNK_SIZE for size in source.read_sizes)
    assert len(source.read_sizes) > 20
    assert store.size("exports/big.bin") == 20 * MiB
    digest = hashlib.sha256()
    with store.open("exports/big.bin") as stream:
        while chunk := stream.read(MiB):
            digest.update(chunk)
    assert digest.hexdigest() == source.sha256.hexdigest()


# -- atomicity -----------------------------------------------------------------------


def test_failed_stream_leaves_nothing(store: FsspecFileStore) -> None:
    source = ChunkedStream(12 * MiB, fail_after=10 * MiB)
    with pytest.raises(ConnectionResetError):
        store.write("uploads/partial.csv", source)
    assert not store.exists("uploads/partial.csv")
    assert store.list() == []
    # Not just hidden from list(): the temporary file is gone too.
    assert raw_paths(store) == []


def test_failed_stream_keeps_the_previous_file(store: FsspecFileStore) -> None:
    store.write("report.csv", b"previous")
    with pytest.raises(ConnectionResetError):
        store.write("report.csv", ChunkedStream(3 * MiB, fail_after=2 * MiB))
    assert store.read_bytes("report.csv") == b"previous"
    assert store.list() == ["report.csv"]
    assert len(raw_paths(store)) == 1


def test_readers_never_see_a_half_written_file(store: FileStore) -> None:
    store.write("exports/today.csv", b"yesterday")
    seen: list[tuple[bytes, list[str]]] = []

    def look() -> None:
        seen.append((store.read_bytes("exports/today.csv"), store.list()))

    source = ChunkedStream(3 * MiB, during=look)
    store.write("exports/today.csv", source)
    assert seen
    assert all(entry == (b"yesterday", ["exports/today.csv"]) for entry in seen)
    assert store.size("exports/today.csv") == 3 * MiB


def test_new_file_is_invisible_until_written(store: FileStore) -> None:
    seen: list[tuple[bool, list[str]]] = []
    store.write(
        "new.bin",
        ChunkedStream(2 * MiB, during=lambda: seen.append((store.exists("new.bin"), store.list()))),
    )
    assert seen
    assert all(entry == (False, []) for entry in seen)
    assert store.exists("new.bin")


# -- missing keys and folders --------------------------------------------------------

READERS: dict[str, Callable[[FileStore, str], object]] = {
    "open": lambda store, key: store.open(key).close(),
    "read_bytes": lambda store, key: store.read_bytes(key),
    "size": lambda store, key: store.size(key),
    "modified": lambda store, key: store.modified(key),
    "remove": lambda store, key: store.remove(key),
    "move": lambda store, key: store.move(key, "elsewhere"),
}


@pytest.mark.parametrize("operation", READERS.values(), ids=READERS.keys())
def test_missing_key_raises_file_not_found(
    store: FileStore, operation: Callable[..., object]
) -> None:
    store.write("present", b"x")
    with pytest.raises(FileNotFoundError):
        operation(store, "absent")
    assert store.list() == ["present"]


@pytest.mark.parametrize("operation", READERS.values(), ids=READERS.keys())
def test_a_folder_is_not_a_file(store: FileStore, operation: Callable[..., object]) -> None:
    store.write("batches/7/input.csv", b"x")
    with pytest.raises(FileNotFoundError):
        operation(store, "batches/7")
    assert not store.exists("batches/7")
    assert store.list() == ["batches/7/input.csv"]


# -- move, remove, list --------------------------------------------------------------


def test_move(store: FileStore) -> None:
    store.write("uploads/u1.csv", b"rows")
    store.move("uploads/u1.csv", "batches/price/1/input.csv")
    assert not store.exists("uploads/u1.csv")
    assert store.read_bytes("batches/price/1/input.csv") == b"rows"
    assert store.list() == ["batches/price/1/input.csv"]


def test_move_replaces_the_destination(store: FileStore) -> None:
    store.write("a", b"new")
    store.write("b", b"old")
    store.move("a", "b")
    assert store.list() == ["b"]
    assert store.read_bytes("b") == b"new"


def test_move_onto_itself_keeps_the_file(store: FileStore) -> None:
    store.write("a", b"data")
    store.move("a", "a")
    assert store.read_bytes("a") == b"data"


def test_remove(store: FileStore) -> None:
    store.write("a/1", b"x")
    store.write("a/2", b"y")
    store.remove("a/1")
    assert not store.exists("a/1")
    assert store.list() == ["a/2"]


def test_remove_tree(store: FileStore) -> None:
    for key in (
        "batch/1/in.csv",
        "batch/1/out/report.csv",
        "batch/10/in.csv",
        "batch/1.csv",
        "other",
    ):
        store.write(key, b"x")
    store.remove_tree("batch/1")
    assert store.list() == ["batch/1.csv", "batch/10/in.csv", "other"]
    store.remove_tree("batch/")
    assert store.list() == ["other"]
    store.remove_tree("never/written")
    assert store.list() == ["other"]


def test_remove_tree_refuses_the_whole_store(store: FileStore) -> None:
    store.write("keep", b"x")
    with pytest.raises(InvalidKey):
        store.remove_tree("")
    assert store.list() == ["keep"]


def test_list(store: FileStore) -> None:
    for key in ("b/2.csv", "a.csv", "b/1.csv", "b/c/3.csv", "bb/4.csv"):
        store.write(key, b"x")
    assert store.list() == ["a.csv", "b/1.csv", "b/2.csv", "b/c/3.csv", "bb/4.csv"]
    # A folder, not a string prefix: "b" does not take in "bb".
    assert store.list("b") == ["b/1.csv", "b/2.csv", "b/c/3.csv"]
    assert store.list("b/") == store.list("b")
    assert store.list("b/c") == ["b/c/3.csv"]
    assert store.list("a.csv") == []
    assert store.list("missing") == []


def test_glob_characters_are_plain_characters(store: FileStore) -> None:
    for key in ("report[1].csv", "report1.csv", "dir[1]/x", "dir1/x", "star*", "starry"):
        store.write(key, b"x")
    store.remove("report[1].csv")
    store.move("star*", "moved*")
    store.remove_tree("dir[1]")
    assert store.list() == ["dir1/x", "moved*", "report1.csv", "starry"]


def test_modified_is_an_aware_utc_datetime(store: FileStore) -> None:
    before = datetime.now(UTC)
    store.write("k", b"x")
    after = datetime.now(UTC)
    modified = store.modified("k")
    assert modified.tzinfo is UTC
    # S3 keeps whole seconds; allow for that and a little clock skew.
    assert before - timedelta(seconds=2) <= modified <= after + timedelta(seconds=2)


# -- keys ------------------------------------------------------------------------------

BAD_KEYS = [
    "/etc/passwd",
    "/",
    "..",
    "../outside",
    "a/../../outside",
    "a/..",
    ".",
    "./a",
    "a/./b",
    "a//b",
    "//a",
    "a\\b",
    "..\\outside",
    "a\x00b",
    "a\nb",
    "a\rb",
    "a\tb",
    "a\x7fb",
    "a\x85b",
    "a\u2028b",
    "a\ud800b",
    " a",
    "a ",
    "a/ b",
    "a /b",
    "a/b\u00a0",
    ".poser-tmp-0123",
    "a/.poser-tmp-0123",
    "x" * 256,
    "/".join(["y" * 200] * 6),
]

OPERATIONS: dict[str, Callable[[FileStore, Any], object]] = {
    "write": lambda store, key: store.write(key, b"x"),
    "open": lambda store, key: store.open(key),
    "read_bytes": lambda store, key: store.read_bytes(key),
    "exists": lambda store, key: store.exists(key),
    "move-src": lambda store, key: store.move(key, "ok"),
    "move-dst": lambda store, key: store.move("ok", key),
    "remove": lambda store, key: store.remove(key),
    "remove_tree": lambda store, key: store.remove_tree(key),
    "list": lambda store, key: store.list(key),
    "size": lambda store, key: store.size(key),
    "modified": lambda store, key: store.modified(key),
}


#: Folder operations take "" (list: the whole store) and a trailing "/".
PREFIX_OPERATIONS = {"list", "remove_tree"}


def not_rejected(store: FileStore, key: object, operations: list[str]) -> list[str]:
    """The operations that do not raise InvalidKey for ``key`` (one test per key and
    backend, all operations in it: a thousand tiny tests would add nothing but time)."""
    accepted = []
    for name in operations:
        try:
            OPERATIONS[name](store, key)
        except InvalidKey:
            continue
        accepted.append(name)
    return accepted


@pytest.mark.parametrize("key", BAD_KEYS)
def test_bad_keys_are_rejected_by_every_operation(store: FsspecFileStore, key: str) -> None:
    store.write("ok", b"x")
    assert not_rejected(store, key, list(OPERATIONS)) == []
    assert raw_paths(store) == [f"{store.root}/ok"]


@pytest.mark.parametrize(
    "key", [None, b"bytes", 3, Path("a")], ids=["None", "bytes", "int", "path"]
)
def test_non_string_keys_are_rejected(store: FileStore, key: object) -> None:
    assert not_rejected(store, key, list(OPERATIONS)) == []


def test_empty_key_is_rejected(store: FileStore) -> None:
    assert not_rejected(store, "", list(OPERATIONS)) == ["list"]


def test_trailing_slash_only_in_folder_prefixes(store: FileStore) -> None:
    store.write("a/b", b"x")
    assert not_rejected(store, "a/", list(OPERATIONS)) == ["remove_tree", "list"]
    assert store.list() == []


GOOD_KEYS = [
    "a",
    "a/b/c/d.csv",
    ".hidden",
    "...",
    "a..b/c..d",
    "trailing.dot.",
    "with space/inner space.txt",
    "ünïcødé/файл 東京.csv",
    "emoji-\U0001f4c8.xlsx",
    "%2e%2e/escaped",
    "~user/file",
    "C:/file",
    "file:name",
    "x" * 255,
]


@pytest.mark.parametrize("key", GOOD_KEYS)
def test_good_keys_work_everywhere(store: FileStore, key: str) -> None:
    assert store.write(key, b"content") == 7
    assert store.exists(key)
    assert store.list() == [key]
    assert store.read_bytes(key) == b"content"
    assert store.size(key) == 7
    assert store.modified(key).tzinfo is UTC
    store.move(key, f"moved/{key}")
    assert store.list() == [f"moved/{key}"]
    store.remove(f"moved/{key}")
    assert store.list() == []


@pytest.mark.parametrize("backend", ["local"])
def test_local_keys_stay_below_the_root(store: FsspecFileStore, tmp_path: Path) -> None:
    # The store's root is tmp_path/files: "../outside" would land in tmp_path.
    for key in BAD_KEYS:
        with pytest.raises(InvalidKey):
            store.write(key, b"x")
    assert list(tmp_path.iterdir()) == []
    store.write("inside", b"x")
    assert sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*")) == [
        "files",
        "files/inside",
    ]


@pytest.mark.parametrize("backend", ["s3"])
def test_s3_failed_write_leaves_no_multipart_upload(store: FsspecFileStore) -> None:
    with pytest.raises(ConnectionResetError):
        store.write("big", ChunkedStream(20 * MiB, fail_after=17 * MiB))
    bucket, prefix = store.root.split("/", 1)
    uploads = store.fs.list_multipart_uploads(bucket)
    assert [upload["Key"] for upload in uploads if upload["Key"].startswith(prefix)] == []
    assert raw_paths(store) == []
