"""Build API records from validated rows: payloads, match keys, refs to resolve.

``build_records(report, mapping)`` turns the typed rows of a
:class:`ValidationReport` into :class:`PendingRecord` objects: one per row
for entities, one per document (its rows grouped by ``documents.group_by``)
for transactions. Payloads are plain JSON: nested objects for dotted targets,
EntityRefs as ``{"Name": ...}`` or ``{"Id": ...}``, custom fields as
``[{"Name": ..., "Value": ...}]``, line items with ``$type`` first. An empty
cell leaves its field out of the payload (never ``null``, never NaN), so an
update keeps the value the record has.

The steps live in their own modules: cell values in :mod:`ot_etl.load.values`,
one record's payload in :mod:`ot_etl.load.payload`, transaction documents in
:mod:`ot_etl.load.documents`, repeated match keys in
:mod:`ot_etl.load.duplicates`. Their public names are re-exported here.
"""

from __future__ import annotations

import logging

from ot_etl.load.documents import build_documents
from ot_etl.load.duplicates import find_duplicates, merged_records
from ot_etl.load.payload import PendingRecord, RefNeed, build_record, match_key
from ot_etl.load.validate import ValidationReport
from ot_etl.load.values import ISO_SECONDS, Values, column_values, to_json
from ot_etl.mapping.model import Mapping

__all__ = [
    "ISO_SECONDS",
    "PendingRecord",
    "RefNeed",
    "Values",
    "build_records",
    "find_duplicates",
    "match_key",
    "to_json",
]

log = logging.getLogger(__name__)


def build_records(report: ValidationReport, mapping: Mapping) -> list[PendingRecord]:
    """Records for every valid row (entities) or every document (transactions).

    Rows that failed validation produce no entity record (their failures are
    in the report). A document with any failed row is still returned, with a
    problem, so the whole document is rejected rather than loaded short.
    With ``match.duplicates: merge``, entity rows repeating a match key are
    merged (see :func:`~ot_etl.load.duplicates.merged_records`).
    """
    values = column_values(report, mapping)
    if mapping.record_type.is_transaction:
        records = build_documents(report, mapping, values)
    elif mapping.duplicates == "merge":
        records = merged_records(report, mapping, values)
    else:
        records = [
            build_record([pos], report, mapping, values) for pos in report.valid.index
        ]
    log.info("built %d %s records", len(records), mapping.record_type.name)
    return records
