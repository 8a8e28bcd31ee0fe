"""Session fixtures for the interop corpus: each store kind is written once, on first use."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from zarrcore.testing.corpus import Case, zarr2_cases
from zarrcore.testing.corpus_v3 import tensorstore_cases, zarr3_cases, zarr3_v2_cases

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the writer modules beside us

FULL = os.environ.get("ZARRSCOPE_CORPUS_FULL") == "1"
ZARR2_CASES: list[Case] = zarr2_cases(full=FULL)


class LazyCorpus:
    """Writes one group of cases (a store kind, or one reference-engine batch) on demand."""

    def __init__(
        self,
        root: Path,
        writer: Callable[[str, list[Case], Path], Any],
        cases: list[Case],
        key: Callable[[Case], str],
    ) -> None:
        self.root = root
        self.writer = writer
        self.cases = cases
        self.key = key
        self.done: dict[str, Any] = {}

    def get(self, group: str) -> Any:
        if group not in self.done:
            members = [c for c in self.cases if self.key(c) == group]
            path = self.root / group.replace(":", "_")
            path.mkdir(parents=True, exist_ok=True)
            try:
                self.done[group] = self.writer(group, members, path)
            except Exception as exc:  # remembered: every case of the group fails fast
                self.done[group] = exc
        result = self.done[group]
        if isinstance(result, Exception):
            raise RuntimeError(f"writing corpus group {group!r} failed: {result!r}") from result
        return result


@pytest.fixture(scope="session")
def zarr2_corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LazyCorpus]:
    from write_zarr2 import cleanup_remote, write_store

    yield LazyCorpus(
        tmp_path_factory.mktemp("corpus2"), write_store, ZARR2_CASES, lambda c: c.store
    )
    cleanup_remote()


REF_CASES: list[Case] = zarr3_cases(FULL) + zarr3_v2_cases(FULL) + tensorstore_cases(FULL)


def ref_group(case: Case) -> str:
    return f"{case.writer}:{case.store}"


@pytest.fixture(scope="session")
def ref_corpus(tmp_path_factory: pytest.TempPathFactory) -> LazyCorpus:
    from write_ref import write_group

    from zarrcore.testing.refengine import ref_available

    if not ref_available():
        pytest.fail("the reference venv (.venv-ref) is missing: run `make install-ref`")
    return LazyCorpus(tmp_path_factory.mktemp("corpus_ref"), write_group, REF_CASES, ref_group)
