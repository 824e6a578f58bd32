"""What access control costs a request: in-process timings of the same route without and with credentials.

make bench-access        # or: .venv/bin/python tools/bench_access.py --requests 2000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient

from service import create_app
from service.access.accounts import create_key, create_user
from service.access.roles import Role
from service.config import Settings

PASSWORD = "bench-password-0123"


def per_request(fn: Callable[[], object], requests: int) -> float:
    """Mean microseconds per call, after a warm-up of 50."""
    for _ in range(50):
        fn()
    start = time.perf_counter()
    for _ in range(requests):
        fn()
    return (time.perf_counter() - start) / requests * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app(Settings(data_dir=Path(data_dir)))
        database = app.extensions["gongwen.database"]
        token = create_key(database, name="bench", roles=[Role.CLERK], actor="bench").token
        create_user(database, login="bench", name="bench", roles=[Role.CLERK], actor="bench", password=PASSWORD)
        anonymous = FlaskClient(app, app.response_class)
        signed_in = FlaskClient(app, app.response_class, use_cookies=True)
        signed_in.post("/api/v1/session", json={"login": "bench", "password": PASSWORD})
        key = {"Authorization": f"Bearer {token}"}
        rows = [
            ("GET /healthz, no credentials", per_request(lambda: anonymous.get("/healthz"), args.requests)),
            (
                "GET /api/v1/session, API key",
                per_request(lambda: anonymous.get("/api/v1/session", headers=key), args.requests),
            ),
            (
                "GET /api/v1/session, session cookie",
                per_request(lambda: signed_in.get("/api/v1/session"), args.requests),
            ),
            (
                "POST /api/v1/session, sign-in (scrypt)",
                per_request(
                    lambda: FlaskClient(app, app.response_class).post(
                        "/api/v1/session", json={"login": "bench", "password": PASSWORD}
                    ),
                    max(args.requests // 20, 10),
                ),
            ),
        ]
        database.dispose()
    for label, micros in rows:
        print(f"{label:<42} {micros / 1000:8.2f} ms per request")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
