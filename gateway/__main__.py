"""`python -m gateway`: the same command line as the installed `gateway` script."""

from __future__ import annotations

import sys

from gateway.cli import main

if __name__ == "__main__":
    sys.exit(main())
