import logging

import pytest

from ot_etl.client import RedactingFilter, resolve_config
from ot_etl.client.config import DEFAULT_BASE_URL
from ot_etl.errors import ConfigError


def test_missing_credentials_named_in_one_message() -> None:
    with pytest.raises(ConfigError) as info:
        resolve_config(environ={})
    assert str(info.value) == (
        "Missing Order Time credentials: set OT_API_KEY, OT_EMAIL, OT_PASSWORD "
        "(or OT_DEVKEY) in the environment (OT_BASE_URL is optional and defaults "
        "to https://services.ordertime.com/api)."
    )


def test_environment_fills_what_arguments_leave_out() -> None:
    env = {"OT_API_KEY": "k-123456", "OT_EMAIL": "a@b.c", "OT_DEVKEY": "dev-98765"}
    config = resolve_config(environ=env, email="x@y.z")
    assert config.base_url == DEFAULT_BASE_URL
    assert config.credentials.email == "x@y.z"
    assert config.credentials.headers() == {
        "apiKey": "k-123456",
        "email": "x@y.z",
        "DevKey": "dev-98765",
    }
    assert "k-123456" not in repr(config)


def test_plain_http_only_on_loopback() -> None:
    creds = {"api_key": "kkkk", "email": "e@x", "password": "pppp", "environ": {}}
    assert resolve_config(base_url="http://127.0.0.1:9/api", **creds).base_url
    with pytest.raises(ConfigError, match=r"Refusing plain http:// for example\.com"):
        resolve_config(base_url="http://example.com/api", **creds)


def test_filter_masks_registered_secrets(caplog: pytest.LogCaptureFixture) -> None:
    resolve_config(environ={}, api_key="SECRET-KEY-1", email="e@x", password="hunter22")
    logger = logging.getLogger("test.redact")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO):
        logger.info("sent %s and %s", "SECRET-KEY-1", "hunter22")
    assert caplog.messages == ["sent *** and ***"]
