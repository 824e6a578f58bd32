"""A conversion pool that starts with the first conversion, for commands and tests that may not need one."""

from __future__ import annotations

import threading
from pathlib import Path

from service.config import Settings
from service.conversion.pool import ConversionPool, PoolStatus


class OnDemandPool:
    """Wraps a ConversionPool: `warm()` starts it now (the server), `convert()` starts it if needed."""

    def __init__(self, pool: ConversionPool) -> None:
        self._pool = pool
        self._lock = threading.Lock()
        self._started = False

    def warm(self) -> None:
        with self._lock:
            if not self._started:
                self._pool.start()
                self._started = True

    def convert(self, docx: bytes, *, timeout: float | None = None, pdfa: bool = False) -> bytes:
        self.warm()
        return self._pool.convert(docx, timeout=timeout, pdfa=pdfa)

    def status(self) -> PoolStatus | None:
        """The pool's status, or None while it has not been needed yet."""
        return self._pool.status() if self._started else None

    def stop(self) -> None:
        with self._lock:
            self._pool.stop()

    @property
    def work_dir(self) -> Path | None:
        return self._pool.work_dir


def pool_from_settings(settings: Settings) -> OnDemandPool:
    """The service's pool as the settings describe it, not started yet."""
    return OnDemandPool(
        ConversionPool(
            size=settings.converters,
            fonts_config=settings.fonts_config,
            python=str(settings.uno_python),
            timeout=float(settings.conversion_timeout),
            max_queue=settings.effective_conversion_queue,
            max_conversions=settings.converter_max_conversions,
            max_rss_bytes=settings.converter_max_rss_mb * 1024 * 1024,
        )
    )
