"""The content-addressed file store: one file per SHA-256, written atomically, a full disk as 503."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from service.errors import NotFoundError, StorageUnavailableError
from service.storage.files import DISK_FULL_RETRY_AFTER, FileStore
from tests.storage.consistency import store_problems
from tests.storage.disks import small_disk


def _all_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_put_stores_the_bytes_under_their_sha256(files: FileStore) -> None:
    content = "会议通知".encode() * 100

    sha256 = files.put(content)

    assert sha256 == hashlib.sha256(content).hexdigest()
    assert files.path(sha256) == files.root / sha256[:2] / sha256[2:4] / sha256
    assert files.read(sha256) == content
    assert files.exists(sha256)
    assert files.size(sha256) == len(content)


def test_the_same_bytes_are_kept_once(files: FileStore) -> None:
    first = files.put(b"%PDF-1.7 same")
    second = files.put(b"%PDF-1.7 same")

    assert first == second
    assert _all_files(files.root) == [files.path(first)]


def test_an_unknown_file_is_not_found(files: FileStore) -> None:
    unknown = hashlib.sha256(b"never stored").hexdigest()

    assert not files.exists(unknown)
    with pytest.raises(NotFoundError):
        files.read(unknown)


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "ABCDEF" * 11, "0" * 63, ""], ids=["path", "upper", "short", "empty"]
)
def test_a_name_that_is_not_a_sha256_names_nothing(files: FileStore, name: str) -> None:
    assert not files.exists(name)
    with pytest.raises(NotFoundError):
        files.path(name)


def test_a_full_disk_leaves_no_file_under_a_real_name(files: FileStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC while flushing: a 503 for the client, and neither the file nor its temporary copy remain."""
    files.put(b"already there")
    before = _all_files(files.root)

    def disk_full(_descriptor: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("service.storage.files.os.fsync", disk_full)
    with pytest.raises(StorageUnavailableError) as caught:
        files.put(b"does not fit")

    assert caught.value.status == 503
    assert "No space left on device" in caught.value.detail
    assert not files.exists(hashlib.sha256(b"does not fit").hexdigest())
    assert _all_files(files.root) == before


def test_an_unwritable_store_is_storage_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "files"
    blocker.write_text("a file where the store's directory should be")

    with pytest.raises(StorageUnavailableError):
        FileStore(blocker).put(b"content")


def test_a_really_full_disk_is_storage_unavailable_naming_the_store_and_leaves_no_half_file(tmp_path: Path) -> None:
    """ENOSPC from a real (tmpfs) disk in the middle of a write: the same as above, and writing works once freed."""
    content = os.urandom(256 * 1024)  # random: no page of it can be shared or compressed away
    with small_disk(tmp_path / "disk", 1 << 20) as disk:
        files = FileStore(disk.mount_point / "files")
        kept = files.put(b"already there")
        disk.fill(leave=64 * 1024)

        with pytest.raises(StorageUnavailableError) as caught:
            files.put(content)

        assert caught.value.status == 503
        assert caught.value.retry_after == DISK_FULL_RETRY_AFTER
        assert caught.value.detail.startswith(f"磁盘已满：文件存储{files.root}")
        assert f"No space left on device for the file store at {files.root}" in caught.value.detail
        assert not files.exists(hashlib.sha256(content).hexdigest())
        assert store_problems(files) == []
        assert files.read(kept) == b"already there"

        disk.free()
        assert files.read(files.put(content)) == content
        assert store_problems(files) == []
