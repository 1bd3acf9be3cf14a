"""The catalog: every record type, its endpoint and key, and its fields.

It is the spine of the toolkit: the client asks it where to send a record
type, the exporter derives Arrow schemas from it, the loader checks target
fields against it and the sandbox validates with it. The data is the team's
own representation of the API reference (``catalog.json`` beside this file,
rebuilt with ``tools/build_catalog.py``); where the reference is silent or
inferred the choice is marked ``inferred`` on the field.
"""

from ot_etl.catalog.model import Field, FieldType, Kind, RecordType
from ot_etl.catalog.registry import object_fields, record_types, resolve

__all__ = [
    "Field",
    "FieldType",
    "Kind",
    "RecordType",
    "object_fields",
    "record_types",
    "resolve",
]
