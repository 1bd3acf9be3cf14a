"""Every message text the sandbox sends, in one place.

Tests, the loader's rejects file and the docs quote these strings, so they are
stable: change one here and the tests say where it mattered.
"""

from __future__ import annotations

from typing import Any

# Authentication and authorisation (401 / 403).
MISSING_HEADER = "Missing credentials: the {header} header is required"
MISSING_SECRET = "Missing credentials: send a password or a DevKey header"
BAD_CREDENTIALS = "Incorrect api key or user credentials"
READ_ONLY = "The role of {email} does not allow {method} on {record_type}"

# Routing and request shape (400 / 404 / 405 / 413).
NO_ROUTE = "No HTTP resource was found that matches the request URI '{path}'."
NOT_ALLOWED = "The requested resource does not support http method '{method}'."
NOT_SERVED = "The sandbox does not serve {path}; use the LineItems of the document"
BODY_TOO_LARGE = "The request body is larger than {limit} bytes"
BAD_LENGTH = "Content-Length must be a whole number of bytes, got '{value}'"
BAD_JSON = "The request body is not valid JSON: {error}"
NOT_FINITE = (
    "The request body is not valid JSON: {value} is not a finite number;"
    " send a number or null"
)
BODY_NOT_OBJECT = "The request body must be a JSON object"
MISSING_PARAM = "The query parameter '{param}' is required"
BAD_PARAM = "The query parameter '{param}' must be an integer, got '{value}'"
NOT_FOUND = "No {record_type} with {key} {value}"
NO_IDENTITY = "The record has no {field}: a PUT must say which record it replaces"
SERVER_ERROR = "An error has occurred."
TOO_MANY = "Too many requests; retry after {seconds} seconds"

# ListInfo (400).
TYPE_REQUIRED = "ListInfo.Type is required"
TYPE_UNKNOWN = "ListInfo.Type {value!r} is not a known record type"
LINES_NOT_LISTED = (
    "{record_type} ({number}) rows are listed with their document: list"
    " {documents} with IncludeLineItems true and read each row's LineItems"
)
PAGE_NUMBER = "PageNumber must be an integer of 1 or more, got {value!r}"
PAGE_SIZE = "NumberOfRecords must be an integer of 1 or more, got {value!r}"
FILTERS_NOT_LIST = "Filters must be an array of FilterField objects"
FILTER_PROPERTY = "Filters[{index}].PropertyName is required"
UNKNOWN_PROPERTY = "{record_type} has no property '{path}'"
NOT_SCALAR = "'{path}' is an object; filter or sort on one of its properties"
BAD_OPERATOR = "Filters[{index}].Operator {value!r} is not a FilterOpEnum value"
BAD_MACRO = "Filters[{index}].DateMacro {value!r} is not a DateMacroEnum value"
MACRO_NOT_DATE = "Filters[{index}]: a DateMacro needs a date property, not '{path}'"
VALUE_REQUIRED = "Filters[{index}].FilterValueArray is required for operator {op}"
BAD_VALUE = "Filters[{index}]: {value!r} is not a valid {type} for '{path}'"
VALUE_NOT_SCALAR = (
    "Filters[{index}].FilterValueArray {value} for '{path}' is a JSON {shape};"
    ' send one string, number or boolean (In and NotIn take a comma list, "A,B")'
)
BAD_SORT = "Sortation.PropertyName is required"
BAD_DIRECTION = "Sortation.Direction must be 1 (Asc) or 2 (Desc), got {value!r}"

# Record validation (409 ValidationResult messages).
REQUIRED = "{field} is required"
TOO_LONG = "{field} exceeds {limit} characters"
DUPLICATE_NAME = "A {record_type} named '{name}' already exists"
DUPLICATE_ADDRESS = "Customer {customer} already has an address named '{name}'"
DUPLICATE_DOCNO = "DocNo {value} is already used by another {record_type}"
REF_NO_ID = "{field}: no {target} with Id {value}"
REF_NO_NAME = "{field}: no {target} with Name '{value}'"
REF_AMBIGUOUS = "{field}: {count} {target} records are named '{value}'; give the Id"
REF_EMPTY = "{field}: give an Id or a Name"
SHIPTO_OTHER = "ShipToRef: address {value} does not belong to customer {customer}"
UOM_REQUIRED = "UomRef or UomSetRef is required when ItemGroupRef is not given"
TYPE_TAG_MISSING = "{where}: $type is required ('{expected}')"
TYPE_TAG_WRONG = "{where}: $type must be '{expected}', got '{value}'"
LINES_NOT_LIST = "LineItems must be an array"
LINE_NOT_OBJECT = "{where} must be an object"
DOCNO_POSITIVE = "DocNo must be a positive integer"

# Wrong JSON types of scalar fields (400).
WRONG_TYPE = "{path}: expected {expected}, got {value}"

# Ship doc rules (409).
LINK_REQUIRED = "{where}: LinkedInfo with TranType 7, DocNo and LineNo is required"
LINK_NO_ORDER = "{where}: no Sales Order with DocNo {doc_no}"
LINK_NO_LINE = "{where}: Sales Order {doc_no} has no line {line_no}"
LINK_OTHER_CUSTOMER = (
    "{where}: Sales Order {doc_no} belongs to customer {other}, not {customer}"
)
LINK_OTHER_ITEM = (
    "{where}: the item '{item}' differs from '{ordered}' on Sales Order "
    "{doc_no} line {line_no}"
)
OVER_FILL = (
    "{where}: quantity {quantity} is more than the {open} still open on "
    "Sales Order {doc_no} line {line_no}"
)
FILL_NOT_POSITIVE = (
    "{where}: quantity {quantity} cannot fill Sales Order {doc_no} line "
    "{line_no}; it must be more than 0"
)


def show(value: Any) -> str:
    """A short, readable rendering of a submitted value for a message."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."
