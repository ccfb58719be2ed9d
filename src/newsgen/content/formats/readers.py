"""Which reader a file's text gets: chosen by its content, not only by its extension."""

from __future__ import annotations

from newsgen.content.formats import SourceDocument, frontmatter, headers, wire


def parse_document(text: str) -> SourceDocument:
    """Pick the reader that fits the text and run it."""
    first_line = text.split("\n", 1)[0].rstrip(" \t")  # a fence may carry trailing spaces, as in Jekyll
    if first_line == "---" and "\n" in text:
        return frontmatter.parse_yaml(text)
    if first_line == "+++" and "\n" in text:
        return frontmatter.parse_toml(text)
    if wire.looks_like_wire(text):
        return wire.parse_wire(text)
    if headers.looks_like_headers(text):
        return headers.parse_headers(text)
    return frontmatter.parse_plain_markdown(text)
