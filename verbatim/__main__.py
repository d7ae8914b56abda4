"""`python -m verbatim`: the same as the `verbatim` command."""

from __future__ import annotations

import sys

from verbatim.cli import main

sys.exit(main())
