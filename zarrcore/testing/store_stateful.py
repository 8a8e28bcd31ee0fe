"""A Hypothesis state machine that mirrors store operations into a dict.

``make_store_machine(open_store)`` returns a ``RuleBasedStateMachine`` class: each step
applies one operation (set, delete, delete_prefix, get, get_range, get_many, list_prefix,
list_dir, getsize, close-and-reopen) to a fresh store and to a plain dict, and checks that
both agree. ``open_store(fresh)`` must return a writable store, on an empty medium when
``fresh`` is true and on the same medium as the previous call otherwise.

Use it from a test module::

    Machine = make_store_machine(open_directory_store)
    Machine.TestCase.settings = settings(max_examples=20, stateful_step_count=30)
    TestDirectoryStoreMachine = Machine.TestCase
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from zarrcore.errors import NotFoundError
from zarrcore.store.base import Store, slice_range

_SEGMENTS = st.sampled_from(["a", "b", "0", "1", ".zarray", "0.0", "c.d"])
KEYS = st.lists(_SEGMENTS, min_size=1, max_size=3).map("/".join)
VALUES = st.binary(max_size=40)


def _is_file_prefix_conflict(key: str, existing: set[str]) -> bool:
    """True if ``key`` and an existing key would need a name to be file and directory."""
    for other in existing:
        if other == key:
            continue
        if other.startswith(key + "/") or key.startswith(other + "/"):
            return True
    return False


def make_store_machine(open_store: Callable[[bool], Store]) -> type[RuleBasedStateMachine]:
    """A state machine class checking the store ``open_store`` returns against a dict."""

    class StoreMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.model: dict[str, bytes] = {}
            self.store = open_store(True)

        @initialize()
        def start(self) -> None:
            assert list(self.store.list_prefix("")) == []

        def teardown(self) -> None:
            self.store.close()

        # keys that are a "directory" of another key cannot coexist on a file system, and
        # zarr never creates them, so the machine avoids them
        @rule(key=KEYS, value=VALUES)
        def set(self, key: str, value: bytes) -> None:
            if _is_file_prefix_conflict(key, set(self.model)):
                return
            self.store.set(key, value)
            self.model[key] = value

        @precondition(lambda self: bool(self.model))
        @rule(data=st.data())
        def delete_existing(self, data: st.DataObject) -> None:
            key = data.draw(st.sampled_from(sorted(self.model)))
            self.store.delete(key)
            del self.model[key]

        @rule(key=KEYS)
        def delete_missing_raises(self, key: str) -> None:
            if key in self.model:
                return
            try:
                self.store.delete(key)
            except NotFoundError:
                return
            raise AssertionError(f"delete of missing {key!r} did not raise")

        @rule(prefix=KEYS)
        def delete_prefix(self, prefix: str) -> None:
            prefix += "/"
            self.store.delete_prefix(prefix)
            for key in [k for k in self.model if k.startswith(prefix)]:
                del self.model[key]

        @rule(key=KEYS)
        def get(self, key: str) -> None:
            if key in self.model:
                assert self.store.get(key) == self.model[key]
                assert self.store.getsize(key) == len(self.model[key])
            else:
                try:
                    self.store.get(key)
                except NotFoundError:
                    return
                raise AssertionError(f"get of missing {key!r} did not raise")

        @precondition(lambda self: bool(self.model))
        @rule(data=st.data(), start=st.integers(-50, 50), length=st.none() | st.integers(0, 50))
        def get_range(self, data: st.DataObject, start: int, length: int | None) -> None:
            key = data.draw(st.sampled_from(sorted(self.model)))
            expected = slice_range(self.model[key], start, length)
            assert self.store.get_range(key, start, length) == expected

        @rule(keys=st.lists(KEYS, max_size=5))
        def get_many(self, keys: list[str]) -> None:
            expected = {key: self.model.get(key) for key in keys}
            assert self.store.get_many(keys) == expected

        @rule(prefix=st.sampled_from(["", "a", "a/", "a/b/", "0", "b/0"]))
        def list_dir(self, prefix: str) -> None:
            base = prefix if not prefix or prefix.endswith("/") else prefix + "/"
            names = {k[len(base) :].split("/", 1)[0] for k in self.model if k.startswith(base)}
            assert self.store.list_dir(prefix) == sorted(names)

        @rule()
        def reopen(self) -> None:
            self.store.close()
            self.store = open_store(False)

        @invariant()
        def listing_matches(self) -> None:
            assert sorted(self.store.list_prefix("")) == sorted(self.model)

    return StoreMachine
