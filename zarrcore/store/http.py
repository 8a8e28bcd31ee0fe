"""Read-only store over plain HTTP(S): key ``k`` is ``GET base_url/k``.

HTTP has no listing, so ``supports_listing`` is False: a hierarchy is browsable only
through consolidated metadata (``.zmetadata`` for v2, inline ``consolidated_metadata`` in
the root ``zarr.json`` for v3). When asked to list, the store says whether that metadata
is there. Byte ranges use ``Range`` requests; ``get_many`` runs GETs concurrently over a
pooled connection manager (urllib3). A query string on the base URL (a SAS token or a
presigned signature) is kept on every request and redacted in messages.

Status mapping: 404/410 -> NotFoundError; 401/403 -> AuthenticationError (never "missing",
FORMATS.md pitfall 15); 5xx after retries -> StoreError; connection failures and timeouts
-> StoreUnavailableError.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from zarrcore.errors import (
    AuthenticationError,
    NotFoundError,
    StoreError,
    UnsupportedError,
)
from zarrcore.store.base import Store, normalize_key, slice_range
from zarrcore.store.remote import RemoteOptions, require, unavailable, unknown_options

_MAX_REDIRECTS = 5


class HTTPStore(Store):
    """GET-only store rooted at a base URL."""

    supports_writes = False
    supports_deletes = False
    supports_listing = False
    supports_partial_reads = True
    is_remote = True

    def __init__(
        self,
        base_url: str,
        *,
        read_only: bool = True,
        options: RemoteOptions | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(base_url, read_only=True)
        urllib3 = require("urllib3", "http", url=base_url)
        self._errors = require("urllib3.exceptions", "http", url=base_url)
        parts = urlsplit(base_url)
        self._scheme, self._netloc = parts.scheme, parts.netloc
        self._base_path = parts.path.rstrip("/")
        self._query = parts.query
        self.options = options or RemoteOptions()
        self.max_concurrency = self.options.max_concurrency
        self._headers = dict(headers or {})
        self._http = urllib3.PoolManager(
            num_pools=4,
            maxsize=max(self.options.max_concurrency, 4),
            block=False,
            timeout=urllib3.Timeout(
                connect=self.options.connect_timeout_s, read=self.options.timeout_s
            ),
            retries=urllib3.Retry(
                total=self.options.retries,
                backoff_factor=self.options.backoff_s,
                backoff_max=self.options.max_backoff_s,
                status_forcelist=(429, 500, 502, 503, 504),
                allowed_methods=("GET", "HEAD"),
                raise_on_status=False,
                respect_retry_after_header=False,
            ),
        )

    @classmethod
    def from_url(cls, url: str, *, read_only: bool, **options: Any) -> HTTPStore:
        opts = RemoteOptions.pop_from(options)
        headers = dict(options.pop("headers", {}) or {})
        unknown_options("http", options, url)
        return cls(url, options=opts, headers=headers)

    # -- requests -------------------------------------------------------------------------
    def _key_url(self, key: str) -> str:
        path = f"{self._base_path}/{quote(normalize_key(key))}"
        return urlunsplit((self._scheme, self._netloc, path, self._query, ""))

    def _request(self, method: str, key: str, headers: dict[str, str] | None = None) -> Any:
        url = self._key_url(key)
        for _hop in range(_MAX_REDIRECTS):
            response = self._send(method, url, key, headers)
            if response.status not in (301, 302, 303, 307, 308):
                return self._check_status(response, key)
            location = urljoin(url, response.headers.get("Location", ""))
            if urlsplit(location).path == urlsplit(url).path + "/":
                # a static server redirecting to a directory: the key is only a prefix
                raise NotFoundError("no such key (a directory)", url=self.url, key=key)
            url = location
        raise StoreError("too many redirects", url=self.url, key=key)

    def _send(self, method: str, url: str, key: str, headers: dict[str, str] | None) -> Any:
        errors = self._errors
        try:
            return self._http.request(
                method,
                url,
                headers={**self._headers, **(headers or {})},
                preload_content=True,
                redirect=False,
            )
        except (errors.MaxRetryError, errors.TimeoutError, errors.ProtocolError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise unavailable("http server", self.url, key, reason) from None
        except errors.HTTPError as exc:
            raise StoreError(f"http error: {type(exc).__name__}", url=self.url, key=key) from None

    def _check_status(self, response: Any, key: str) -> Any:
        status = int(response.status)
        if status in (404, 410):
            raise NotFoundError("no such key", url=self.url, key=key)
        if status in (401, 403):
            raise AuthenticationError(
                f"the server refused access (HTTP {status})", url=self.url, key=key
            )
        if status >= 400 and status != 416:
            raise StoreError(f"HTTP {status} {response.reason}", url=self.url, key=key)
        return response

    # -- reading --------------------------------------------------------------------------
    def get(self, key: str) -> bytes:
        return bytes(self._request("GET", key).data)

    def get_range(self, key: str, start: int = 0, length: int | None = None) -> bytes:
        if start < 0:
            spec = f"bytes={start}"
        elif length is not None and length <= 0:
            self.getsize(key)
            return b""
        elif length is None:
            spec = f"bytes={start}-"
        else:
            spec = f"bytes={start}-{start + length - 1}"
        response = self._request("GET", key, {"Range": spec})
        if response.status == 416:  # range past the end
            return b""
        data = bytes(response.data)
        if response.status == 200:  # server ignored Range: slice locally
            return slice_range(data, start, length)
        return data

    def getsize(self, key: str) -> int:
        response = self._request("HEAD", key)
        length = response.headers.get("Content-Length")
        if length is None:
            return len(self.get(key))
        return int(length)

    def delete_prefix(self, prefix: str) -> None:
        self.check_writable(prefix)

    # -- listing --------------------------------------------------------------------------
    def list_prefix(self, prefix: str) -> Iterator[str]:
        raise self._listing_error(prefix)

    def list_dir(self, prefix: str) -> builtins.list[str]:
        raise self._listing_error(prefix)

    def _listing_error(self, prefix: str) -> UnsupportedError:
        has_consolidated = self.exists(".zmetadata")
        if has_consolidated:
            hint = "open it with consolidated metadata (zarrcore.open_consolidated)"
        else:
            hint = (
                "and this hierarchy has no consolidated metadata (.zmetadata), so only nodes "
                "named by path can be opened; run zarrcore.consolidate_metadata on a writable "
                "copy to make it browsable"
            )
        return UnsupportedError(f"an HTTP store cannot list keys; {hint}", url=self.url, key=prefix)

    # -- lifecycle ------------------------------------------------------------------------
    def close(self) -> None:
        super().close()
        self._http.clear()
