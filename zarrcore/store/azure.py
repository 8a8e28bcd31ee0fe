"""Azure Blob store with zarr-python 2.x's ``ABSStore`` layout (azure-storage-blob v12).

Blob name = ``prefix + "/" + key`` (just ``key`` when the prefix is empty) in one container.
URL: ``az://container/prefix`` or ``abfs://container@account.dfs.core.windows.net/prefix``
(``?account_url=...&account_name=...&anon=true`` are accepted as option defaults).
Credentials (first that applies): ``connection_string`` option; ``account_url`` (or
``account_name``) with ``account_key``, ``sas_token`` or ``credential``; the environment
variables ``AZURE_STORAGE_CONNECTION_STRING`` or ``AZURE_STORAGE_ACCOUNT_NAME`` with
``AZURE_STORAGE_ACCOUNT_KEY`` / ``AZURE_STORAGE_SAS_TOKEN``; ``anon=True`` for public
containers.

zarr-python 2.3.x joined an empty prefix with ``/`` too, so its blobs are named
``/.zgroup`` (FORMATS.md pitfall 14). With an empty prefix the store checks once whether the
container holds such names and, if so, reads, lists and writes them that way.
"""

from __future__ import annotations

import builtins
import functools
import os
import threading
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any, TypeVar
from urllib.parse import urlsplit

from zarrcore.errors import (
    AuthenticationError,
    NotFoundError,
    StoreError,
    ZarrcoreError,
)
from zarrcore.store.base import Store, normalize_key
from zarrcore.store.remote import (
    RemoteOptions,
    query_defaults,
    require,
    unavailable,
    unknown_options,
)

T = TypeVar("T")

_PACKAGE = "azure-storage-blob"


def _require(module_name: str, url: str) -> ModuleType:
    return require(module_name, "azure", url=url, package=_PACKAGE)


@functools.cache
def _bounded_retry_class(blob: ModuleType) -> type[Any]:
    """azure-storage's retry with our bound and backoff (its default waits 15 s first)."""

    exponential_retry: Any = blob.ExponentialRetry

    class BoundedRetry(exponential_retry):  # type: ignore[misc]  # a lazily imported base
        def __init__(self, options: RemoteOptions) -> None:
            super().__init__(retry_total=options.retries, retry_to_secondary=False)
            self._options = options

        def get_backoff_time(self, settings: dict[str, Any]) -> float:
            return self._options.backoff(int(settings["count"]) + 1)

    return BoundedRetry


class AzureBlobStore(Store):
    """Keys are blobs ``prefix/key`` in one container."""

    supports_partial_reads = True
    supports_atomic_writes = True
    is_remote = True

    def __init__(
        self,
        container_client: Any,
        *,
        url: str,
        prefix: str = "",
        read_only: bool = False,
        options: RemoteOptions | None = None,
    ) -> None:
        super().__init__(url, read_only=read_only)
        self._errors = _require("azure.core.exceptions", url)
        self._container = container_client
        self.container = str(container_client.container_name)
        self.prefix = normalize_key(prefix)
        self.options = options or RemoteOptions()
        self.max_concurrency = self.options.max_concurrency
        self._legacy_slash: bool | None = None if not self.prefix else False
        self._legacy_lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, *, read_only: bool, **options: Any) -> AzureBlobStore:
        blob = _require("azure.storage.blob", url)
        transport = _require("azure.core.pipeline.transport", url)
        requests = _require("requests", url)
        options = dict(options)
        query_defaults(url, ("account_url", "account_name", "anon"), options)
        opts = RemoteOptions.pop_from(options)
        parts = urlsplit(url)
        container, _, account_host = parts.netloc.partition("@")
        if not container:
            raise StoreError("an az:// URL needs a container: az://container/prefix", url=url)
        prefix = parts.path.strip("/")
        check_container = bool(options.pop("check_container", True))
        client_kwargs = _credential_kwargs(options, account_host)
        unknown_options("azure", options, url)
        session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=max(opts.max_concurrency, 4))
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        common: dict[str, Any] = {
            "transport": transport.RequestsTransport(
                session=session,
                session_owner=True,
                connection_timeout=opts.connect_timeout_s,
                read_timeout=opts.timeout_s,
            ),
            "retry_policy": _bounded_retry_class(blob)(opts),
        }
        connection_string = client_kwargs.pop("connection_string", None)
        try:
            if connection_string:
                client = blob.ContainerClient.from_connection_string(
                    connection_string, container, **client_kwargs, **common
                )
            else:
                client = blob.ContainerClient(container_name=container, **client_kwargs, **common)
        except ValueError as exc:
            raise StoreError(f"bad azure credentials or account URL: {exc}", url=url) from None
        store = cls(client, url=url, prefix=prefix, read_only=read_only, options=opts)
        if check_container:
            store.check_container()
        return store

    # -- helpers --------------------------------------------------------------------------
    def _blob(self, key: str) -> str:
        key = normalize_key(key)
        if self.prefix:
            return f"{self.prefix}/{key}"
        return "/" + key if self._uses_legacy_slash() else key

    def _key_of(self, name: str) -> str:
        if self.prefix:
            return name[len(self.prefix) + 1 :]
        return name.lstrip("/") if self._uses_legacy_slash() else name

    def _uses_legacy_slash(self) -> bool:
        """True when an empty-prefix container holds zarr 2.3's ``/key`` blob names."""
        if self._legacy_slash is None:
            with self._legacy_lock:
                if self._legacy_slash is None:

                    def probe() -> bool:
                        names = self._container.list_blob_names(
                            name_starts_with="/", results_per_page=1
                        )
                        return next(iter(names), None) is not None

                    self._legacy_slash = self._call(probe, None, "list")
        return bool(self._legacy_slash)

    def _call(self, call: Callable[[], T], key: str | None, what: str = "request") -> T:
        try:
            return call()
        except ZarrcoreError:
            raise
        except Exception as exc:
            raise self._translate(exc, key) from None

    def _translate(self, exc: BaseException, key: str | None) -> ZarrcoreError:
        azure_errors = self._errors
        code = str(getattr(exc, "error_code", "") or "")
        status = getattr(exc, "status_code", None)
        if isinstance(exc, azure_errors.ResourceNotFoundError) or status == 404:
            if "ContainerNotFound" in code:
                return StoreError(
                    f"container {self.container!r} does not exist", url=self.url, key=key
                )
            return NotFoundError("no such key", url=self.url, key=key)
        if isinstance(exc, azure_errors.ClientAuthenticationError) or status in (401, 403):
            return AuthenticationError(
                f"azure refused access (check the key, SAS token or permissions): {code}",
                url=self.url,
                key=key,
            )
        if isinstance(exc, (azure_errors.ServiceRequestError, azure_errors.ServiceResponseError)):
            return unavailable("azure blob service", self.url, key, exc)
        return StoreError(f"azure error: {type(exc).__name__}: {exc}", url=self.url, key=key)

    def check_container(self) -> None:
        """Raise NotFoundError if the container does not exist (one request)."""
        try:
            exists = self._call(self._container.exists, None, "exists")
        except AuthenticationError:
            return  # a SAS token for blobs may not allow container requests
        if not exists:
            raise NotFoundError(f"container {self.container!r} does not exist", url=self.url)

    # -- reading --------------------------------------------------------------------------
    def get(self, key: str) -> bytes:
        blob = self._blob(key)
        return bytes(self._call(lambda: self._container.download_blob(blob).readall(), key, "GET"))

    def get_range(self, key: str, start: int = 0, length: int | None = None) -> bytes:
        if start < 0:
            size = self.getsize(key)
            start, length = max(0, size + start), None
        elif length is not None and length <= 0:
            self.getsize(key)
            return b""
        blob = self._blob(key)

        def run() -> bytes:
            return bytes(self._container.download_blob(blob, offset=start, length=length).readall())

        try:
            return self._call(run, key, "GET range")
        except StoreError as exc:
            if "InvalidRange" in str(exc) and start >= self.getsize(key):
                return b""  # the service answers 416 for a range past the end
            raise

    def getsize(self, key: str) -> int:
        blob = self._blob(key)
        props = self._call(
            lambda: self._container.get_blob_client(blob).get_blob_properties(), key, "HEAD"
        )
        return int(props.size)

    # -- writing --------------------------------------------------------------------------
    def set(self, key: str, value: bytes) -> None:
        self.check_writable(key)
        blob, data = self._blob(key), bytes(value)
        self._call(lambda: self._container.upload_blob(blob, data, overwrite=True), key, "PUT")

    def delete(self, key: str) -> None:
        self.check_writable(key)
        blob = self._blob(key)
        self._call(lambda: self._container.delete_blob(blob), key, "DELETE")

    def delete_prefix(self, prefix: str) -> None:
        self.check_writable(prefix)
        keys = list(self.list_prefix(prefix))
        if keys:
            list(self._executor().map(self.delete, keys))

    # -- listing --------------------------------------------------------------------------
    def _full_prefix(self, prefix: str) -> str:
        if self.prefix:
            return f"{self.prefix}/{prefix}"
        return "/" + prefix if self._uses_legacy_slash() else prefix

    def list_prefix(self, prefix: str) -> Iterator[str]:
        start = self._full_prefix(prefix)

        def run() -> builtins.list[str]:
            return list(self._container.list_blob_names(name_starts_with=start or None))

        for name in self._call(run, prefix, "LIST"):
            yield self._key_of(name)

    def list_dir(self, prefix: str) -> builtins.list[str]:
        directory = normalize_key(prefix)
        start = self._full_prefix(directory + "/" if directory else "")

        def run() -> builtins.list[str]:
            items = self._container.walk_blobs(name_starts_with=start or None, delimiter="/")
            return [str(item.name) for item in items]

        names = set()
        for name in self._call(run, prefix, "LIST"):
            child = name[len(start) :].rstrip("/")
            if child:
                names.add(child)
        return sorted(names)

    # -- lifecycle ------------------------------------------------------------------------
    def close(self) -> None:
        super().close()
        self._container.close()


def _credential_kwargs(options: dict[str, Any], account_host: str) -> dict[str, Any]:
    """Pick the credential options (mutating ``options``) for ContainerClient."""
    connection_string = options.pop("connection_string", None)
    account_url = options.pop("account_url", None)
    account_name = options.pop("account_name", None)
    account_key = options.pop("account_key", None)
    sas_token = options.pop("sas_token", None)
    credential = options.pop("credential", None)
    anon = bool(options.pop("anon", False))
    if connection_string:
        return {"connection_string": connection_string}
    if not account_url and account_host:
        account_name = account_name or account_host.split(".", 1)[0]
    if not account_url and not account_name:
        env_conn = os.environ.get("AZURE_STORAGE_CONNECTION_STRING")
        if env_conn:
            return {"connection_string": env_conn}
        account_name = os.environ.get("AZURE_STORAGE_ACCOUNT_NAME")
    if not account_url:
        if not account_name:
            raise StoreError(
                "no Azure account: pass connection_string or account_url/account_name, or set "
                "AZURE_STORAGE_CONNECTION_STRING"
            )
        account_url = f"https://{account_name}.blob.core.windows.net"
    if credential is None and not anon:
        account_key = account_key or (
            None if sas_token else os.environ.get("AZURE_STORAGE_ACCOUNT_KEY")
        )
        if account_key:
            name = account_name or (urlsplit(account_url).hostname or "").split(".", 1)[0]
            credential = {"account_name": name, "account_key": account_key}
        else:
            credential = sas_token or os.environ.get("AZURE_STORAGE_SAS_TOKEN")
    return {"account_url": account_url, "credential": credential}
