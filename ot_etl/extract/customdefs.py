"""The custom-field columns a type's schema fixes before its first page.

``GET /customfielddefinition?recordType=N`` lists the type's custom fields;
each becomes a ``CustomFields.<Name>`` column in definition order, so a
field that is empty on every exported record still has its column and two
runs give the same schema. A service that refuses the endpoint (403 for a
restricted role, 404 for an older service, 400) leaves the columns to the
names seen on the pages, with a note saying so.
"""

from __future__ import annotations

import dataclasses
import logging

from ot_etl.client import Client
from ot_etl.errors import AuthError, BadRequestError, NotFoundError
from ot_etl.extract.schema import Layout

log = logging.getLogger(__name__)


def with_definitions(client: Client, layout: Layout) -> tuple[Layout, list[str]]:
    """``layout`` with its defined custom fields, and the notes for the manifest."""
    if not layout.custom_fields:
        return layout, []
    rt = layout.record_type
    try:
        found = client.custom_field_definitions(rt)
    except (AuthError, NotFoundError, BadRequestError) as exc:
        note = (
            "custom field definitions unavailable "
            f"({exc.status}); custom-field columns come from the records exported"
        )
        log.warning("%s: %s: %s", layout.table, note, exc)
        return layout, [note]
    names: list[str] = []
    for d in found:
        name = d.get("Name") if isinstance(d, dict) else None
        if isinstance(name, str) and name and name not in names:
            names.append(name)
    log.info("%s: %d custom field(s) defined", layout.table, len(names))
    return dataclasses.replace(layout, custom_defined=tuple(names)), []
