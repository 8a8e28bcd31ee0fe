"""Hypothesis state machines: every local store behaves like a dict under random operations."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from zarrcore.store.base import Store
from zarrcore.store.local import DirectoryStore
from zarrcore.store.memory import MemoryStore
from zarrcore.store.sqlite import SQLiteStore
from zarrcore.store.zip import ZipStore
from zarrcore.testing.store_stateful import make_store_machine

_ROOT: dict[str, Path] = {}
_COUNTER = itertools.count()
_SETTINGS = settings(
    max_examples=20,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture(autouse=True, scope="module")
def _machine_root(tmp_path_factory: pytest.TempPathFactory) -> None:
    _ROOT["path"] = tmp_path_factory.mktemp("machines")


def _opener(make: Callable[[Path], Store], suffix: str) -> Callable[[bool], Store]:
    current: dict[str, Path] = {}

    def open_store(fresh: bool) -> Store:
        if fresh:
            current["path"] = _ROOT["path"] / f"m{next(_COUNTER)}{suffix}"
        return make(current["path"])

    return open_store


def _memory(path: Path) -> Store:
    return MemoryStore(str(path.name))


DirectoryMachine = make_store_machine(_opener(DirectoryStore, ".zarr"))
DirectoryMachine.TestCase.settings = _SETTINGS
TestDirectoryStoreMachine = DirectoryMachine.TestCase

ZipMachine = make_store_machine(_opener(ZipStore, ".zip"))
ZipMachine.TestCase.settings = _SETTINGS
TestZipStoreMachine = ZipMachine.TestCase

SQLiteMachine = make_store_machine(_opener(SQLiteStore, ".db"))
SQLiteMachine.TestCase.settings = _SETTINGS
TestSQLiteStoreMachine = SQLiteMachine.TestCase

MemoryMachine = make_store_machine(_opener(_memory, ""))
MemoryMachine.TestCase.settings = _SETTINGS
TestMemoryStoreMachine = MemoryMachine.TestCase
