"""Fixtures for the remote store tests: server URLs from the environment, private servers."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from zarrcore.testing.servers import (
    PrivateMoto,
    PrivateProcessServer,
    PrivateRedis,
    require_env,
)


@pytest.fixture
def redis_url() -> str:
    return require_env("ZARRSCOPE_TEST_REDIS_URL")


@pytest.fixture
def s3_endpoint() -> str:
    return require_env("ZARRSCOPE_TEST_S3_ENDPOINT")


@pytest.fixture
def azure_connection_string() -> str:
    return require_env("ZARRSCOPE_TEST_AZURE_CONNECTION_STRING")


@pytest.fixture
def mongodb_url() -> str:
    return require_env("ZARRSCOPE_TEST_MONGODB_URL")


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A redis-server of this test's own, so the test may kill it."""
    require_env("ZARRSCOPE_TEST_REDIS_URL")  # same availability rule as the shared server
    with PrivateRedis() as server:
        yield server


@pytest.fixture
def private_redis_with_password() -> Iterator[PrivateRedis]:
    require_env("ZARRSCOPE_TEST_REDIS_URL")
    with PrivateRedis(password="s3cret-pw") as server:
        yield server


@pytest.fixture(scope="module")
def private_moto_with_auth() -> Iterator[PrivateMoto]:
    """A moto server of this module's own that rejects unknown access keys."""
    require_env("ZARRSCOPE_TEST_S3_ENDPOINT")
    executable = Path(sys.executable).with_name("moto_server")
    server = PrivateMoto(str(executable))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def s3_endpoint_module() -> str:
    return require_env("ZARRSCOPE_TEST_S3_ENDPOINT")


@pytest.fixture
def private_mongodb() -> Iterator[PrivateProcessServer]:
    """An nx-27017 MongoDB wire server of this test's own, so the test may kill it."""
    require_env("ZARRSCOPE_TEST_MONGODB_URL")
    executable = Path(sys.executable).with_name("nx-27017")
    server = PrivateProcessServer(
        [
            str(executable),
            "--host",
            "127.0.0.1",
            "-p",
            "{port}",
            "--db",
            "memory",
            "--log-file",
            "{dir}/server.log",
            "--pid-file",
            "{dir}/server.pid",
        ]
    )
    yield server
    server.stop()


@pytest.fixture
def private_azurite() -> Iterator[PrivateProcessServer]:
    """An azurite-blob of this test's own, so the test may kill it."""
    require_env("ZARRSCOPE_TEST_AZURE_CONNECTION_STRING")
    executable = shutil.which("azurite-blob")
    if executable is None:
        pytest.fail("azurite-blob is not installed (scripts/install-system.sh)")
    args = [executable, "--blobHost", "127.0.0.1", "--blobPort", "{port}"]
    args += ["--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--silent"]
    server = PrivateProcessServer(args)
    yield server
    server.stop()
