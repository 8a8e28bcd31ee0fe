"""Shared pieces of the network stores: timeout/retry options and bounded retries.

Every remote store takes the same robustness options (``from_url(url, timeout_s=...)``):

- ``timeout_s``: read timeout per request (seconds, default 10);
- ``connect_timeout_s``: time to establish a connection (default 5);
- ``retries``: how many times a *transient* failure is retried (default 2, so at most
  three attempts), with exponential backoff starting at ``backoff_s`` (default 0.1 s) and
  capped at ``max_backoff_s`` (default 2 s);
- ``max_concurrency``: bound on parallel requests in ``get_many`` (default 16).

Permanent failures (missing key, bad credentials) are never retried.
"""

from __future__ import annotations

import importlib
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from types import ModuleType
from typing import Any, TypeVar

from zarrcore.errors import StoreUnavailableError, UnsupportedError

T = TypeVar("T")

log = logging.getLogger("zarrcore.store")


@dataclass(frozen=True, slots=True)
class RemoteOptions:
    """Timeouts, retries and concurrency of a network store."""

    timeout_s: float = 10.0
    connect_timeout_s: float = 5.0
    retries: int = 2
    backoff_s: float = 0.1
    max_backoff_s: float = 2.0
    max_concurrency: int = 16

    @classmethod
    def pop_from(cls, options: dict[str, Any]) -> RemoteOptions:
        """Take the robustness options out of ``options`` (mutated), defaults for the rest."""
        values: dict[str, Any] = {}
        for field in fields(cls):
            if field.name in options:
                values[field.name] = type(getattr(cls(), field.name))(options.pop(field.name))
        return cls(**values)

    def with_(self, **changes: Any) -> RemoteOptions:
        return replace(self, **changes)

    def backoff(self, attempt: int) -> float:
        """Sleep before retry number ``attempt`` (1-based): exponential with jitter, capped."""
        base: float = min(self.max_backoff_s, self.backoff_s * (2 ** (attempt - 1)))
        return base * (0.5 + random.random() / 2)


def with_retries(
    call: Callable[[], T],
    options: RemoteOptions,
    *,
    is_transient: Callable[[BaseException], bool],
    describe: str = "request",
) -> T:
    """Run ``call``, retrying transient failures ``options.retries`` times with backoff.

    The last exception propagates unchanged (callers translate it to a typed error).
    """
    attempt = 0
    while True:
        try:
            return call()
        except Exception as exc:
            if attempt >= options.retries or not is_transient(exc):
                raise
            attempt += 1
            delay = options.backoff(attempt)
            log.debug(
                "%s failed (%s); retry %d/%d in %.2fs",
                describe,
                type(exc).__name__,
                attempt,
                options.retries,
                delay,
            )
            time.sleep(delay)


def unknown_options(scheme: str, options: Mapping[str, Any], url: str) -> None:
    """Reject options a store does not understand (a typo must not be silently ignored)."""
    if options:
        names = ", ".join(sorted(options))
        raise UnsupportedError(f"unknown {scheme} store option(s): {names}", url=url)


def require(module_name: str, extra: str, *, url: str, package: str | None = None) -> ModuleType:
    """Import a store's optional client module when the store is opened, never at start-up.

    A missing client raises :class:`UnsupportedError` naming ``url``, the package (``package``
    or the top-level module name) and the pip extra that installs it.
    """
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        name = package or module_name.partition(".")[0]
        raise UnsupportedError(
            f"this store needs the {name!r} package (pip install 'zarrscope[{extra}]')", url=url
        ) from exc


def unavailable(what: str, url: str, key: str | None, exc: BaseException) -> StoreUnavailableError:
    """A StoreUnavailableError naming the server, the key and the low-level cause type."""
    return StoreUnavailableError(
        f"{what} is unavailable: {type(exc).__name__}: {exc}", url=url, key=key
    )


def query_defaults(url: str, names: tuple[str, ...], options: dict[str, Any]) -> None:
    """Use non-secret URL query parameters (``?endpoint_url=...``) as option defaults.

    Explicit keyword options win. Booleans accept ``true/1/yes``.
    """
    from urllib.parse import parse_qsl, urlsplit

    for name, value in parse_qsl(urlsplit(url).query):
        if name in names and name not in options:
            if name in ("anon",):
                options[name] = value.lower() in ("1", "true", "yes", "on")
            else:
                options[name] = value
