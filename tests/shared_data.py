"""Where the shared real public data lives: the one path every test reads it through.

`../shared/fixtures` beside the checkout is the project's own layout (CI has it); a clone
elsewhere points `PORTAL_SHARED_FIXTURES` at a copy, or its tests that need the data skip.
"""

import os
from pathlib import Path

SHARED_FIXTURES = Path(
    os.environ.get("PORTAL_SHARED_FIXTURES")
    or Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
)
