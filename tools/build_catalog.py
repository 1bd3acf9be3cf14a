"""Rebuild ``ot_etl/catalog/catalog.json`` from the API reference's catalog file.

Usage: ``python tools/build_catalog.py REFERENCE_CATALOG_JSON``

The reference file is what the team compiled from the Order Time help pages. The
package ships only the compact representation written here, so users never need
the reference. Curated corrections (sensitive fields, list-only shapes, the
RecordInfo object the help pages never document) live in this script, in one
place, so a rebuild keeps them.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "ot_etl" / "catalog" / "catalog.json"

# Fields whose values are card data or secrets: never logged, never written in
# clear text to a ledger or a rejects file.
SENSITIVE = {
    "CreditCardNo",
    "CreditCardName",
    "CreditCardAddress",
    "CreditCardZip",
    "ExpMonth",
    "ExpYear",
    "CVV",
    "Password",
}

SCALARS = {"String", "Int32", "Int16", "Decimal", "Boolean", "DateTime", "Any"}
ENUMS = {
    "SendMethodEnum",
    "AllowShipPartialEnum",
    "DataTypeEnum",
    "ItemTypeEnum",
    "RecordTypeEnum",
}

# The help pages never document RecordInfo; clients read these two members.
RECORD_INFO = [
    {"name": "CreatedDate", "type": "DateTime", "read_only": True},
    {"name": "ModifiedDate", "type": "DateTime", "read_only": True},
]
# Profile lists without an endpoint page: /list and /entityref rows carry at
# least Id and Name (inferred); IsActive is filtered on by public clients.
LIST_ONLY_FIELDS = [
    {"name": "Id", "type": "Int32", "read_only": True},
    {"name": "Name", "type": "String", "required": True, "max_length": 50},
    {"name": "IsActive", "type": "Boolean"},
    {"name": "RecordInfo", "type": "RecordInfo", "read_only": True},
]

LINE_OBJECTS = {
    1000: "SalesOrderLineItem",
    1040: "PurchaseOrderLineItem",
    1070: "ShipDocLineItem",
    1080: "ReceiverLineItem",
    1090: "AdjustmentLineItem",
    1095: "TransferLineItem",
}

# Item refs the help pages mark required, but which an ItemGroupRef makes
# optional (the group supplies defaults); UomRef and UomSetRef are alternatives.
CONDITIONAL = {
    "AssetAccountRef",
    "COGSAccountRef",
    "IncomeAccountRef",
    "ExpenseAccountRef",
    "UomRef",
    "UomSetRef",
}
ITEM_OBJECTS = {
    "PartItem",
    "AssemblyItem",
    "NonPartItem",
    "ServiceItem",
    "OtherChargeItem",
}

KEY_PARAM = re.compile(r"^[A-Za-z]+(\+[A-Za-z]+)*$")


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def field(p: dict[str, Any], ref_numbers: dict[str, int]) -> dict[str, Any]:
    ftype = p["type"]
    out: dict[str, Any] = {"name": p["name"]}
    if ftype.startswith("Array of "):
        inner = ftype[len("Array of ") :]
        out["type"] = "CustomFields" if inner == "CustomFieldData" else "Array"
        if out["type"] == "Array":
            out["of"] = inner
    elif ftype in ENUMS:
        out["type"] = "Int32"
        out["enum"] = ftype
    elif ftype == "Byte Array":
        out["type"] = "String"
    elif ftype in SCALARS or ftype == "EntityRef":
        out["type"] = ftype
    else:
        out["type"] = "Object"
        out["of"] = "Address" if ftype == "CustomerAddress" else ftype
    if p.get("required"):
        out["required"] = True
    if p.get("max_length"):
        out["max_length"] = p["max_length"]
    if p.get("ref_type"):
        ref = p["ref_type"]
        out["ref"] = ref_numbers.get(ref)
    if p.get("read_only"):
        out["read_only"] = True
    if p.get("updatable_with_put") is False:
        out["put"] = False
    if p.get("inferred"):
        out["inferred"] = True
    if p["name"] in SENSITIVE:
        out["sensitive"] = True
    return out


def main(src: Path) -> None:
    ref = json.loads(src.read_text(encoding="utf-8"))
    enum = ref["_about"]["record_type_enum"]
    numbers: dict[str, int] = {**enum["official"], **enum["third_party_only"]}
    ref_numbers = {name: num for name, num in numbers.items()}
    # An ItemRef may point at any item kind: the official union type is Item
    # All (115); 100 ("Item") is only seen in third-party code.
    ref_numbers["Item"] = 115
    objects: dict[str, list[dict[str, Any]]] = {
        "RecordInfo": RECORD_INFO,
        "ListRow": LIST_ONLY_FIELDS,
    }
    for tname, spec in ref["types"].items():
        if spec.get("properties"):
            objects[tname] = [field(p, ref_numbers) for p in spec["properties"]]
    described: dict[int, dict[str, Any]] = {}
    for kind in ("entities", "transactions"):
        for oname, spec in ref[kind].items():
            num = spec.get("record_type")
            obj_name = oname.replace(" ", "")
            # "$type" is a wire discriminator, not a field: the catalog keeps it
            # as the record type's line_type_tag instead.
            props = [
                field(p, ref_numbers)
                for p in spec.get("properties", [])
                if p["name"] != "$type"
            ]
            if obj_name in ITEM_OBJECTS:
                for f in props:
                    if f["name"] in CONDITIONAL and f.pop("required", False):
                        f["conditional"] = True
            if props:
                if not any(f["name"] == "RecordInfo" for f in props):
                    props.append(
                        {
                            "name": "RecordInfo",
                            "type": "Object",
                            "of": "RecordInfo",
                            "read_only": True,
                        }
                    )
                objects[obj_name] = props
            line_props = spec.get("line_item_properties") or []
            line_obj = spec.get("line_item_type")
            if line_props and line_obj:
                objects[line_obj] = [
                    field(p, ref_numbers) for p in line_props if p["name"] != "$type"
                ]
            if num is None:
                continue
            raw_keys = spec.get("key_params", [])
            keys = [k for k in raw_keys if KEY_PARAM.match(k)]
            if (
                len(keys) == len(raw_keys)
                and len(keys) > 1
                and "+" not in "".join(keys)
            ):
                # customeraddress: both parameters are needed together.
                keys = ["+".join(keys)]
            described[num] = {
                "endpoint": spec.get("path"),
                "key_params": keys[0].split("+") if keys else [],
                "methods": spec.get("methods", []),
                "object": obj_name if props else "ListRow",
                "line_object": line_obj if line_props else None,
                "line_type_tag": spec.get("line_item_$type"),
                "kind": "transaction" if kind == "transactions" else "entity",
            }
    record_types = []
    for name, num in sorted(numbers.items(), key=lambda kv: kv[1]):
        base = described.get(num, {})
        kind = base.get("kind")
        if kind is None:
            kind = "transaction" if num < 100 or num == 660 else "entity"
        if num in LINE_OBJECTS:
            kind = "line"
            base = {**base, "object": LINE_OBJECTS[num]}
        if num in (100, 115):
            # Item / Item All list every item kind; Part Item has the widest shape.
            base = {**base, "object": "PartItem"}
        record_types.append(
            {
                "number": num,
                "name": name,
                "slug": slug(name),
                "kind": kind,
                "endpoint": base.get("endpoint") if base.get("methods") else None,
                "key_params": base.get("key_params", []),
                "methods": base.get("methods", []),
                "object": base.get("object", "ListRow"),
                "line_object": base.get("line_object"),
                "line_type_tag": base.get("line_type_tag"),
                "official": name in enum["official"],
            }
        )
    OUT.write_text(
        json.dumps(
            {"record_types": record_types, "objects": objects},
            indent=1,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {len(record_types)} record types, {len(objects)} objects to {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
