"""Saved profiles: secrets go to the keyring, never into the JSON file unless agreed."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from app.models.connection import RedisConnection, S3Connection
from app.models.profiles import (
    SECRETS_KEYRING,
    SECRETS_NONE,
    SECRETS_NOT_SAVED,
    SECRETS_PLAINTEXT,
    ProfileStore,
)


class MemoryKeyring(KeyringBackend):
    """A keyring backend that keeps passwords in a dict (tests only)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


SECRET = "correct-horse-battery"


def _redis() -> RedisConnection:
    return RedisConnection(host="10.1.2.3", port=6390, db=4, prefix="p", password=SECRET)


def test_secret_goes_to_keyring_not_file(tmp_path: Path) -> None:
    ring = MemoryKeyring()
    store = ProfileStore(tmp_path / "profiles.json", keyring_backend=ring)
    profile = store.save("lab redis", _redis())
    assert profile.secrets_storage == SECRETS_KEYRING
    assert SECRET not in (tmp_path / "profiles.json").read_text()
    assert ring.passwords == {("zarrscope", "lab redis/password"): SECRET}
    loaded = store.load("lab redis")
    assert loaded.connection == _redis()
    assert SECRET not in repr(loaded)


def test_without_keyring_secret_is_dropped_unless_agreed(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "p.json", detect_keyring=False)
    assert not store.has_keyring
    assert store.save("r", _redis()).secrets_storage == SECRETS_NOT_SAVED
    assert SECRET not in (tmp_path / "p.json").read_text()
    loaded = store.load("r").connection
    assert isinstance(loaded, RedisConnection)
    assert loaded.password == "" and loaded.host == "10.1.2.3"


def test_plaintext_secret_only_with_consent_and_private_file(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "p.json", detect_keyring=False)
    assert store.save("r", _redis(), allow_plaintext=True).secrets_storage == SECRETS_PLAINTEXT
    mode = stat.S_IMODE((tmp_path / "p.json").stat().st_mode)
    assert mode == 0o600
    assert store.load("r").connection == _redis()


def test_profile_without_secrets(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "p.json", keyring_backend=MemoryKeyring())
    conn = S3Connection(bucket="b", anonymous=True)
    assert store.save("open data", conn).secrets_storage == SECRETS_NONE
    data = json.loads((tmp_path / "p.json").read_text())
    assert data["profiles"]["open data"]["fields"]["bucket"] == "b"
    assert store.names() == ["open data"]
    assert store.load_all()[0].connection == conn


def test_delete_removes_keyring_entries(tmp_path: Path) -> None:
    ring = MemoryKeyring()
    store = ProfileStore(tmp_path / "p.json", keyring_backend=ring)
    store.save("r", _redis())
    store.delete("r")
    assert ring.passwords == {}
    assert store.names() == []
