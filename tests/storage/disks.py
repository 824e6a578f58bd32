"""A small real disk for the disk-full tests: a tmpfs mounted for one test, filled on demand, always unmounted.

Never skipped: where tmpfs cannot be mounted (not root, no CAP_SYS_ADMIN) the test fails and says so.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

FILLER_CHUNK = 1 << 20


class SmallDisk:
    """A mounted tmpfs; `fill` takes all its space but a little, `free` gives it back."""

    def __init__(self, mount_point: Path) -> None:
        self.mount_point = mount_point
        self.filler = mount_point / "filler"

    def available(self) -> int:
        stats = os.statvfs(self.mount_point)
        return stats.f_bavail * stats.f_frsize

    def fill(self, leave: int = 0) -> None:
        """Write a filler file until no more than `leave` bytes are left (tmpfs counts whole pages)."""
        with self.filler.open("ab", buffering=0) as stream:
            while (room := self.available() - leave) > 0:
                try:
                    stream.write(b"\0" * min(room, FILLER_CHUNK))
                except OSError:
                    break  # full before `leave` was reached: tmpfs gives out whole pages

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)


@contextmanager
def small_disk(mount_point: Path, size: int) -> Iterator[SmallDisk]:
    """A tmpfs of `size` bytes at `mount_point` (made if missing) while the block runs."""
    mount_point.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.fail(
            f"cannot mount a tmpfs at {mount_point}: {mounted.stderr.strip()}; "
            "the disk-full tests need root (or CAP_SYS_ADMIN) to make a small real disk",
            pytrace=False,
        )
    try:
        yield SmallDisk(mount_point)
    finally:
        unmounted = subprocess.run(["umount", str(mount_point)], capture_output=True, text=True, check=False)
        if unmounted.returncode != 0:
            # Still in use by something the test left open: detach it now, it goes once that lets go.
            subprocess.run(["umount", "--lazy", str(mount_point)], check=True)
