"""Mapping files: what to load, from which columns, checked before any data is read.

``load_mapping(path)`` parses a YAML mapping into a :class:`Mapping` or raises
MappingError listing every problem with its YAML path; ``init_mapping``
drafts one from a file's headers. The format is described in
``docs/mappings.md``.
"""

from ot_etl.mapping.init import init_mapping
from ot_etl.mapping.model import (
    DocumentSpec,
    FieldMap,
    FillSpec,
    JoinSpec,
    Mapping,
    MatchNormalize,
    Mode,
    SourceOptions,
)
from ot_etl.mapping.parse import load_mapping, parse_mapping

__all__ = [
    "DocumentSpec",
    "FieldMap",
    "FillSpec",
    "JoinSpec",
    "Mapping",
    "MatchNormalize",
    "Mode",
    "SourceOptions",
    "init_mapping",
    "load_mapping",
    "parse_mapping",
]
