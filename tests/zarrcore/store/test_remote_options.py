"""Pure tests of the shared remote-store pieces: options, bounded retries, query defaults."""

from __future__ import annotations

import pytest

from zarrcore.errors import UnsupportedError
from zarrcore.store.remote import (
    RemoteOptions,
    query_defaults,
    unknown_options,
    with_retries,
)


def test_options_are_taken_out_and_converted() -> None:
    options = {"timeout_s": "2.5", "retries": "1", "endpoint_url": "x"}
    opts = RemoteOptions.pop_from(options)
    assert (opts.timeout_s, opts.retries, opts.connect_timeout_s) == (2.5, 1, 5.0)
    assert options == {"endpoint_url": "x"}


def test_transient_failures_are_retried_a_bounded_number_of_times() -> None:
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        raise ConnectionResetError("reset")

    opts = RemoteOptions(retries=2, backoff_s=0.0)
    with pytest.raises(ConnectionResetError):
        with_retries(flaky, opts, is_transient=lambda exc: isinstance(exc, ConnectionError))
    assert len(calls) == 3


def test_recovery_after_a_transient_failure_returns_the_value() -> None:
    attempts = iter([ConnectionResetError("reset"), "value"])

    def flaky() -> str:
        outcome = next(attempts)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    opts = RemoteOptions(retries=2, backoff_s=0.0)
    assert with_retries(flaky, opts, is_transient=lambda exc: True) == "value"


def test_permanent_failures_are_not_retried() -> None:
    calls: list[int] = []

    def denied() -> None:
        calls.append(1)
        raise PermissionError("denied")

    with pytest.raises(PermissionError):
        with_retries(denied, RemoteOptions(retries=5), is_transient=lambda exc: False)
    assert len(calls) == 1


def test_backoff_grows_and_is_capped() -> None:
    opts = RemoteOptions(backoff_s=0.1, max_backoff_s=0.3)
    assert 0.05 <= opts.backoff(1) <= 0.1
    assert 0.1 <= opts.backoff(2) <= 0.2
    assert all(opts.backoff(n) <= 0.3 for n in range(1, 20))


def test_unknown_options_are_rejected_by_name() -> None:
    with pytest.raises(UnsupportedError, match="endpiont"):
        unknown_options("s3", {"endpiont": 1}, "s3://b")
    unknown_options("s3", {}, "s3://b")


def test_query_defaults_never_override_explicit_options() -> None:
    options: dict[str, object] = {"region": "explicit"}
    query_defaults(
        "s3://b/p?endpoint_url=http://h:1&region=q&anon=true&secret=s",
        ("endpoint_url", "region", "anon"),
        options,
    )
    assert options == {"region": "explicit", "endpoint_url": "http://h:1", "anon": True}
