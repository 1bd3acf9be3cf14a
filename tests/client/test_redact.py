"""Every non-empty secret is masked; short ones only as whole tokens."""

from __future__ import annotations

import importlib
import logging

import pytest

from ot_etl.client import RedactingFilter, redact, resolve_config

# The package re-exports the function under the module's name.
redact_module = importlib.import_module("ot_etl.client.redact")


@pytest.fixture(autouse=True)
def own_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    # Secrets registered here must not mask words in other tests' messages.
    monkeypatch.setattr(redact_module, "_secrets", set())


def test_a_three_letter_password_is_masked_in_a_log_record(
    caplog: pytest.LogCaptureFixture,
) -> None:
    resolve_config(environ={}, api_key="key-0123456789", email="e@x", password="abc")
    logger = logging.getLogger("test.redact.short")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO):
        logger.info("headers %s", {"password": "abc", "apiKey": "key-0123456789"})
    assert caplog.messages == ["headers {'password': '***', 'apiKey': '***'}"]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("password=ab", "password=***"),
        ("'ab' refused", "'***' refused"),
        ("ab", "***"),
        ("ab,ab", "***,***"),
        ("about the abbey", "about the abbey"),
        ("tab lab", "tab lab"),
        ("ab7 7ab", "ab7 7ab"),
        ("x=1 y=1", "x=*** y=***"),
        ("x=10", "x=10"),
    ],
)
def test_short_secrets_are_masked_as_whole_tokens(text: str, masked: str) -> None:
    for secret in ("ab", "1"):
        redact_module.register_secret(secret)
    assert redact(text) == masked


def test_long_secrets_are_masked_anywhere_and_the_longest_first() -> None:
    for secret in ("pass", "pass-word-9", "1"):
        redact_module.register_secret(secret)
    assert redact("xpass-word-9y and passport") == "x***y and ***port"


def test_the_empty_string_is_not_a_secret() -> None:
    redact_module.register_secret("")
    assert redact("nothing to hide") == "nothing to hide"
