from zarrcore.errors import NotFoundError
from zarrcore.redact import redact_text, redact_url


def test_password_in_url_is_redacted() -> None:
    assert redact_url("redis://user:hunter2@127.0.0.1:6379/0") == "redis://user:***@127.0.0.1:6379/0"


def test_secret_query_parameters_are_redacted() -> None:
    url = redact_url("https://acct.blob.core.windows.net/c?sv=2020&sig=abc%2Fdef&se=1")
    assert "abc" not in url and "sig=***" in url and "sv=2020" in url


def test_connection_string_key_is_redacted() -> None:
    text = redact_text("DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=c2VjcmV0;")
    assert "c2VjcmV0" not in text and "AccountName=dev" in text


def test_error_names_url_and_key_without_secret() -> None:
    err = NotFoundError("no such key", url="redis://u:pw@h:1/0", key="a/.zarray")
    assert "pw" not in str(err) and "a/.zarray" in str(err) and isinstance(err, KeyError)
