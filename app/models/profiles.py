"""Saved connection profiles: settings in a JSON file, secrets in the OS keyring.

The JSON file (``profiles.json`` in the platformdirs user config dir) never holds a secret
unless the user explicitly agreed to plain-text storage because no usable keyring exists
(then the file is written with owner-only permissions and the profile says so). Secrets go
to the keyring under service ``zarrscope`` and user name ``<profile>/<field>``.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.models.connection import Connection, connection_class

KEYRING_SERVICE = "zarrscope"
FILE_VERSION = 1

#: where a profile's secrets live
SECRETS_KEYRING = "keyring"
SECRETS_PLAINTEXT = "plaintext-file"
SECRETS_NOT_SAVED = "not-saved"
SECRETS_NONE = "none"


def default_profiles_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("zarrscope", appauthor=False)) / "profiles.json"


def usable_keyring() -> Any | None:
    """The active keyring backend, or None when it cannot store anything (fail/null backend)."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        return None
    try:
        priority = float(backend.priority)
    except (RuntimeError, ImportError, AttributeError, TypeError, ValueError):
        # keyring backends report an unusable state by raising from `priority`
        return None
    return backend if priority > 0 else None


@dataclass
class Profile:
    name: str
    connection: Connection
    #: one of SECRETS_*: where the secrets of this profile were saved
    secrets_storage: str = SECRETS_NONE

    def __repr__(self) -> str:  # the connection's repr already hides secrets
        return f"Profile({self.name!r}, {self.connection!r}, secrets={self.secrets_storage})"


class ProfileStore:
    """Load, save and delete profiles. ``keyring_backend=None`` means "detect"."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        keyring_backend: Any | None = None,
        detect_keyring: bool = True,
    ) -> None:
        self.path = path or default_profiles_path()
        self._keyring = keyring_backend
        if self._keyring is None and detect_keyring:
            self._keyring = usable_keyring()

    @property
    def has_keyring(self) -> bool:
        return self._keyring is not None

    # -- file -----------------------------------------------------------------------------
    def _read(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"version": FILE_VERSION, "profiles": {}}
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("profiles"), dict):
            raise ValueError(f"{self.path} is not a zarrscope profiles file")
        return data

    def _write(self, data: dict[str, Any], *, private: bool) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".profiles-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, sort_keys=True)
            if private or self._has_plaintext(data):
                os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @staticmethod
    def _has_plaintext(data: dict[str, Any]) -> bool:
        return any(p.get("secrets_storage") == SECRETS_PLAINTEXT for p in data["profiles"].values())

    # -- API ------------------------------------------------------------------------------
    def names(self) -> list[str]:
        return sorted(self._read()["profiles"])

    def save(self, name: str, connection: Connection, *, allow_plaintext: bool = False) -> Profile:
        """Save (or replace) a profile. Secrets go to the keyring; without one they are
        dropped unless ``allow_plaintext`` (the user agreed)."""
        if not name.strip():
            raise ValueError("a profile needs a name")
        data = self._read()
        old = data["profiles"].get(name)
        if old is not None and old.get("secrets_storage") == SECRETS_KEYRING:
            self._forget_keyring(name, connection_class(old["kind"]).secret_fields())
        secrets = connection.secrets()
        entry: dict[str, Any] = {"kind": connection.kind, "fields": connection.public_fields()}
        if not secrets:
            storage = SECRETS_NONE
        elif self._keyring is not None:
            for field_name, value in secrets.items():
                self._keyring.set_password(KEYRING_SERVICE, f"{name}/{field_name}", value)
            storage = SECRETS_KEYRING
        elif allow_plaintext:
            entry["secrets"] = secrets
            storage = SECRETS_PLAINTEXT
        else:
            storage = SECRETS_NOT_SAVED
        entry["secrets_storage"] = storage
        data["profiles"][name] = entry
        self._write(data, private=storage == SECRETS_PLAINTEXT)
        return Profile(name, connection, storage)

    def load(self, name: str) -> Profile:
        entry = self._read()["profiles"][name]
        cls = connection_class(entry["kind"])
        values = dict(entry.get("fields", {}))
        storage = entry.get("secrets_storage", SECRETS_NONE)
        if storage == SECRETS_KEYRING and self._keyring is not None:
            for field_name in cls.secret_fields():
                secret = self._keyring.get_password(KEYRING_SERVICE, f"{name}/{field_name}")
                if secret:
                    values[field_name] = secret
        elif storage == SECRETS_PLAINTEXT:
            values.update(entry.get("secrets", {}))
        return Profile(name, cls.from_fields(values), storage)

    def load_all(self) -> list[Profile]:
        return [self.load(name) for name in self.names()]

    def delete(self, name: str) -> None:
        data = self._read()
        entry = data["profiles"].pop(name, None)
        if entry is None:
            return
        if entry.get("secrets_storage") == SECRETS_KEYRING:
            self._forget_keyring(name, connection_class(entry["kind"]).secret_fields())
        self._write(data, private=False)

    def _forget_keyring(self, name: str, fields: tuple[str, ...]) -> None:
        if self._keyring is None:
            return
        import keyring.errors

        for field_name in fields:
            # a field that had no secret stored has no keyring entry
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                self._keyring.delete_password(KEYRING_SERVICE, f"{name}/{field_name}")
