"""Settings: a frozen dataclass read once from GONGWEN_* variables and validated at start-up."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from service.errors import ConfigurationError, bilingual

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Requests that may wait for each converter before the service answers 503 busy (docs/decisions/0003).
QUEUE_PER_CONVERTER = 8
# cgroup v2's CPU quota of this process's group: what `podman run --cpus 2` or a Kubernetes limit sets.
CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def usable_cpus(cpu_max: Path = CGROUP_CPU_MAX) -> int:
    """The CPUs this process may use: its affinity mask, capped by the cgroup's CPU quota (at least 1).

    os.cpu_count() counts the host's cores even inside a container limited to two, and a LibreOffice per
    host core would then share those two, each conversion taking longer while holding more memory.
    """
    count = len(os.sched_getaffinity(0))
    try:
        quota, period = cpu_max.read_text().split()
        if quota != "max":
            count = min(count, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        pass  # no cgroup v2 quota to read (cgroup v1, not Linux): the affinity mask is all there is
    return max(1, count)


# Request threads of `gongwen serve` beyond those the conversion pool can hold: for DOCX, the registry and
# the pages, which need no converter and must not wait behind PDFs that do (docs/decisions/0020).
THREADS_BESIDE_CONVERSIONS = 48


@dataclass(frozen=True)
class Settings:
    """Everything the service can be told from outside; defaults run a single machine."""

    templates_dir: Path = PROJECT_ROOT / "templates"
    fonts_config: Path = PROJECT_ROOT / "fonts" / "fonts.conf"
    data_dir: Path = PROJECT_ROOT / "var"
    # 2 MiB: the largest real notice body is a few KiB; anything near this is a mistake or an attack.
    max_body_bytes: int = 2 * 1024 * 1024
    log_level: str = "INFO"
    # One warm LibreOffice per core: a conversion keeps one core busy (environment.md §5).
    converters: int = field(default_factory=usable_cpus)
    conversion_timeout: int = 30
    # Requests allowed to wait for a converter before the service answers 503 (0: 8 per converter).
    conversion_queue: int = 0
    # Request threads of `gongwen serve` (0: converters + their queue + 48, see effective_serve_threads).
    serve_threads: int = 0
    converter_max_conversions: int = 500
    converter_max_rss_mb: int = 1024
    uno_python: Path = Path("/usr/bin/python3")
    # Empty: an SQLite file in data_dir. postgresql+psycopg://user:pass@host/db when one machine is not enough.
    database_url: str = ""
    # Empty: huey keeps its queue in an SQLite file in data_dir. redis://host:6379/0 lets several machines share runs.
    redis_url: str = ""
    # A run whose worker has not been heard from for this long is taken over by another (after a kill, a reboot).
    job_lease_seconds: int = 30
    # Threads of the job worker: archive items converted side by side, one per warm LibreOffice.
    job_workers: int = field(default_factory=usable_cpus)
    # 64 MiB: a scanned sign-in sheet is a few MiB; an upload is a whole PDF, unlike a JSON body.
    max_upload_bytes: int = 64 * 1024 * 1024
    # "on": migrate the database to the newest schema at start-up (the embedded default); "off" leaves it
    # to `gongwen db upgrade`, run once per deployment when several machines share one PostgreSQL.
    auto_migrate: str = "on"
    # Signs the clerks' session cookies. Empty: one is made once and kept in data_dir/secret_key; several
    # machines behind a load balancer must share one value.
    secret_key: str = field(default="", repr=False)
    # Reverse proxies in front of the service that set X-Forwarded-For/-Proto/-Host (0: none, trust no such
    # header). With the right count the per-address sign-in limit and the audit log see the client's address.
    proxy_hops: int = 0

    @property
    def files_dir(self) -> Path:
        """The content-addressed file store (by SHA-256)."""
        return self.data_dir / "files"

    @property
    def effective_conversion_queue(self) -> int:
        return self.conversion_queue or QUEUE_PER_CONVERTER * self.converters

    @property
    def conversion_holdings(self) -> int:
        """Requests the conversion pool may hold at once, converting or waiting; each holds a request thread."""
        return self.converters + self.effective_conversion_queue

    @property
    def effective_serve_threads(self) -> int:
        """Enough threads that requests for a converter, however many, leave THREADS_BESIDE_CONVERSIONS free."""
        return self.serve_threads or self.conversion_holdings + THREADS_BESIDE_CONVERSIONS

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'gongwen.sqlite3'}"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read GONGWEN_* variables; every problem is reported together in one error."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        problems: list[str] = []
        known = {f.name for f in fields(cls)}
        for key, raw in environ.items():
            if not key.startswith("GONGWEN_"):
                continue
            name = key.removeprefix("GONGWEN_").lower()
            if name not in known:
                continue
            try:
                values[name] = _coerce(name, raw)
            except ValueError as exc:
                problems.append(f"{key}: {exc}")
        settings = replace(cls(), **values)
        problems.extend(settings.problems())
        if problems:
            raise ConfigurationError(
                bilingual("配置有误：", "invalid settings: ") + "; ".join(problems),
                errors={"settings": problems},
            )
        return settings

    def problems(self) -> list[str]:
        """What is wrong with these settings, as bilingual messages (empty when all is well)."""
        found = []
        if not self.templates_dir.is_dir():
            found.append(
                bilingual(
                    f"模板目录不存在：{self.templates_dir}",
                    f"GONGWEN_TEMPLATES_DIR does not exist: {self.templates_dir}",
                )
            )
        for name in (
            "converters",
            "conversion_timeout",
            "converter_max_conversions",
            "converter_max_rss_mb",
            "job_lease_seconds",
            "job_workers",
            "max_upload_bytes",
        ):
            if getattr(self, name) < 1:
                found.append(bilingual(f"{name}须为正整数", f"GONGWEN_{name.upper()} must be at least 1"))
        if self.proxy_hops < 0:
            found.append(bilingual("代理层数不得为负", "GONGWEN_PROXY_HOPS must be 0 or more"))
        for name in ("conversion_queue", "serve_threads"):
            if getattr(self, name) < 0:
                found.append(bilingual(f"{name}不得为负", f"GONGWEN_{name.upper()} must be 0 or more"))
        found.extend(serve_threads_problems(self.serve_threads, self))
        if self.max_body_bytes < 1024:
            found.append(bilingual("请求体上限不得小于1024字节", "GONGWEN_MAX_BODY_BYTES must be at least 1024"))
        if self.log_level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            found.append(
                bilingual(f"日志级别无效：{self.log_level}", f"GONGWEN_LOG_LEVEL is not a level: {self.log_level}")
            )
        if self.database_url and not self.database_url.startswith(("sqlite://", "postgresql")):
            found.append(
                bilingual(
                    "数据库地址应以sqlite://或postgresql开头",
                    f"GONGWEN_DATABASE_URL must be an sqlite:// or postgresql URL, not {self.database_url!r}",
                )
            )
        if self.redis_url and not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
            found.append(
                bilingual(
                    "Redis地址应以redis://开头", f"GONGWEN_REDIS_URL must be a redis:// URL, not {self.redis_url!r}"
                )
            )
        if self.secret_key and len(self.secret_key) < 32:
            found.append(bilingual("会话密钥至少32个字符", "GONGWEN_SECRET_KEY must be at least 32 random characters"))
        if self.auto_migrate not in {"on", "off"}:
            found.append(bilingual("auto_migrate应为on或off", "GONGWEN_AUTO_MIGRATE must be on or off"))
        return found


def serve_threads_problems(threads: int, settings: Settings) -> list[str]:
    """What is wrong with `threads` request threads for these settings' conversion pool (0: the default)."""
    if threads <= 0 or threads > settings.conversion_holdings:
        return []
    # Every thread could then be waiting for a converter, and a DOCX would queue behind them, unanswered.
    return [
        bilingual(
            f"请求线程数须大于PDF转换可占用的{settings.conversion_holdings}个",
            f"GONGWEN_SERVE_THREADS (--threads) must exceed the {settings.conversion_holdings} requests the "
            f"conversion pool may hold (converters + queue), not {threads}",
        )
    ]


def _coerce(name: str, raw: str) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if kind == "Path":
        return Path(raw)
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise ValueError(bilingual(f"应为整数：{raw!r}", f"not an integer: {raw!r}")) from None
    return raw
