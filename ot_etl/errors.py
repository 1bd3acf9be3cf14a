"""One exception root for the toolkit, branched by phase and by what a caller can do.

::

    OtEtlError
    ├── ConfigError              bad or missing configuration (credentials, options)
    │   └── UnknownRecordTypeError   a record type name that resolves to nothing
    ├── MappingError             a mapping file with problems (all, with YAML paths)
    ├── InputFileError           a spreadsheet that cannot be read (file, row, column)
    ├── OutputError              an output directory or file cannot be written (path)
    └── ApiError                 the server answered with a refusal, or not at all
        ├── BadRequestError      400: the request itself was wrong
        ├── AuthError            401/403: credentials or role (names the email)
        ├── NotFoundError        404: no such record or route
        ├── ConflictError        409: data validation failed (list of ValidationResult)
        └── UnavailableError     429, 5xx, timeouts, dropped connections: retriable

Messages say what failed and how to fix it. They never contain a password,
API key or DevKey: the client builds them from fields it has redacted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class OtEtlError(Exception):
    """Root of every error the toolkit raises on purpose."""


class ConfigError(OtEtlError):
    """Configuration is missing or wrong; nothing was sent."""


class UnknownRecordTypeError(ConfigError):
    def __init__(self, name: str, close_matches: list[str]) -> None:
        self.name = name
        self.close_matches = close_matches
        hint = (
            f" Did you mean: {', '.join(close_matches)}?"
            if close_matches
            else " Run `ot-etl types` to list them."
        )
        super().__init__(f"Unknown record type {name!r}.{hint}")


@dataclass(frozen=True)
class Problem:
    """One problem found in a mapping or an input file."""

    where: str  # YAML path (``fields.Name``) or ``file:row:column``
    message: str


class MappingError(OtEtlError):
    """A mapping file has problems; every one is listed, with its YAML path."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  {p.where}: {p.message}" for p in problems)
        super().__init__(f"Mapping {path} has {len(problems)} problem(s):\n{lines}")


class InputFileError(OtEtlError):
    """An input spreadsheet cannot be used as a whole."""

    def __init__(
        self,
        path: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.path = path
        self.row = row
        self.column = column
        self.fix = fix
        where = path
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        text = f"{where}: {message}"
        if fix:
            text += f" {fix}"
        super().__init__(text)


class OutputError(OtEtlError):
    """An output directory or file cannot be made or written; nothing was exported.

    ``path`` is what the caller asked for, ``blocker`` the path that stood in
    the way (a file where a directory should be, a directory without write
    permission), ``reason`` the plain cause.
    """

    def __init__(self, path: str, reason: str, *, blocker: str | None = None) -> None:
        self.path = path
        self.reason = reason
        self.blocker = blocker
        super().__init__(f"Cannot write to {path}: {reason}.")


@dataclass(frozen=True)
class ValidationResult:
    """One entry of a 409 body. The docs spell the key ``ProperyName``."""

    property_name: str
    message: str
    value: str | None = None

    @classmethod
    def from_json(cls, raw: Any) -> ValidationResult:
        if not isinstance(raw, dict):
            return cls("", str(raw))
        name = raw.get("PropertyName", raw.get("ProperyName")) or ""
        value = raw.get("Value")
        return cls(str(name), str(raw.get("Message", "")), _opt_str(value))

    def __str__(self) -> str:
        """``Property: message``; the message alone when it already starts with
        the property (``CustomerRef: no Customer...``) or names none."""
        prop, message = self.property_name, self.message
        if not prop or message == prop or message.startswith((f"{prop}:", f"{prop} ")):
            return message
        return f"{prop}: {message}"


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


class ApiError(OtEtlError):
    """The server refused the request, or could not be reached."""

    retriable = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str = "",
        path: str = "",
        record_type: str | None = None,
    ) -> None:
        self.status = status
        self.method = method
        self.path = path
        self.record_type = record_type
        self.detail = message
        prefix = f"{method} {path}".strip()
        code = f" -> {status}" if status is not None else ""
        super().__init__(f"{prefix}{code}: {message}" if prefix else message)


class BadRequestError(ApiError):
    """400: the server says the request is malformed."""


class AuthError(ApiError):
    """401/403: credentials were refused or the user's role lacks the right."""

    def __init__(self, message: str, *, email: str | None = None, **kw: Any) -> None:
        self.email = email
        super().__init__(message, **kw)


class NotFoundError(ApiError):
    """404: no such record or route."""


class ConflictError(ApiError):
    """409: the record failed the server's data validation."""

    def __init__(self, results: list[ValidationResult], **kw: Any) -> None:
        self.results = results
        text = "; ".join(str(r) for r in results) or "validation failed"
        super().__init__(text, status=409, **kw)


class UnavailableError(ApiError):
    """429, 5xx, timeout or dropped connection; the request may be retried.

    ``sent`` is True when the request may have reached the server (a read
    timeout or a 5xx), which matters for creates: the record may exist.
    """

    retriable = True

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        sent: bool = True,
        **kw: Any,
    ) -> None:
        self.retry_after = retry_after
        self.sent = sent
        super().__init__(message, **kw)
