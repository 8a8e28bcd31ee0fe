"""Test helpers for the loopback servers (Redis, moto S3, Azurite, MongoDB wire server).

``scripts/servers.sh start`` writes the server URLs to ``.servers/env``; tests read them
from the environment with :func:`require_env`. A missing variable skips the test, except
under ``ZARRSCOPE_REQUIRE_SERVERS=1`` (``make test``) where it fails: a missing server is
never silently a pass.

:class:`PrivateRedis` starts a throw-away ``redis-server`` on a free port for tests that
kill the server or need ``requirepass``.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from types import TracebackType
from typing import Any

import pytest


def require_env(name: str) -> str:
    """The value of env var ``name``; skip (or fail under ZARRSCOPE_REQUIRE_SERVERS=1)."""
    value = os.environ.get(name)
    if value:
        return value
    message = f"{name} is not set (start the loopback servers: scripts/servers.sh start)"
    if os.environ.get("ZARRSCOPE_REQUIRE_SERVERS") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def unique_name(stem: str = "t") -> str:
    """A short unique lowercase name usable as a bucket, container, prefix or collection."""
    return f"{stem}-{uuid.uuid4().hex[:12]}"


def s3_client(endpoint: str, key: str = "testing", secret: str = "testing") -> Any:
    """A boto3 S3 client for the loopback moto server at ``endpoint`` (tests set up and
    remove buckets with it; zarrcore itself reads through s3fs)."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        region_name="us-east-1",
    )


def s3_bucket(endpoint: str, stem: str, key: str = "testing", secret: str = "testing") -> str:
    """Create a fresh uniquely named bucket on the loopback moto server; its name."""
    bucket = unique_name(stem)
    s3_client(endpoint, key, secret).create_bucket(Bucket=bucket)
    return bucket


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(port: int, process: subprocess.Popen[bytes], timeout_s: float = 15.0) -> None:
    """Block until something accepts connections on 127.0.0.1:port (or the process died)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not listen within {timeout_s} s")


class PrivateRedis:
    """A private ``redis-server`` on a free loopback port, stopped by pid on exit."""

    def __init__(self, *, password: str | None = None) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            require_env("ZARRSCOPE_TEST_REDIS_BINARY")  # skips/fails with a clear reason
            raise RuntimeError("unreachable")
        self.port = free_port()
        self.password = password
        self._dir = tempfile.mkdtemp(prefix="zarrscope-redis-")
        args = [
            executable,
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--save", "",
            "--appendonly", "no",
            "--dir", self._dir,
        ]  # fmt: skip
        if password:
            args += ["--requirepass", password]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_listening(self.port, self.process)
        except Exception:
            self.stop()
            raise

    def url(self, *, password: str | None = None, db: int = 0) -> str:
        auth = f":{password}@" if password is not None else ""
        return f"redis://{auth}127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        """Kill the server (SIGKILL: no graceful goodbye to clients) and wait for it."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> PrivateRedis:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class PrivateMoto:
    """A private ``moto_server`` on a free port that enforces credentials.

    ``INITIAL_NO_AUTH_ACTION_COUNT=0`` makes moto check every request's access key, so a
    wrong key is rejected like on AWS (the shared server accepts anything).
    """

    def __init__(self, executable: str) -> None:
        self.port = free_port()
        env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="0")
        self.process = subprocess.Popen(
            [executable, "-H", "127.0.0.1", "-p", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_listening(self.port, self.process, timeout_s=60.0)
        except Exception:
            self.stop()
            raise

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class _RangeRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with single ``Range: bytes=`` support (stdlib's handler has none)."""

    def log_message(self, format: str, *args: object) -> None:
        return  # keep test output clean

    def _forbidden(self) -> bool:
        """Names starting with ``forbidden`` answer 403, to test access errors (and names
        starting with ``dies-mid-body`` break the connection halfway through the body)."""
        if self.path.rsplit("/", 1)[-1].startswith("forbidden"):
            self.send_error(403)
            return True
        return False

    def do_HEAD(self) -> None:
        if not self._forbidden():
            super().do_HEAD()

    def do_GET(self) -> None:
        if self._forbidden():
            return
        if self.path.rsplit("/", 1)[-1].startswith("dies-mid-body"):
            # promise 1 MiB, send 10 bytes, drop the connection: a server dying mid-read
            self.send_response(200)
            self.send_header("Content-Length", str(1 << 20))
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        spec = self.headers.get("Range")
        path = self.translate_path(self.path)
        if not spec or not os.path.isfile(path):
            super().do_GET()
            return
        with open(path, "rb") as handle:
            data = handle.read()
        first, _, last = spec.removeprefix("bytes=").partition("-")
        size = len(data)
        if not first:
            start, end = max(0, size - int(last)), size - 1
        else:
            start, end = int(first), min(size - 1, int(last)) if last else size - 1
        if start >= size:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = data[start : end + 1]
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class StaticHTTPServer:
    """Serve ``directory`` on 127.0.0.1 (threaded, with Range support) until ``stop()``."""

    def __init__(self, directory: str) -> None:
        handler = functools.partial(_RangeRequestHandler, directory=directory)
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


class SilentServer:
    """Listens on a loopback port but never answers: a server hung mid-request.

    Connections complete (the kernel accepts them into the backlog) and requests are sent,
    but no byte ever comes back, so only a client read timeout ends the wait.
    """

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)
        self.port = int(self._socket.getsockname()[1])

    def close(self) -> None:
        self._socket.close()

    def __enter__(self) -> SilentServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class PrivateProcessServer:
    """Any server started as ``args`` (``{port}`` and ``{dir}`` are filled in) on a free
    loopback port with a private temp dir; killed by pid on ``stop()``."""

    def __init__(self, args: list[str], *, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self._dir = tempfile.mkdtemp(prefix="zarrscope-server-")
        argv = [a.format(port=self.port, dir=self._dir) for a in args]
        self.process = subprocess.Popen(
            argv,
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_listening(self.port, self.process, timeout_s=60.0)
        except Exception:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self._dir, ignore_errors=True)
