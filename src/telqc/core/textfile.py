"""Reading a file a person hands to an import command: UTF-8 text (a BOM allowed), within a size limit.

A file that is not UTF-8 (a GBK export from a spreadsheet, say) or too large is refused with the line and
column of the first bad byte or with the size, never a decoding traceback (issue 17)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MAX_IMPORT_BYTES = 256 * 1024 * 1024
"""The largest file an import command reads (it reads the whole file: all or nothing)."""


class BadFile(ValueError):
    """The file cannot be read as text; the message names the file and, for a bad byte, its line and column
    (also kept as ``line``, ``column`` and ``byte`` for a caller that reports by line)."""

    def __init__(self, message: str, line: int = 0, column: int = 0, byte: int = 0) -> None:
        super().__init__(message)
        self.line, self.column, self.byte = line, column, byte


def read_text(path: Path, limit: int = MAX_IMPORT_BYTES) -> str:
    size = path.stat().st_size
    if size > limit:
        raise BadFile(f"{path}: {size:,} bytes, above the import limit of {limit:,} bytes (split the file)")
    return decode(path.read_bytes(), str(path))


def read_lines(path: Path, limit: int = MAX_IMPORT_BYTES) -> list[str]:
    return read_text(path, limit).splitlines()


def decode(data: bytes, name: str) -> str:
    """``data`` (an uploaded file) as UTF-8 text, or BadFile naming the line and column of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise BadFile(f"{name}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at column {column}); "
                      "save the file as UTF-8", line, column, data[exc.start]) from exc


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def json_line(raw: str) -> Any:
    """One line of a JSON Lines import. Every way a line can fail is a ``json.JSONDecodeError`` the caller
    reports by line: besides bad syntax, nesting deeper than the parser's stack (``[[[[…``, a RecursionError),
    an integer of more than 4,300 digits (a ValueError) and the non-standard ``NaN`` / ``Infinity``, which
    ``json.loads`` accepts and no importer can store."""
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except json.JSONDecodeError:
        raise
    except RecursionError as exc:
        raise json.JSONDecodeError("nested too deeply", raw, 0) from exc
    except ValueError as exc:
        raise json.JSONDecodeError(str(exc).split(":")[0], raw, 0) from exc
