"""Single-record operations: get, create, update (holistic PUT) and delete.

Each write is checked and saved inside one store transaction, so uniqueness
checks and key assignment cannot race. Side effects the service has are kept:
a new customer gets its "Primary" Customer Address; a sales order, quote or
ship doc without ``ShipToRef`` takes the customer's primary address, and other
header refs the customer carries (sales rep, term, ship method) fill in when
omitted; ship docs track the quantities they fill on sales-order lines.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from ot_etl.catalog import RecordType, object_fields, resolve
from ot_etl.sandbox import messages as msg
from ot_etl.sandbox import rules
from ot_etl.sandbox.dates import Clock, format_ts
from ot_etl.sandbox.refs import RefResolver, ref_id
from ot_etl.sandbox.rows import ITEM_KINDS, group_of
from ot_etl.sandbox.rules import BadInputError, MissingError, Problems
from ot_etl.sandbox.shipping import ShipDocs
from ot_etl.sandbox.store import Store

logger = logging.getLogger(__name__)

CUSTOMER, ADDRESS, CONTACT = 120, 121, 122
_SHIP_TO_DEFAULT = {7, 13, 4}
_FROM_CUSTOMER = ("SalesRepRef", "TermRef", "ShipMethodRef")
_NOT_UNIQUE = {ADDRESS, CONTACT}


class Records:
    """The write and read rules of single records over a store."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.refs = RefResolver(store)
        self.ship_docs = ShipDocs(store)
        self._last: datetime | None = None

    # -- reads -------------------------------------------------------------------

    def get(
        self, rt: RecordType, key: int, parent: int | None = None
    ) -> dict[str, Any]:
        record = self.store.get(rt.number, key)
        if record is None or (parent is not None and _parent(record) != parent):
            raise MissingError(
                msg.NOT_FOUND.format(record_type=rt.name, key=rt.key_field, value=key)
            )
        return record

    # -- writes ------------------------------------------------------------------

    def create(self, rt: RecordType, body: Mapping[str, Any]) -> dict[str, Any]:
        with self.store.write():
            record = self._prepare(rt, body, None)
            key = self._new_key(rt, record)
            stamp = self._stamp()
            record["RecordInfo"] = {"CreatedDate": stamp, "ModifiedDate": stamp}
            self._save(rt, key, record)
            if rt.number == CUSTOMER:
                # TODO: a PUT that changes PrimaryShipAddress leaves this
                # address as it was created.
                self._primary_address(record, stamp)
            if rt.number == 4:
                self.ship_docs.record_fills(key, record)
        logger.debug("created %s %s", rt.name, key)
        return record

    def update(
        self, rt: RecordType, body: Mapping[str, Any], key: int | None
    ) -> dict[str, Any]:
        field = rt.key_field
        given = ref_id({"Id": body.get(field)}) if body.get(field) is not None else None
        key = given if given is not None else key
        if key is None:
            raise BadInputError(msg.NO_IDENTITY.format(field=field))
        with self.store.write():
            existing = self.get(rt, key)
            record = self._prepare(rt, body, existing)
            record[field] = key
            info = existing.get("RecordInfo") or {}
            stamp = self._stamp()
            record["RecordInfo"] = {
                "CreatedDate": info.get("CreatedDate", stamp),
                "ModifiedDate": stamp,
            }
            # TODO: a renamed record leaves its old Name inside the refs other
            # records hold; the service would show the current name.
            self._save(rt, key, record)
            if rt.number == 4:
                self.ship_docs.record_fills(key, record)
        return record

    def delete(self, rt: RecordType, key: int, parent: int | None = None) -> None:
        # TODO: refuse to delete a record other records still reference (the
        # service answers 409 for a customer with orders); the sandbox allows it.
        with self.store.write():
            self.get(rt, key, parent)
            self.store.delete(rt.number, key)
            if rt.number == CUSTOMER:
                for address in self.store.children(ADDRESS, key):
                    self.store.delete(ADDRESS, int(address["Id"]))
            if rt.number == 4:
                self.store.set_fills(key, [])

    def ensure_lists(self, lists: Mapping[str, Sequence[str]]) -> int:
        """Add rows to list-only record types (the company setup); idempotent."""
        added = 0
        with self.store.write():
            for type_name, names in lists.items():
                rt = resolve(type_name)
                for name in names:
                    if self.store.find_name((rt.number,), name):
                        continue
                    key = self.store.next_value(f"key:{group_of(rt.number)}")
                    stamp = self._stamp()
                    row = {
                        "Id": key,
                        "Name": name,
                        "IsActive": True,
                        "RecordInfo": {"CreatedDate": stamp, "ModifiedDate": stamp},
                    }
                    self.store.put(rt.number, key, row, name)
                    added += 1
        return added

    # -- steps -------------------------------------------------------------------

    def _stamp(self) -> str:
        # Strictly increasing, so a ModifiedDate watermark never ties two writes.
        now = self.clock()
        if self._last is not None and now <= self._last:
            now = self._last + timedelta(microseconds=1)
        self._last = now
        return format_ts(now)

    def _prepare(
        self, rt: RecordType, body: Mapping[str, Any], existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        errors: list[str] = []
        record = rules.shape(rt.fields, body, "", errors)
        raw_lines = body.get("LineItems")
        if rt.line_object is not None and raw_lines is not None:
            if not isinstance(raw_lines, list):
                errors.append(msg.LINES_NOT_LIST)
                raw_lines = []
            record["LineItems"] = self._shape_lines(rt, raw_lines, errors)
        if errors:
            raise BadInputError("; ".join(errors))
        if existing is not None and rt.is_transaction:
            for f in rt.fields:
                if not f.put and f.name in existing:
                    record[f.name] = existing[f.name]
        problems = Problems()
        rules.boolean_defaults(rt.fields, record)
        customer = self._customer(rt, record, problems)
        if customer is not None:
            self._fill_from_customer(rt, record, customer)
        rules.check_fields(rt.fields, record, "", problems, rules.conditional(rt))
        rules.check_conditional(rt, record, problems)
        rules.resolve_refs(
            rt.fields,
            record,
            "",
            problems,
            self.refs,
            customer=ref_id(customer) if customer else None,
            skip=frozenset({"CustomerRef"}),
        )
        self._check_key_and_name(rt, record, existing, problems)
        if rt.line_object is not None:
            self._check_lines(rt, record, existing, problems)
        if rt.number == 4 and rt.line_object is not None:
            self.ship_docs.check(
                record,
                ref_id(customer) if customer else None,
                existing_doc=ref_id({"Id": existing.get("DocNo")})
                if existing
                else None,
                problems=problems,
            )
        problems.raise_if_any()
        return record

    def _shape_lines(
        self, rt: RecordType, raw_lines: list[Any], errors: list[str]
    ) -> list[dict[str, Any]]:
        shaped: list[dict[str, Any]] = []
        for i, line in enumerate(raw_lines, start=1):
            where = f"LineItems[{i}]"
            if not isinstance(line, Mapping):
                errors.append(msg.LINE_NOT_OBJECT.format(where=where))
                continue
            out = {"$type": line.get("$type")}
            out.update(rules.shape(rt.line_fields, line, where + ".", errors))
            out["Id"] = line.get("Id")
            shaped.append(out)
        return shaped

    def _customer(
        self, rt: RecordType, record: dict[str, Any], problems: Problems
    ) -> dict[str, Any] | None:
        """Resolve ``CustomerRef`` first: other header rules depend on it."""
        ref = record.get("CustomerRef")
        field = rt.field("CustomerRef")
        if field is None or not isinstance(ref, Mapping) or field.ref != CUSTOMER:
            return None
        resolved, error = self.refs.resolve("CustomerRef", CUSTOMER, ref)
        if error is not None:
            problems.add("CustomerRef", error, ref.get("Name") or ref.get("Id"))
            return None
        record["CustomerRef"] = resolved
        return resolved

    def _fill_from_customer(
        self, rt: RecordType, record: dict[str, Any], customer: Mapping[str, Any]
    ) -> None:
        cid = ref_id(customer)
        stored = self.refs.record(CUSTOMER, cid) if cid else None
        if stored is None or cid is None:
            return
        if not rt.is_transaction:
            return
        for name in _FROM_CUSTOMER:
            if rt.field(name) and record.get(name) is None and stored.get(name):
                record[name] = stored[name]
        if rt.number in _SHIP_TO_DEFAULT and record.get("ShipToRef") is None:
            addresses = self.store.children(ADDRESS, cid)
            primary = [a for a in addresses if a.get("IsPrimary")] or addresses
            if primary:
                record["ShipToRef"] = {
                    "Id": primary[0]["Id"],
                    "Name": primary[0]["Name"],
                }

    def _check_key_and_name(
        self,
        rt: RecordType,
        record: dict[str, Any],
        existing: dict[str, Any] | None,
        problems: Problems,
    ) -> None:
        own = existing.get(rt.key_field) if existing else None
        if rt.is_transaction and existing is None and record.get(rt.key_field) == 0:
            record[rt.key_field] = None  # .NET clients send 0 for "not numbered yet"
        if (
            rt.is_transaction
            and existing is None
            and record.get(rt.key_field) is not None
        ):
            doc_no = record[rt.key_field]
            if not isinstance(doc_no, int) or doc_no < 1:
                problems.add(rt.key_field, msg.DOCNO_POSITIVE, doc_no)
            elif self.store.get(rt.number, doc_no) is not None:
                problems.add(
                    rt.key_field,
                    msg.DUPLICATE_DOCNO.format(value=doc_no, record_type=rt.name),
                    doc_no,
                )
        name = record.get("Name")
        if rt.is_transaction or not isinstance(name, str) or not name:
            return
        if rt.number == ADDRESS:
            parent = _parent(record)
            clash = parent is not None and any(
                k != own for _, k in self.store.find_name((ADDRESS,), name, parent)
            )
            if clash:
                problems.add(
                    "Name",
                    msg.DUPLICATE_ADDRESS.format(customer=parent, name=name),
                    name,
                )
            return
        if rt.number in _NOT_UNIQUE or rt.field("Name") is None:
            return
        kinds = ITEM_KINDS if rt.number in ITEM_KINDS else (rt.number,)
        for kind, key in self.store.find_name(kinds, name):
            if key != own:
                label = resolve(kind).name
                problems.add(
                    "Name",
                    msg.DUPLICATE_NAME.format(record_type=label, name=name),
                    name,
                )
                break

    def _check_lines(
        self,
        rt: RecordType,
        record: dict[str, Any],
        existing: dict[str, Any] | None,
        problems: Problems,
    ) -> None:
        lines: list[dict[str, Any]] = record.get("LineItems") or []
        known = {
            line.get("Id")
            for line in (existing.get("LineItems") or [] if existing else [])
        }
        for i, line in enumerate(lines, start=1):
            where = f"LineItems[{i}]"
            rules.check_type_tag(rt, line, where, problems)
            if rt.line_type_tag is not None:
                line["$type"] = rt.line_type_tag
            else:
                del line["$type"]
            rules.check_fields(rt.line_fields, line, where + ".", problems)
            rules.resolve_refs(rt.line_fields, line, where + ".", problems, self.refs)
            if line.get("Id") not in known or line.get("Id") is None:
                line["Id"] = None  # numbered on save
            line["LineNo"] = i

    def _new_key(self, rt: RecordType, record: dict[str, Any]) -> int:
        grp = group_of(rt.number)
        keys = self.store.keys(115 if rt.number in ITEM_KINDS else rt.number)
        floor = keys[-1] if keys else 0
        if rt.is_transaction:
            given = record.get(rt.key_field)
            if isinstance(given, int):
                self.store.raise_counter(f"key:{grp}", given)
                return given
        return self.store.next_value(f"key:{grp}", floor)

    def _save(self, rt: RecordType, key: int, record: dict[str, Any]) -> None:
        record[rt.key_field] = key
        for line in record.get("LineItems") or []:
            if line.get("Id") is None:
                line["Id"] = self.store.next_value(f"line:{rt.number}")
            if "DocNo" in line and rt.number == 4:
                line["DocNo"], line["TranType"] = key, rt.number
        name = None if rt.is_transaction else record.get("Name")
        parent = _parent(record) if rt.number == ADDRESS else None
        self.store.put(rt.number, key, record, name, parent)

    def _primary_address(self, customer: dict[str, Any], stamp: str) -> None:
        source = customer.get("PrimaryShipAddress") or customer.get("BillAddress") or {}
        address: dict[str, Any] = {}
        for f in object_fields("CustomerAddress"):
            address[f.name] = source.get(f.name) if f.name != "Name" else None
        address.update(
            Id=self.store.next_value(f"key:{ADDRESS}"),
            CustomerRef={"Id": customer["Id"], "Name": customer.get("Name")},
            Name="Primary",
            IsActive=True,
            IsPrimary=True,
            CustomFields=[],
            RecordInfo={"CreatedDate": stamp, "ModifiedDate": stamp},
        )
        self.store.put(ADDRESS, address["Id"], address, "Primary", customer["Id"])


def _parent(record: Mapping[str, Any]) -> int | None:
    owner = record.get("CustomerRef")
    return ref_id(owner) if isinstance(owner, Mapping) else None
