"""File-format readers: each turns a file into a grid of cell texts.

A grid is a list of rows, row ``i`` being the row the user sees as number
``i + 1`` in a spreadsheet (or the ``i + 1``-th record of a CSV file). Every
cell is text exactly as typed; header detection and typing happen later.
"""

from ot_etl.load.readers.excel import EXCEL_SUFFIXES, read_excel_grid
from ot_etl.load.readers.text import decode_bytes, read_text_grid

__all__ = ["EXCEL_SUFFIXES", "decode_bytes", "read_excel_grid", "read_text_grid"]
