"""Reserves 发文字号 from another process, for the multi-process allocation test (spawned, so a plain module)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from service.storage.database import Database
from service.storage.registry import reserve_number


def reserve_many(url: str, prefix: str, year: int, count: int, threads: int, start: Any, results: Any) -> None:
    """Reserve `count` serials with `threads` threads once every process is ready.

    Puts (serials, seconds from the common start) on `results`, or the error's repr.
    """
    database = Database(url)
    try:
        start.wait(timeout=60)
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=threads) as executor:
            serials = list(executor.map(lambda _: reserve_number(database, prefix, year), range(count)))
        results.put((serials, time.perf_counter() - started))
    except BaseException as error:
        results.put(repr(error))
        raise
    finally:
        database.dispose()
