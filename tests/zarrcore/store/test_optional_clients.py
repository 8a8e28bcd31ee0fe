"""Remote stores import their client library only when opened (``remote.require``).

A missing client fails the open with an UnsupportedError naming the package, the pip extra
and the (redacted) URL; importing a store module imports no client at all.
"""

from __future__ import annotations

import json
import sys
import textwrap

import pytest

from zarrcore.errors import UnsupportedError
from zarrcore.store.remote import require
from zarrcore.testing.imports import CLIENT_MODULES, modules_imported_by
from zarrcore.url import open_store


def test_require_returns_the_module() -> None:
    assert require("json", "none", url="memory://") is json


def test_require_names_the_package_the_extra_and_the_url() -> None:
    with pytest.raises(UnsupportedError) as info:
        require("zarrscope_no_such_client.sub", "demo", url="redis://u:hunter2@host/0")
    text = str(info.value)
    assert "'zarrscope_no_such_client' package" in text
    assert "pip install 'zarrscope[demo]'" in text
    assert "redis://" in text and "host" in text and "hunter2" not in text
    assert isinstance(info.value.__cause__, ImportError)


@pytest.mark.parametrize(
    ("url", "module", "package", "extra"),
    [
        ("redis://user:hunter2@127.0.0.1:1/0", "redis", "redis", "redis"),
        ("mongodb://user:hunter2@127.0.0.1:1/", "pymongo", "pymongo", "mongodb"),
        ("s3://bucket/prefix", "s3fs", "s3fs", "s3"),
        ("az://container/prefix", "azure.storage.blob", "azure-storage-blob", "azure"),
        ("gs://bucket/prefix", "gcsfs", "gcsfs", "gcs"),
        ("http://127.0.0.1:1/data.zarr", "urllib3", "urllib3", "http"),
    ],
    ids=["redis", "mongodb", "s3", "azure", "gcs", "http"],
)
def test_a_missing_client_fails_the_open_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch, url: str, module: str, package: str, extra: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes ``import module`` fail
    with pytest.raises(UnsupportedError) as info:
        open_store(url)
    text = str(info.value)
    assert f"'{package}' package" in text
    assert f"pip install 'zarrscope[{extra}]'" in text
    assert url.split("://")[0] + "://" in text and "hunter2" not in text


def test_importing_the_remote_store_modules_imports_no_client() -> None:
    loaded = modules_imported_by(
        textwrap.dedent(
            """
            import zarrcore, zarrcore.url
            import zarrcore.store.redis, zarrcore.store.mongodb, zarrcore.store.s3
            import zarrcore.store.azure, zarrcore.store.gcs, zarrcore.store.http
            """
        )
    )
    assert "zarrcore" in loaded
    assert not loaded & CLIENT_MODULES, sorted(loaded & CLIENT_MODULES)
