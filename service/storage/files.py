"""The content-addressed file store: every file once, under its SHA-256 (root/ab/cd/<sha256>)."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
from pathlib import Path

from service.errors import NotFoundError, StorageUnavailableError, bilingual

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Seconds to wait before writing again to a full disk: space is freed by a person, not in a moment.
DISK_FULL_RETRY_AFTER = 60


def is_sha256(text: str) -> bool:
    return bool(_SHA256.match(text))


class FileStore:
    """Files named by the SHA-256 of their content, so the same bytes are kept once and never change.

    A write goes to a temporary file in the target's own directory, is flushed to disk and then renamed:
    a crash or a full disk leaves at most a stray temporary file, never a half file under a real name.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        """Where the file with this digest lives (whether or not it is there)."""
        if not is_sha256(sha256):
            # Also what keeps a digest taken from a URL from naming anything outside the store.
            raise NotFoundError(bilingual(f"文件标识无效：{sha256[:80]}", f"not a SHA-256 file id: {sha256[:80]!r}"))
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return is_sha256(sha256) and self.path(sha256).is_file()

    def put(self, content: bytes) -> str:
        """Store `content` (once) and return its SHA-256."""
        sha256 = hashlib.sha256(content).hexdigest()
        target = self.path(sha256)
        if target.is_file():
            return sha256
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(prefix=f".{sha256[:16]}.", suffix=".partial", dir=target.parent)
            try:
                with os.fdopen(descriptor, "wb") as stream:
                    stream.write(content)
                    stream.flush()
                    os.fsync(stream.fileno())
                os.chmod(temporary, 0o644)
                # Two writers of the same bytes may race here: either rename wins, and both wrote the same content.
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            _fsync_directory(target.parent)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StorageUnavailableError(
                    bilingual(
                        f"磁盘已满：文件存储{self.root}所在的磁盘没有剩余空间",
                        f"the disk is full: {exc.strerror} for the file store at {self.root}",
                    ),
                    retry_after=DISK_FULL_RETRY_AFTER,
                ) from exc
            raise StorageUnavailableError(
                bilingual(f"文件无法写入存储：{exc.strerror}", f"the file store cannot be written: {exc}")
            ) from exc
        return sha256

    def read(self, sha256: str) -> bytes:
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise self._missing(sha256) from None
        except OSError as exc:
            raise StorageUnavailableError(
                bilingual(f"文件无法读取：{exc.strerror}", f"the file store cannot be read: {exc}")
            ) from exc

    def size(self, sha256: str) -> int:
        try:
            return self.path(sha256).stat().st_size
        except FileNotFoundError:
            raise self._missing(sha256) from None

    @staticmethod
    def _missing(sha256: str) -> NotFoundError:
        return NotFoundError(bilingual(f"文件不存在：{sha256}", f"no stored file {sha256}"))


def _fsync_directory(directory: Path) -> None:
    # The rename is only durable once the directory entry is on disk too.
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
