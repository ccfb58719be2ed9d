"""Pelican's convention: `Key: value` lines, a blank line, then the Markdown body."""

from __future__ import annotations

import re

from . import SourceDocument

_HEADER = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)[ \t]*:[ \t]*(.*)$")
_KNOWN = {"title", "date", "tags", "category", "author", "authors", "slug", "summary", "modified", "status"}


def looks_like_headers(text: str) -> bool:
    """True when the file opens with a block of `Key: value` lines naming a known key."""
    first_block = text.lstrip("\n").split("\n\n", 1)[0].split("\n")
    keys = [m.group(1).lower() for m in map(_HEADER.match, first_block) if m]
    return len(keys) == len(first_block) and bool(_KNOWN & set(keys))


def parse_headers(text: str) -> SourceDocument:
    meta: dict[str, str] = {}
    lines: dict[str, int] = {}
    all_lines = text.split("\n")
    number = 0
    while number < len(all_lines) and not all_lines[number].strip():
        number += 1
    while number < len(all_lines) and all_lines[number].strip():
        match = _HEADER.match(all_lines[number])
        if match:
            key = match.group(1).lower()
            meta[key] = match.group(2).strip()
            lines[key] = number + 1
        number += 1
    return SourceDocument(
        meta=meta,
        meta_lines=lines,
        body="\n".join(all_lines[number:]),
        body_line=number + 1,
        markup="markdown",
        format="headers",
    )
