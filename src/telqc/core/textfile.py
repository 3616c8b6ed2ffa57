"""Reading a file a person hands to an import command: UTF-8 text (a BOM allowed), within a size limit.

A file that is not UTF-8 (a GBK export from a spreadsheet, say) or too large is refused with the line and
column of the first bad byte or with the size, never a decoding traceback (issue 17)."""

from __future__ import annotations

from pathlib import Path

MAX_IMPORT_BYTES = 256 * 1024 * 1024
"""The largest file an import command reads (it reads the whole file: all or nothing)."""


class BadFile(ValueError):
    """The file cannot be read as text; the message names the file and, for a bad byte, its line and column."""


def read_text(path: Path, limit: int = MAX_IMPORT_BYTES) -> str:
    size = path.stat().st_size
    if size > limit:
        raise BadFile(f"{path}: {size:,} bytes, above the import limit of {limit:,} bytes (split the file)")
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise BadFile(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at column {column}); "
                      "save the file as UTF-8") from exc


def read_lines(path: Path, limit: int = MAX_IMPORT_BYTES) -> list[str]:
    return read_text(path, limit).splitlines()
