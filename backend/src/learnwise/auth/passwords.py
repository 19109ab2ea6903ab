"""Password hashing (Argon2id with OWASP's parameters) and the password policy (NIST 800-63B:
length, not composition; common passwords refused)."""

import gzip
from functools import lru_cache
from pathlib import Path

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from learnwise.auth.exceptions import WeakPassword

MIN_LENGTH = 8
MAX_LENGTH = 128  # well above the 64 NIST asks to accept; Argon2 hashes every byte of it
_COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt.gz"

# OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB, t=2, p=1.
password_hash = PasswordHash((Argon2Hasher(memory_cost=19 * 1024, time_cost=2, parallelism=1),))
# Verified when the email is unknown, so that an unknown email costs as long as a wrong password.
_DUMMY_HASH = password_hash.hash("dummy password for timing equalization")


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    with gzip.open(_COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def check_policy(password: str, *, email: str = "", display_name: str = "") -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    if lowered in _common_passwords():
        raise WeakPassword("This password is too common; choose another one.")
    personal = {email.lower(), email.split("@")[0].lower(), display_name.lower()} - {""}
    if lowered in personal:
        raise WeakPassword("Do not use your email or name as your password.")


def hash_password(password: str) -> str:
    return password_hash.hash(password)


def verify_password(password: str, hashed: str | None) -> tuple[bool, str | None]:
    """Checks a password; returns (valid, new hash when the parameters have changed)."""
    if not hashed:
        password_hash.verify(password, _DUMMY_HASH)
        return False, None
    return password_hash.verify_and_update(password, hashed)
