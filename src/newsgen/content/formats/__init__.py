"""Readers: one per input format, each turning a file's text into a SourceDocument.

The format is chosen by content, not only by extension (readers.py): YAML (`---`) or TOML
(`+++`) front matter, the wire format's leading `date YYYY-MM-DD`, Pelican-style `Key: value`
headers, or plain Markdown whose date comes from the file name. This module holds what the
readers share: the SourceDocument they return and the decoding of a file's bytes.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import Any, Literal

from newsgen.errors import SourceProblem

Markup = Literal["markdown", "text", "html"]

_SURROGATE = re.compile(r"[\ud800-\udfff]")
NUMBER_DIGITS = sys.get_int_max_str_digits()
"""The most digits Python turns into a whole number, or a number into text (4,300 by default)."""
_HUGE = 10 ** NUMBER_DIGITS
LONG_NUMBER = re.compile(r"[0-9][0-9_]{%d,}" % NUMBER_DIGITS)
"""A run of digits (TOML and YAML allow `_` between them) longer than NUMBER_DIGITS."""


@dataclass(frozen=True)
class SourceDocument:
    """What a reader found in one file, before types are checked and fields derived."""

    meta: dict[str, Any]
    """Header keys, lowercased, with their values as the format gave them."""
    body: str
    """The article body, in `markup`."""
    markup: Markup
    meta_lines: dict[str, int] = field(default_factory=dict)
    """The file line each header key stands on, for error messages."""
    body_line: int = 1
    """The file line the body starts on."""
    format: str = "markdown"


STRAY_NULS = 8
"""NUL bytes a text file may hold and still be text (besides one per 1,000 bytes): a damaged
export or a scraper's stray bytes. More make it a binary file."""


def decode_text(data: bytes) -> tuple[str, bool]:
    """Bytes as text with `\\n` line ends: UTF-8 (BOM or not), else Windows-1252. A few stray NUL
    bytes are kept (the caller removes them or refuses the record holding them); a file with more
    is binary, an error.

    Returns the text and whether the Windows-1252 fallback was used (the caller warns).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with BOM (Windows Notepad's "Unicode")
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data and data.count(b"\x00") > max(STRAY_NULS, len(data) // 1000):
        raise SourceProblem("contains NUL bytes; is this a binary file?", line=data[: data.index(b"\x00")].count(b"\n") + 1)
    try:
        text = data.decode("utf-8-sig")
        fallback = False
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        fallback = True
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, fallback


def lone_surrogate(value: Any) -> str | None:
    """The first lone UTF-16 surrogate (`\\ud800`) in the strings of a parsed value (keys
    included), as its escape, or None. JSON escapes can spell one; it is half a character, and no
    page or feed can be written with it."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if found := _SURROGATE.search(item):
                return f"\\u{ord(found.group()):04x}"
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return None


def huge_number_key(meta: dict[str, Any]) -> str | None:
    """The first key whose value holds a whole number of more than NUMBER_DIGITS digits, or None.
    A YAML or TOML hex number (`0xfff...`) can be one; it could never be shown as text. YAML
    aliases make a value a graph: each container is looked at once."""
    for key, value in meta.items():
        pending, seen = [value], set()
        while pending:
            item = pending.pop()
            if isinstance(item, int) and not -_HUGE < item < _HUGE:
                return key
            if isinstance(item, (dict, list)) and id(item) not in seen:
                seen.add(id(item))
                pending.extend(item.values() if isinstance(item, dict) else item)
    return None
