"""The export's output directory: made and checked before any request is sent.

:func:`prepare_out_dir` creates the directory (with its parents) and proves it
can be written by creating and deleting a hidden file in it, so a path under
a file, a read-only directory or a full disk fails at once with
:class:`~ot_etl.errors.OutputError` naming the path, before anything is
fetched. :func:`output_error` turns a later ``OSError`` on an output file
into the same error.
"""

from __future__ import annotations

import errno
import tempfile
from pathlib import Path

from ot_etl.errors import OutputError


def prepare_out_dir(out: Path) -> None:
    """Create ``out`` if needed and check that files can be written in it."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".ot-etl-probe."):
            pass
    except OSError as exc:
        raise output_error(out, exc) from None


def output_error(path: Path, exc: OSError) -> OutputError:
    """``exc`` (raised while making or writing ``path``) as a message with a fix."""
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        blocker = _file_in_the_way(path)
        if blocker is not None:
            return OutputError(
                str(path),
                f"{blocker} is a file, not a directory; choose another directory "
                "or move the file",
                blocker=str(blocker),
            )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        blocker = _nearest_existing(path)
        why = (
            "read-only file system" if exc.errno == errno.EROFS else "permission denied"
        )
        return OutputError(
            str(path),
            f"{why}: cannot write in {blocker}; choose a directory you can write to",
            blocker=str(blocker),
        )
    if exc.errno == errno.EISDIR and exc.filename:
        return OutputError(
            str(path),
            f"{exc.filename} is a directory; move it out of the way",
            blocker=str(exc.filename),
        )
    reason = (exc.strerror or type(exc).__name__).lower()
    if exc.filename and str(exc.filename) != str(path):
        reason += f" ({exc.filename})"
    return OutputError(str(path), reason)


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest existing one of ``path`` and its parents, if it is no directory."""
    found = _nearest_existing(path)
    return None if found.is_dir() else found


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists() or candidate.is_symlink():
            return candidate
    return path
