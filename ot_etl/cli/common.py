"""What every command shares: exit codes, the client from the environment, errors.

Only the CLI prints, exits and configures logging. Library errors become one
or two lines on stderr and a documented exit code, never a traceback (unless
``--debug``).
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar, overload

import click

from ot_etl.client import Client, RedactingFilter, redact
from ot_etl.client.config import DEFAULT_POOL_SIZE
from ot_etl.errors import ApiError, OtEtlError

EXIT_OK = 0
EXIT_FAILED = 1  # an unexpected internal error
EXIT_CANNOT_PROCEED = 2  # bad mapping, input, configuration, credentials, 403
EXIT_ROWS_REJECTED = 3  # the run finished, but some rows were refused

F = TypeVar("F", bound=Callable[..., Any])


def setup_logging(verbose: int, debug: bool) -> None:
    level = logging.DEBUG if debug else (logging.INFO if verbose else logging.WARNING)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # urllib3 logs request lines at DEBUG; keep it quieter than our own.
    logging.getLogger("urllib3").setLevel(max(level, logging.INFO))


def make_client(workers: int | None = None, **overrides: Any) -> Client:
    """A client configured from ``OT_*`` environment variables.

    ``workers`` is the command's ``--workers``: the connection pool keeps at
    least that many connections, so none is closed and reopened between bursts.
    """
    if workers is not None:
        overrides["pool_size"] = max(DEFAULT_POOL_SIZE, workers)
    return Client(**{k: v for k, v in overrides.items() if v is not None})


def fail(message: str, code: int = EXIT_CANNOT_PROCEED) -> NoReturn:
    click.echo(redact(message), err=True)
    sys.exit(code)


@overload
def guarded(func: F) -> F: ...


@overload
def guarded(*, interrupted: str) -> Callable[[F], F]: ...


def guarded(
    func: F | None = None, *, interrupted: str = "interrupted"
) -> F | Callable[[F], F]:
    """Turn toolkit errors into a clear message and an exit code.

    ``@guarded`` or ``@guarded(interrupted=...)``: ``interrupted`` is what
    Ctrl-C prints (exit code 130), so each command can say what an interrupted
    run left behind and how to go on.
    """
    if func is None:
        return functools.partial(_guard, interrupted=interrupted)
    return _guard(func, interrupted)


def _guard(func: F, interrupted: str) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context(silent=True)
        debug = bool(ctx and ctx.find_root().params.get("debug"))
        try:
            return func(*args, **kwargs)
        except ApiError as exc:
            fail(f"error: {exc}")
        except OtEtlError as exc:
            fail(f"error: {exc}")
        except KeyboardInterrupt:
            fail(interrupted, 130)
        except Exception as exc:
            if debug:
                raise
            fail(
                f"internal error ({type(exc).__name__}): {exc}. "
                "Re-run with --debug for details and report it.",
                EXIT_FAILED,
            )

    return wrapper  # type: ignore[return-value]
