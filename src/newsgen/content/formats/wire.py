"""The wire format: ` date 2022-08-10 Body text…`, paragraphs separated by blank lines.

No title and no tags: the loader derives the headline from the first sentence.
"""

from __future__ import annotations

import re

from newsgen.content.formats import SourceDocument

_WIRE = re.compile(r"\A\s*date[ \t]+(\d{4}-\d{2}(?:-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)?)(?=\s|\Z)[ \t]*")


def looks_like_wire(text: str) -> bool:
    return _WIRE.match(text) is not None


def parse_wire(text: str) -> SourceDocument:
    match = _WIRE.match(text)
    assert match is not None
    line = text.count("\n", 0, match.start(1)) + 1
    return SourceDocument(
        meta={"date": match.group(1)},
        meta_lines={"date": line},
        body=text[match.end():],
        body_line=line,
        markup="text",
        format="wire",
    )
