"""Article files in and out: JSONL (one article per line) and Markdown (one article per file).

Markdown is what knowledge editors write and review in git: YAML front matter for the
fields, the body below it, and the title either in the front matter or as the first
``# heading``. Parsing only turns files into raw records named by where they came from;
validation stays with ``ArticleIn`` so both formats report errors the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from telqc.core import textfile

_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.DOTALL)
_HEADING = re.compile(r"\A\s*#[ \t]+(.+?)[ \t]*#*[ \t]*(?:\r?\n|\Z)")
FIELD_ORDER = ("kind", "title", "category", "tags", "audience", "valid_from", "valid_to", "questions")


class FormatError(ValueError):
    """A file that is not in the import format; the message names the file (and line)."""


def read_records(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, raw record) for every article in a .jsonl file, a .md file or a directory of .md files."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*.md") if p.is_file())
        if not files:
            raise FormatError(f"{path}: no .md files")
        for file in files:
            yield str(file), parse_markdown(_text(file), str(file))
    elif path.suffix.lower() in {".md", ".markdown"}:
        yield str(path), parse_markdown(_text(path), str(path))
    else:
        for n, line in enumerate(_text(path).splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = textfile.json_line(line)
            except json.JSONDecodeError as exc:
                raise FormatError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise FormatError(f"{path}:{n}: expected a JSON object")
            yield f"line {n}", record


def _text(path: Path) -> str:
    try:
        return textfile.read_text(path)
    except textfile.BadFile as exc:
        raise FormatError(str(exc)) from exc


def parse_markdown(text: str, where: str = "<markdown>") -> dict[str, Any]:
    match = _FRONT.match(text.lstrip("\ufeff"))
    if match is None:
        raise FormatError(f"{where}: missing YAML front matter (a '---' block at the top)")
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise FormatError(f"{where}: front matter is not valid YAML ({exc})") from exc
    if not isinstance(meta, dict):
        raise FormatError(f"{where}: front matter must be a mapping of field: value")
    body = match.group(2).strip("\n")
    if "title" not in meta and (heading := _HEADING.match(body)):
        meta["title"] = heading.group(1)
        body = body[heading.end():].lstrip("\n")
    meta["body"] = body.rstrip()
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in meta.items()}


def to_markdown(record: Mapping[str, Any]) -> str:
    meta = {k: record[k] for k in FIELD_ORDER if record.get(k) not in (None, [], "")}
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).rstrip("\n")
    return f"---\n{front}\n---\n\n{record['body'].rstrip()}\n"


def markdown_name(article_id: int, title: str) -> str:
    slug = re.sub(r"[^\w]+", "-", title, flags=re.UNICODE).strip("-")[:40] or "article"
    return f"{article_id:06d}-{slug}.md"
