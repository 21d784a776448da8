"""Argon2id hashing: salted, verifiable, wrong passwords and corrupt hashes refused."""
import pytest

from app.security.passwords import PasswordPolicyError, hash_password, needs_rehash, verify_password

PASSWORD = "correct horse battery staple"


def test_hash_is_argon2id_salted_and_verifies():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("$argon2id$") and first != second  # random salt
    assert PASSWORD not in first
    assert verify_password(first, PASSWORD) and verify_password(second, PASSWORD)
    assert not needs_rehash(first)


@pytest.mark.parametrize("attempt", ["correct horse battery stapl", "", "CORRECT HORSE BATTERY STAPLE", "x" * 10_000])
def test_wrong_password_is_refused(attempt):
    assert not verify_password(hash_password(PASSWORD), attempt)


def test_corrupt_hash_is_refused_without_raising():
    assert not verify_password("not-a-hash", PASSWORD)


@pytest.mark.parametrize("weak", ["short", "", "x" * 257])
def test_policy(weak):
    with pytest.raises(PasswordPolicyError):
        hash_password(weak)
