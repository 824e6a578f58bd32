"""API key tokens and password hashes: made, parsed and checked here and nowhere else."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from werkzeug.security import check_password_hash, generate_password_hash

KEY_PREFIX = "gw"
# gw_<12 hex: the key's public id>_<43 url-safe characters: 256 random bits>
KEY_PATTERN = re.compile(r"^gw_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
PASSWORD_METHOD = "scrypt"
MIN_PASSWORD_LENGTH = 10
# Checked against when the login does not exist, so an unknown login takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("gongwen-no-such-user", method=PASSWORD_METHOD)


@dataclass(frozen=True)
class NewKey:
    key_id: str
    token: str  # shown once; only its digest is stored
    secret_sha256: str


def new_api_key() -> NewKey:
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return NewKey(key_id, f"{KEY_PREFIX}_{key_id}_{secret}", secret_digest(secret))


def parse_api_key(token: str) -> tuple[str, str] | None:
    """(key id, secret) of a well-formed token, else None."""
    match = KEY_PATTERN.match(token)
    return (match.group(1), match.group(2)) if match else None


def secret_digest(secret: str) -> str:
    # A key's secret has 256 random bits, so a fast hash is enough: nothing to guess a dictionary from.
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def secret_matches(secret: str, stored_digest: str) -> bool:
    return hmac.compare_digest(secret_digest(secret), stored_digest)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def password_matches(password: str, stored_hash: str | None) -> bool:
    if stored_hash is None:
        check_password_hash(_DUMMY_HASH, password)
        return False
    return check_password_hash(stored_hash, password)


def new_password() -> str:
    """A generated password: 16 url-safe characters (96 bits), for the first admin and resets."""
    return secrets.token_urlsafe(12)
