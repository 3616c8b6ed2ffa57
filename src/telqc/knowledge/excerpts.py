"""Short pieces of an article's text: the lead sentence of an untitled answer, and a hit's snippet.

Pure text in, text out: the agent reads the snippet on the search screen while the customer
waits, so it shows the densest run of matched words with each match marked.
"""

from __future__ import annotations

import html
import re

from telqc.knowledge.segment import normalize

_LEAD_END = re.compile(r"(?<=[。！？!?；;\n])")
_LEAD_CHARS = 60
_SNIPPET_CHARS = 80


def lead(body: str) -> str:
    """The first sentence: an untitled answer (FAQ import, answer bank) usually restates its question there."""
    return _LEAD_END.split(body.strip(), maxsplit=1)[0][:_LEAD_CHARS]


def snippet(text: str, terms: tuple[str, ...] | list[str], width: int = _SNIPPET_CHARS) -> str:
    """HTML-escaped excerpt around the densest run of matches, each wrapped in <mark>."""
    lowered = normalize(text) if len(normalize(text)) == len(text) else text
    spans: list[tuple[int, int]] = []
    taken = [False] * len(text)
    for term in sorted({t for t in terms if t}, key=len, reverse=True):
        for m in re.finditer(re.escape(term), lowered):
            if not any(taken[m.start() : m.end()]):
                spans.append((m.start(), m.end()))
                taken[m.start() : m.end()] = [True] * (m.end() - m.start())
    spans.sort()
    start = 0
    if len(text) > width and spans:
        best = max(range(len(spans)), key=lambda k: sum(1 for s in spans[k:] if s[1] <= spans[k][0] + width))
        start = max(0, min(spans[best][0] - 10, len(text) - width))
    end = min(len(text), start + width)
    parts = ["…"] if start > 0 else []
    pos = start
    for s, e in spans:
        if s < start or e > end:
            continue
        parts.append(html.escape(text[pos:s]))
        parts.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    parts.append(html.escape(text[pos:end]))
    if end < len(text):
        parts.append("…")
    return "".join(parts)
