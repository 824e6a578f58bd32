"""Process probes for the conversion tests, read from /proc (no psutil): the pool's processes are found
by its work dir, which appears in the command line of every worker, oosplash and soffice.bin."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path


def processes_under(directory: Path) -> dict[int, str]:
    """Live (non-zombie) processes whose command line mentions `directory`: pid → command name."""
    needle = str(directory).encode()
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            stat = Path(f"/proc/{entry}/stat").read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        state = stat[stat.rindex(")") + 2 :].split()[0]
        if needle in cmdline and state not in ("Z", "X"):
            found[int(entry)] = stat[stat.index("(") + 1 : stat.rindex(")")]
    return found


def pid_alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return stat[stat.rindex(")") + 2 :].split()[0] not in ("Z", "X")


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting until {what}")
        time.sleep(0.05)
