"""Reference tables (departments, sectors, procedure types, UIT values) and their CSV files.

`DATA_DIR` lives here, free of the database layer, so parsers read the files without it.
"""

from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
