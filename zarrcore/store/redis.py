"""Redis store with zarr-python 2.x's RedisStore layout: key ``"{prefix}:{key}"``.

URL: ``redis://[user:password@]host:port/db?prefix=zarr`` (``rediss://`` for TLS). The
prefix defaults to ``zarr`` like zarr-python's RedisStore. Listing uses ``SCAN`` (never
``KEYS``, which blocks the server); ``get_many`` is one ``MGET``.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

from zarrcore.errors import AuthenticationError, NotFoundError, StoreError, ZarrcoreError
from zarrcore.store.base import Store, normalize_key
from zarrcore.store.remote import (
    RemoteOptions,
    require,
    unavailable,
    unknown_options,
    with_retries,
)

T = TypeVar("T")

_GLOB_SPECIAL = str.maketrans({c: "\\" + c for c in "*?[]\\"})


def _glob_escape(text: str) -> str:
    return text.translate(_GLOB_SPECIAL)


class RedisStore(Store):
    """Keys live at ``"{prefix}:{key}"`` in one Redis database."""

    supports_partial_reads = True
    supports_atomic_writes = True
    is_remote = True

    def __init__(
        self,
        client: Any,
        *,
        url: str,
        prefix: str = "zarr",
        read_only: bool = False,
        options: RemoteOptions | None = None,
    ) -> None:
        super().__init__(url, read_only=read_only)
        self._errors = require("redis.exceptions", "redis", url=url)
        self._client = client
        self.prefix = prefix
        self.options = options or RemoteOptions()
        self.max_concurrency = self.options.max_concurrency

    @classmethod
    def from_url(cls, url: str, *, read_only: bool, **options: Any) -> RedisStore:
        redis = require("redis", "redis", url=url)
        backoff = require("redis.backoff", "redis", url=url)
        retry = require("redis.retry", "redis", url=url)
        opts = RemoteOptions.pop_from(options)
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        prefix = options.pop("prefix", query.pop("prefix", "zarr"))
        db_text = parts.path.strip("/") or "0"
        if not db_text.isdigit():
            raise StoreError(f"redis database must be a number, not {db_text!r}", url=url)
        password = options.pop("password", unquote(parts.password) if parts.password else None)
        username = options.pop("username", unquote(parts.username) if parts.username else None)
        unknown_options("redis", options, url)
        client = redis.Redis(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 6379,
            db=int(db_text),
            username=username or None,
            password=password,
            ssl=parts.scheme == "rediss",
            socket_timeout=opts.timeout_s,
            socket_connect_timeout=opts.connect_timeout_s,
            retry=retry.Retry(backoff.NoBackoff(), 0),  # retries are ours: bounded, with backoff
            max_connections=max(opts.max_concurrency, 4),
        )
        return cls(client, url=url, prefix=prefix, read_only=read_only, options=opts)

    # -- helpers --------------------------------------------------------------------------
    def _rkey(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    def _call(self, call: Callable[[], T], key: str | None, what: str = "request") -> T:
        redis_errors = self._errors
        try:
            return with_retries(
                call, self.options, is_transient=self._is_transient, describe=f"redis {what}"
            )
        except ZarrcoreError:
            raise
        except redis_errors.AuthenticationError as exc:
            raise AuthenticationError(
                f"redis rejected the credentials: {exc}", url=self.url, key=key
            ) from None
        except (redis_errors.ConnectionError, redis_errors.TimeoutError) as exc:
            raise unavailable("redis server", self.url, key, exc) from None
        except redis_errors.ResponseError as exc:
            text = str(exc)
            if text.startswith(("NOAUTH", "WRONGPASS", "NOPERM")):
                raise AuthenticationError(
                    f"redis refused access: {text}", url=self.url, key=key
                ) from None
            raise StoreError(f"redis error: {text}", url=self.url, key=key) from None
        except redis_errors.RedisError as exc:
            raise StoreError(f"redis error: {exc}", url=self.url, key=key) from None

    def _is_transient(self, exc: BaseException) -> bool:
        errors = self._errors
        if isinstance(exc, errors.AuthenticationError):
            return False
        return isinstance(exc, (errors.ConnectionError, errors.TimeoutError))

    # -- reading --------------------------------------------------------------------------
    def get(self, key: str) -> bytes:
        value = self._call(lambda: self._client.get(self._rkey(key)), key, "GET")
        if value is None:
            raise NotFoundError("no such key", url=self.url, key=key)
        return bytes(value)

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes | None]:
        key_list = list(dict.fromkeys(keys))
        if not key_list:
            return {}
        rkeys = [self._rkey(k) for k in key_list]
        values = self._call(lambda: self._client.mget(rkeys), key_list[0], "MGET")
        return {
            k: (bytes(v) if v is not None else None) for k, v in zip(key_list, values, strict=True)
        }

    def get_range(self, key: str, start: int = 0, length: int | None = None) -> bytes:
        rkey = self._rkey(key)
        if start < 0 or length is None:
            end = -1
        elif length <= 0:
            self.getsize(key)
            return b""
        else:
            end = start + length - 1

        def run() -> list[Any]:
            pipe = self._client.pipeline(transaction=False)
            pipe.exists(rkey)
            pipe.getrange(rkey, start, end)  # a too-large negative start clamps to 0
            return list(pipe.execute())

        exists, value = self._call(run, key, "GETRANGE")
        if not exists:
            raise NotFoundError("no such key", url=self.url, key=key)
        return bytes(value)

    def getsize(self, key: str) -> int:
        rkey = self._rkey(key)

        def run() -> list[Any]:
            pipe = self._client.pipeline(transaction=False)
            pipe.exists(rkey)
            pipe.strlen(rkey)
            return list(pipe.execute())

        exists, size = self._call(run, key, "STRLEN")
        if not exists:
            raise NotFoundError("no such key", url=self.url, key=key)
        return int(size)

    def exists(self, key: str) -> bool:
        return bool(self._call(lambda: self._client.exists(self._rkey(key)), key, "EXISTS"))

    # -- writing --------------------------------------------------------------------------
    def set(self, key: str, value: bytes) -> None:
        self.check_writable(key)
        data = bytes(value)
        self._call(lambda: self._client.set(self._rkey(key), data), key, "SET")

    def set_many(self, items: Mapping[str, bytes]) -> None:
        if not items:
            return
        first = next(iter(items))
        self.check_writable(first)
        mapping = {self._rkey(k): bytes(v) for k, v in items.items()}
        self._call(lambda: self._client.mset(mapping), first, "MSET")

    def delete(self, key: str) -> None:
        self.check_writable(key)
        removed = self._call(lambda: self._client.delete(self._rkey(key)), key, "DEL")
        if not removed:
            raise NotFoundError("no such key", url=self.url, key=key)

    def delete_prefix(self, prefix: str) -> None:
        self.check_writable(prefix)
        batch: builtins.list[str] = []
        for key in list(self.list_prefix(prefix)):
            batch.append(self._rkey(key))
            if len(batch) >= 500:
                self._call(partial(self._client.delete, *batch), prefix, "DEL")
                batch.clear()
        if batch:
            self._call(partial(self._client.delete, *batch), prefix, "DEL")

    # -- listing --------------------------------------------------------------------------
    def list_prefix(self, prefix: str) -> Iterator[str]:
        pattern = _glob_escape(self._rkey(prefix)) + "*"
        strip = len(self.prefix) + 1
        cursor: int = 0
        seen: set[str] = set()
        while True:
            scan = partial(self._client.scan, cursor=cursor, match=pattern, count=1000)
            cursor, names = self._call(scan, prefix, "SCAN")
            for raw in names:
                name = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
                key = name[strip:]
                if key not in seen:  # SCAN may return a key more than once
                    seen.add(key)
                    yield key
            if int(cursor) == 0:
                return

    def list_dir(self, prefix: str) -> builtins.list[str]:
        prefix = normalize_key(prefix)
        return super().list_dir(prefix + "/" if prefix else "")

    # -- lifecycle ------------------------------------------------------------------------
    def close(self) -> None:
        super().close()
        self._client.close()
