"""MongoDB store with zarr-python 2.x's MongoDBStore layout.

One document per key, ``{"key": str, "value": binary}``, in database ``mongodb_zarr`` and
collection ``zarr_collection`` unless the URL says otherwise:
``mongodb://[user:password@]host:port/?database=mongodb_zarr&collection=zarr_collection``
(other query parameters go to pymongo). Writes upsert one document per key like
zarr-python's ``replace_one(..., upsert=True)``; listing is a range query on ``key``
(``prefix <= key < prefix + U+FFFF``),
which an index on ``key`` serves directly. A value over MongoDB's 16 MiB document limit
raises a clear :class:`UnsupportedError` before anything is sent.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from zarrcore.errors import (
    AuthenticationError,
    NotFoundError,
    StoreError,
    UnsupportedError,
    ZarrcoreError,
)
from zarrcore.store.base import Store, normalize_key
from zarrcore.store.remote import (
    RemoteOptions,
    require,
    unavailable,
    unknown_options,
    with_retries,
)

T = TypeVar("T")

DEFAULT_DATABASE = "mongodb_zarr"
DEFAULT_COLLECTION = "zarr_collection"
#: MongoDB's BSON document limit, minus room for the key and field names
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
_OVERHEAD_BYTES = 1024
_AUTH_FAILED_CODES = {13, 18}  # Unauthorized, AuthenticationFailed


class MongoDBStore(Store):
    """Keys are documents ``{"key": key, "value": bytes}`` in one collection."""

    supports_atomic_writes = True
    is_remote = True

    def __init__(
        self,
        client: Any,
        *,
        url: str,
        database: str = DEFAULT_DATABASE,
        collection: str = DEFAULT_COLLECTION,
        read_only: bool = False,
        options: RemoteOptions | None = None,
    ) -> None:
        super().__init__(url, read_only=read_only)
        self._errors = require("pymongo.errors", "mongodb", url=url)
        self._client = client
        self.database = database
        self.collection_name = collection
        self._collection = client[database][collection]
        self.options = options or RemoteOptions()
        self.max_concurrency = self.options.max_concurrency

    @classmethod
    def from_url(cls, url: str, *, read_only: bool, **options: Any) -> MongoDBStore:
        pymongo = require("pymongo", "mongodb", url=url)
        opts = RemoteOptions.pop_from(options)
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        ours = {k: v for k, v in query if k in ("database", "collection")}
        database = str(options.pop("database", ours.get("database", DEFAULT_DATABASE)))
        collection = str(options.pop("collection", ours.get("collection", DEFAULT_COLLECTION)))
        client_query = urlencode([(k, v) for k, v in query if k not in ("database", "collection")])
        client_url = urlunsplit((parts.scheme, parts.netloc, "/", client_query, ""))
        client_kwargs = dict(options.pop("client_kwargs", {}))
        unknown_options("mongodb", options, url)
        timeout_ms = int(opts.timeout_s * 1000)
        connect_ms = int(opts.connect_timeout_s * 1000)
        client = pymongo.MongoClient(
            client_url,
            serverSelectionTimeoutMS=connect_ms,
            connectTimeoutMS=connect_ms,
            socketTimeoutMS=timeout_ms,
            maxPoolSize=max(opts.max_concurrency, 4),
            retryReads=False,  # retries are ours: bounded, with backoff
            retryWrites=False,
            **client_kwargs,
        )
        return cls(
            client,
            url=url,
            database=database,
            collection=collection,
            read_only=read_only,
            options=opts,
        )

    # -- helpers --------------------------------------------------------------------------
    def _call(self, call: Callable[[], T], key: str | None, what: str = "request") -> T:
        mongo_errors = self._errors
        try:
            return with_retries(
                call, self.options, is_transient=self._is_transient, describe=f"mongodb {what}"
            )
        except ZarrcoreError:
            raise
        except mongo_errors.DocumentTooLarge as exc:
            raise UnsupportedError(
                f"value too large for a MongoDB document (16 MiB limit): {exc}",
                url=self.url,
                key=key,
            ) from None
        except mongo_errors.OperationFailure as exc:
            if exc.code in _AUTH_FAILED_CODES:
                raise AuthenticationError(
                    f"mongodb refused access: {exc}", url=self.url, key=key
                ) from None
            raise StoreError(f"mongodb error: {exc}", url=self.url, key=key) from None
        except mongo_errors.ConnectionFailure as exc:
            raise unavailable("mongodb server", self.url, key, exc) from None
        except mongo_errors.PyMongoError as exc:
            raise StoreError(f"mongodb error: {exc}", url=self.url, key=key) from None

    def _is_transient(self, exc: BaseException) -> bool:
        errors = self._errors
        if isinstance(exc, errors.ServerSelectionTimeoutError):
            return False  # already waited connect_timeout_s for a server: it is down
        return isinstance(exc, (errors.AutoReconnect, errors.NetworkTimeout))

    # -- reading --------------------------------------------------------------------------
    def get(self, key: str) -> bytes:
        doc = self._call(lambda: self._collection.find_one({"key": key}), key, "find")
        if doc is None:
            raise NotFoundError("no such key", url=self.url, key=key)
        return bytes(doc["value"])

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes | None]:
        key_list = list(dict.fromkeys(keys))
        if not key_list:
            return {}

        def run() -> builtins.list[Any]:
            return list(self._collection.find({"key": {"$in": key_list}}))

        found = {doc["key"]: bytes(doc["value"]) for doc in self._call(run, key_list[0], "find")}
        return {key: found.get(key) for key in key_list}

    def exists(self, key: str) -> bool:
        count = self._call(
            lambda: self._collection.count_documents({"key": key}, limit=1), key, "count"
        )
        return bool(count)

    # -- writing --------------------------------------------------------------------------
    def set(self, key: str, value: bytes) -> None:
        self.check_writable(key)
        data = bytes(value)
        if len(data) + len(key.encode()) + _OVERHEAD_BYTES > MAX_DOCUMENT_BYTES:
            raise UnsupportedError(
                f"value of {len(data)} bytes exceeds MongoDB's 16 MiB document limit; "
                "use smaller chunks for arrays stored in MongoDB",
                url=self.url,
                key=key,
            )
        # ``$set`` with upsert leaves the same document as zarr-python's
        # ``replace_one(upsert=True)`` ({"key", "value"} plus _id); nx-27017 0.8 fails
        # replace_one on an existing document holding binary, update_one works everywhere.
        update = {"$set": {"value": data}}
        self._call(
            lambda: self._collection.update_one({"key": key}, update, upsert=True), key, "upsert"
        )

    def delete(self, key: str) -> None:
        self.check_writable(key)
        result = self._call(lambda: self._collection.delete_many({"key": key}), key, "delete")
        if not result.deleted_count:
            raise NotFoundError("no such key", url=self.url, key=key)

    def delete_prefix(self, prefix: str) -> None:
        self.check_writable(prefix)
        query = _prefix_query(prefix)
        self._call(lambda: self._collection.delete_many(query), prefix, "delete")

    # -- listing --------------------------------------------------------------------------
    def list_prefix(self, prefix: str) -> Iterator[str]:
        query = _prefix_query(prefix)

        def run() -> builtins.list[str]:
            cursor = self._collection.find(query, {"key": 1, "_id": 0})
            return [str(doc["key"]) for doc in cursor]

        yield from dict.fromkeys(self._call(run, prefix, "list"))

    def list_dir(self, prefix: str) -> builtins.list[str]:
        prefix = normalize_key(prefix)
        return super().list_dir(prefix + "/" if prefix else "")

    # -- lifecycle ------------------------------------------------------------------------
    def close(self) -> None:
        super().close()
        self._client.close()


def _prefix_query(prefix: str) -> dict[str, Any]:
    if not prefix:
        return {}
    return {"key": {"$gte": prefix, "$lt": prefix + "\uffff"}}
