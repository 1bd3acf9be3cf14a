"""Round trip: whatever a CSV writer writes, the reader gives back cell for cell."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ot_etl.load.read import read_source
from ot_etl.mapping import SourceOptions

cell = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=12,
)
grid = st.integers(min_value=1, max_value=4).flatmap(
    lambda width: st.lists(st.lists(cell, min_size=width, max_size=width), max_size=8)
)


@settings(max_examples=40, deadline=None)
@given(rows=grid, sep=st.sampled_from([",", ";", "\t"]), bom=st.booleans())
def test_csv_cells_come_back_as_written(
    rows: list[list[str]], sep: str, bom: bool
) -> None:
    width = len(rows[0]) if rows else 2
    header = [f"col{i}" for i in range(width)]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerows([header, *rows])
    data = ("\ufeff" if bom else "") + out.getvalue()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rt.csv"
        path.write_bytes(data.encode("utf-8"))
        frame = read_source(path, SourceOptions(delimiter=sep, header_row=1))
    kept = [(n, r) for n, r in enumerate(rows, start=2) if "".join(r).strip()]
    assert frame.row_numbers == [n for n, _ in kept]
    got = [[None if v != v else v for v in row] for row in frame.raw.values.tolist()]
    assert got == [[c if c.strip() else None for c in r] for _, r in kept]
