"""The benchmarks' view of processes, from /proc: the service's tree, RSS, CPU time, and leftovers."""

from __future__ import annotations

import math
import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    pgid: int
    comm: str
    rss_kb: int
    cmdline: str


def list_processes() -> dict[int, Proc]:
    """Every live (non-zombie) process, from /proc."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
            status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8", errors="replace")
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] in ("Z", "X"):
            continue
        rss = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        found[pid] = Proc(pid, int(fields[1]), int(fields[2]), comm, int(rss.group(1)) if rss else 0, cmdline)
    return found


def process_tree(root: int, processes: dict[int, Proc] | None = None) -> list[Proc]:
    """`root` and its descendants, plus members of any process group one of them leads (orphaned offices)."""
    processes = list_processes() if processes is None else processes
    tree = {root} if root in processes else set()
    grew = True
    while grew:
        grew = False
        for proc in processes.values():
            if proc.pid not in tree and (proc.ppid in tree or proc.pgid in tree):
                tree.add(proc.pid)
                grew = True
    return [processes[pid] for pid in sorted(tree)]


def process_kind(proc: Proc) -> str:
    """What a process of the service's tree is, for the RSS and CPU breakdowns."""
    if "uno_worker" in proc.cmdline:
        return "UNO worker"
    if proc.comm.startswith("soffice") or "oosplash" in proc.comm:
        return proc.comm
    if "gongwen" in proc.cmdline or "gunicorn" in proc.cmdline:
        return "gongwen"
    return proc.comm


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (0 once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_busy_seconds() -> float:
    """CPU time all cores spent on anything but idle and I/O wait since boot, from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as stat:
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in stat.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def tail(path: Path, lines: int = 40) -> str:
    """The last lines of a log, for an error message."""
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values (nan without data); bench_carbone.js uses the same."""
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]
