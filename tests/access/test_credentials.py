"""API key tokens and password hashes."""

from __future__ import annotations

from service.access.credentials import (
    hash_password,
    new_api_key,
    parse_api_key,
    password_matches,
    secret_matches,
)


def test_a_new_key_parses_back_to_its_id_and_a_secret_matching_its_digest() -> None:
    key = new_api_key()
    parsed = parse_api_key(key.token)

    assert parsed is not None
    key_id, secret = parsed
    assert key_id == key.key_id
    assert secret_matches(secret, key.secret_sha256)
    assert not secret_matches(secret[:-1] + ("A" if secret[-1] != "A" else "B"), key.secret_sha256)


def test_tokens_of_another_shape_are_not_keys() -> None:
    key = new_api_key().token

    assert parse_api_key(key + "x") is None
    assert parse_api_key(key.replace("gw_", "xx_")) is None
    assert parse_api_key("") is None


def test_two_keys_never_share_an_id_or_secret() -> None:
    keys = [new_api_key() for _ in range(200)]

    assert len({k.key_id for k in keys}) == len({k.token for k in keys}) == 200


def test_a_password_hash_is_salted_and_checks_only_the_right_password() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")

    assert first != second and first.startswith("scrypt:")
    assert password_matches("correct horse", first)
    assert not password_matches("correct horsE", first)
    assert not password_matches("correct horse", None)
