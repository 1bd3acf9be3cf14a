"""Putting one record type's finished files in place, in an order a reader can check.

A transaction has two files (header and lines), and two renames cannot be
one atomic step. So the switch is recorded around them:

1. the type's manifest entry gets ``replacing``: the new run id, the files
   about to be renamed, and the other-format files about to be removed (the
   rest of the previous entry stays as it was);
2. the lines file is renamed into place, then the header file;
3. files of the type in the other format that an earlier run wrote (listed in
   the previous entry) are deleted, so the directory holds one format per type;
4. the caller writes the finished entry, which has no ``replacing``.

A run that stops anywhere in between leaves ``replacing`` in the manifest: a
reader is told that the files may come from two runs, and the next
``--incremental`` run of the type rebuilds it in full. Without ``replacing``
the files are those of the entry's ``run``, with its ``rows`` and ``lines``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ot_etl.extract.manifest import mark_replacing, read_manifest
from ot_etl.extract.outdir import output_error
from ot_etl.extract.writer import FORMATS, TableWriter

log = logging.getLogger(__name__)


def publish(
    out: Path, slug: str, writers: Sequence[TableWriter], run_id: str
) -> list[str]:
    """Rename closed ``writers`` (header first in the list) into place.

    Returns the names of other-format files of ``slug`` that were removed.
    """
    names = [w.path.name for w in writers]
    stale = stale_files(slug, read_manifest(out).get(slug), names)
    mark_replacing(out, slug, {"run": run_id, "files": names, "removing": stale})
    for w in reversed(writers):  # lines first, header last
        try:
            w.commit()
        except OSError as exc:
            raise output_error(w.path, exc) from None
    removed = []
    for name in stale:
        try:
            (out / name).unlink(missing_ok=True)
        except OSError as exc:
            log.warning(
                "%s: could not remove %s (%s); remove it by hand", slug, name, exc
            )
            continue
        log.info(
            "%s: removed %s, written by an earlier run in another format", slug, name
        )
        removed.append(name)
    return removed


def stale_files(slug: str, entry: Any, keep: Sequence[str]) -> list[str]:
    """Files of ``slug`` an earlier run listed that this run does not write.

    Only the names ot-etl gives a type's tables (``<slug>.<fmt>``,
    ``<slug>_lines.<fmt>``) count, whatever the manifest holds, so an edited
    manifest can never make the export delete another file.
    """
    if not isinstance(entry, dict):
        return []
    own = {f"{t}.{f}" for t in (slug, f"{slug}_lines") for f in FORMATS}
    pending = entry.get("replacing")
    listed = list(entry.get("files") or [])
    if isinstance(pending, dict):
        listed += list(pending.get("files") or []) + list(pending.get("removing") or [])
    found = [n for n in listed if isinstance(n, str) and n in own and n not in keep]
    return sorted(set(found))
