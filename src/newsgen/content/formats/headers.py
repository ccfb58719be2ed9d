"""Pelican's convention: `Key: value` lines, a blank line, then the Markdown body."""

from __future__ import annotations

import re

from newsgen.content.formats import SourceDocument

_HEADER = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)[ \t]*:[ \t]*(.*)$")
_CONTINUATION = re.compile(r"^(?:\t| {2,})\S")
_KNOWN = {"title", "date", "tags", "category", "author", "authors", "slug", "summary", "modified", "status"}


def looks_like_headers(text: str) -> bool:
    """True when the file opens with a block of `Key: value` lines naming a known key."""
    first_block = text.lstrip("\n").split("\n\n", 1)[0].split("\n")
    if first_block and first_block[0][:1].isspace():
        return False
    headers = [line for line in first_block if not _CONTINUATION.match(line)]  # indented: value goes on
    keys = [m.group(1).lower() for m in map(_HEADER.match, headers) if m]
    return len(keys) == len(headers) and bool(_KNOWN & set(keys))


def parse_headers(text: str) -> SourceDocument:
    meta: dict[str, str] = {}
    lines: dict[str, int] = {}
    all_lines = text.split("\n")
    number = 0
    while number < len(all_lines) and not all_lines[number].strip():
        number += 1
    while number < len(all_lines) and all_lines[number].strip():
        match = _HEADER.match(all_lines[number])
        if _CONTINUATION.match(all_lines[number]) and lines:
            key = max(lines, key=lines.__getitem__)
            meta[key] = (meta[key] + " " + all_lines[number].strip()).strip()
        elif match:
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
