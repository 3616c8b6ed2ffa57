"""The CLI's Rich console: one place that decides how wide output is."""

from __future__ import annotations

import os
import sys

from rich.console import Console

PIPED_WIDTH = 160


def console() -> Console:
    """A terminal keeps its own width and ``COLUMNS`` always wins; output that is piped or captured (CI logs,
    ``| tee``, a test runner) gets 160 columns instead of Rich's 80, where tables of Chinese labels wrapped
    mid-row."""
    if os.environ.get("COLUMNS") or sys.stdout.isatty():
        return Console()
    return Console(width=PIPED_WIDTH)
