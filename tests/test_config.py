"""Settings are read once from GONGWEN_* variables and every problem is reported together."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from service.config import Settings, usable_cpus
from service.errors import ConfigurationError


def test_defaults_need_no_environment() -> None:
    settings = Settings.from_environment({})

    assert settings.max_body_bytes == 2 * 1024 * 1024
    assert (settings.templates_dir / "meeting-notice" / "manifest.json").is_file()


def test_variables_override_defaults(tmp_path: Path) -> None:
    settings = Settings.from_environment({"GONGWEN_DATA_DIR": str(tmp_path), "GONGWEN_MAX_BODY_BYTES": "4096"})

    assert settings.data_dir == tmp_path
    assert settings.max_body_bytes == 4096


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    environment = {
        "GONGWEN_TEMPLATES_DIR": str(tmp_path / "missing"),
        "GONGWEN_MAX_BODY_BYTES": "lots",
        "GONGWEN_LOG_LEVEL": "LOUD",
        "GONGWEN_PROXY_HOPS": "-1",
    }

    with pytest.raises(ConfigurationError) as raised:
        Settings.from_environment(environment)

    problems = raised.value.errors["settings"]
    assert len(problems) == 4
    assert any("GONGWEN_MAX_BODY_BYTES" in p for p in problems)
    assert any("GONGWEN_PROXY_HOPS" in p for p in problems)


def test_settings_are_frozen() -> None:
    settings = Settings()

    with pytest.raises(AttributeError):
        settings.max_body_bytes = 1  # type: ignore[misc]


def test_serve_threads_leave_48_beside_every_request_the_conversion_pool_may_hold() -> None:
    settings = Settings.from_environment({"GONGWEN_CONVERTERS": "2"})

    # Two converters and their queue of 8 each: 18 requests may wait on LibreOffice, 48 others still get a thread.
    assert (settings.effective_conversion_queue, settings.conversion_holdings) == (16, 18)
    assert settings.effective_serve_threads == 66
    assert Settings.from_environment({"GONGWEN_SERVE_THREADS": "100"}).effective_serve_threads == 100


@pytest.mark.parametrize(
    ("environment", "variable"),
    [
        pytest.param({"GONGWEN_SERVE_THREADS": "18"}, "GONGWEN_SERVE_THREADS", id="threads-all-held-by-conversions"),
        pytest.param({"GONGWEN_SERVE_THREADS": "-1"}, "GONGWEN_SERVE_THREADS", id="negative-threads"),
        pytest.param({"GONGWEN_CONVERSION_QUEUE": "-1"}, "GONGWEN_CONVERSION_QUEUE", id="negative-queue"),
    ],
)
def test_serve_threads_and_queue_that_would_starve_requests_are_refused(
    environment: dict[str, str], variable: str
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_environment({"GONGWEN_CONVERTERS": "2", **environment})

    (problem,) = raised.value.errors["settings"]
    assert variable in problem
    assert " / " in problem


@pytest.mark.parametrize(
    ("cpu_max", "expected"),
    [
        pytest.param("150000 100000\n", 2, id="a quota of 1.5 CPUs rounds up"),
        pytest.param("100000 100000\n", 1, id="a quota of one CPU"),
        pytest.param("max 100000\n", None, id="no quota"),
        pytest.param(None, None, id="no cgroup v2 file"),
    ],
)
def test_converters_default_to_the_cpus_a_container_may_use(
    tmp_path: Path, cpu_max: str | None, expected: int | None
) -> None:
    quota_file = tmp_path / "cpu.max"
    if cpu_max is not None:
        quota_file.write_text(cpu_max)
    affinity = len(os.sched_getaffinity(0))

    assert usable_cpus(quota_file) == (affinity if expected is None else min(expected, affinity))


def test_converters_and_job_workers_default_to_the_usable_cpus() -> None:
    settings = Settings.from_environment({})

    assert settings.converters == settings.job_workers == usable_cpus()
