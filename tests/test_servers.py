"""The private servers the tests start: a PostgreSQL that takes connections and a Redis that stores keys."""

from __future__ import annotations

import psycopg
import redis
from sqlalchemy import make_url

from tests.servers import PostgresServer


def test_postgres_url_names_a_fresh_database_that_accepts_connections(postgres_url: str) -> None:
    url = make_url(postgres_url)

    assert url.drivername == "postgresql+psycopg"
    with psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database) as connection:
        version = connection.execute("SHOW server_version").fetchone()
        tables = connection.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()

    assert version is not None and int(version[0].split(".")[0]) >= 15
    assert tables == (0,)


def test_each_created_database_is_a_new_one(postgres_server: PostgresServer, postgres_url: str) -> None:
    assert len({postgres_server.create_database(), postgres_server.create_database(), postgres_url}) == 3


def test_redis_url_names_a_redis_that_stores_keys(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)

    client.set("gongwen:test", "会议")

    assert client.get("gongwen:test") == "会议".encode()
    assert redis_url.startswith("redis://127.0.0.1:")
    client.close()
