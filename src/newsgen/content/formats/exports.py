"""Bulk exports: a `.jsonl` / `.ndjson` file (one JSON object a line) or a `.csv` file (a header row,
then one article a row) holds many articles. Each record becomes one SourceDocument, or one
SourceProblem at the record's file line.

Field names are mapped by `export_fields` in the config; for each article field the names are tried
in order (`tags` and `author` take the union of every listed field that is present).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

from newsgen.errors import SourceProblem
from newsgen.content.formats import LONG_NUMBER, NUMBER_DIGITS, Markup, SourceDocument, lone_surrogate

EXPORT_SUFFIXES = {".jsonl", ".ndjson", ".csv"}
CSV_FIELD_LIMIT = 2**31 - 1
"""The csv module's limit on one field, raised as far as a C long goes on every platform: an
article's body is one field, and the module's default (128 KiB) is less than a long article."""
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")

DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "date": ("date", "published", "pubdate", "datetime"),
    "title": ("title", "headline"),
    "body": ("body", "text", "content"),
    "tags": ("tags", "topics"),
    "author": ("author", "authors", "byline"),
    "section": ("section", "category"),
    "id": ("id",),
    "url": ("url", "link"),
    "summary": ("summary", "description"),
    "updated": ("updated", "modified"),
    "slug": ("slug",),
    "draft": ("draft",),
    "image": ("image", "image_url", "picture"),
    "image_alt": ("image_alt", "alt"),
    "image_caption": ("image_caption", "caption"),
    "image_credit": ("image_credit", "credit", "photographer"),
}
_UNION_FIELDS = {"tags", "author"}


@dataclass(frozen=True)
class ExportRecord:
    """One record of an export: where it starts, its id (if any), and its document or problem."""

    line: int
    record_id: str | None
    document: SourceDocument | None
    problem: SourceProblem | None = None


def field_names(overrides: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """The default field names with the config's `export_fields` replacing them per field."""
    names = dict(DEFAULT_FIELDS)
    for key, value in overrides.items():
        names[key] = (value,) if isinstance(value, str) else tuple(value)
    return names


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _split_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        separator = ";" if ";" in value else ","
        return [part.strip() for part in value.split(separator) if part.strip()]
    return [value]


def map_record(record: dict[str, Any], names: dict[str, tuple[str, ...]], line: int, markup: Markup) -> ExportRecord:
    """One export record as a SourceDocument with newsgen's own keys."""
    lowered = {str(k).lower(): v for k, v in record.items()}
    meta: dict[str, Any] = {}
    for field, candidates in names.items():
        if field == "body":
            continue
        if field in _UNION_FIELDS:
            values = [item for name in candidates if _present(lowered.get(name.lower()))
                      for item in _split_list(lowered[name.lower()])]
            if values:
                meta["tags" if field == "tags" else "authors"] = values
            continue
        value = next((lowered[n.lower()] for n in candidates if _present(lowered.get(n.lower()))), None)
        if value is not None:
            meta[field] = value
    if "url" in meta and "slug" not in meta:
        tail = str(meta["url"]).split("?")[0].split("#")[0].rstrip("/").rsplit("/", 1)[-1]
        tail = re.sub(r"\.(s?html?|php|aspx?|jsp)$", "", tail, flags=re.I)
        if tail and "." not in tail and ":" not in tail:
            meta["slug"] = tail
    if "date" not in meta:
        tried = ", ".join(repr(n) for n in names["date"])
        return ExportRecord(line, _record_id(meta), None, SourceProblem(f"no date: the record has none of the fields {tried}", line))
    body = next((lowered[n.lower()] for n in names["body"] if _present(lowered.get(n.lower()))), "")
    if not isinstance(body, str):
        return ExportRecord(line, _record_id(meta), None, SourceProblem("the body must be text", line))
    record_id = _record_id(meta)
    meta.pop("id", None)
    document = SourceDocument(meta=meta, body=body, markup=markup, meta_lines={k: line for k in meta},
                              body_line=line, format="export")
    return ExportRecord(line, record_id, document)


def _record_id(meta: dict[str, Any]) -> str | None:
    value = meta.get("id")
    return str(value) if _present(value) else None


def _oversized(record_text: str, line: int, max_bytes: int) -> ExportRecord | None:
    """An error for a record of more than max_bytes bytes (as UTF-8), else None."""
    if len(record_text) <= max_bytes // 4:  # no character is more than 4 bytes
        return None
    size = len(record_text.encode("utf-8"))
    if size <= max_bytes:
        return None
    return ExportRecord(line, None, None, SourceProblem(
        f"the record is {size:,} bytes, more than max_article_bytes ({max_bytes:,})", line))


def read_jsonl(text: str, names: dict[str, tuple[str, ...]], markup: Markup, max_bytes: int) -> Iterator[ExportRecord]:
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        if oversized := _oversized(raw, number, max_bytes):
            yield oversized
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield ExportRecord(number, None, None, SourceProblem(f"invalid JSON: {exc.msg} (column {exc.colno})", number))
            continue
        except RecursionError:
            yield ExportRecord(number, None, None, SourceProblem("invalid JSON: nested too deeply", number))
            continue
        except ValueError:  # the json module turns digits into a number outside JSONDecodeError
            found = LONG_NUMBER.search(raw)
            column = f" (column {found.start() + 1})" if found else ""
            yield ExportRecord(number, None, None, SourceProblem(
                f"invalid JSON: a number of more than {NUMBER_DIGITS} digits{column}", number))
            continue
        if not isinstance(record, dict):
            yield ExportRecord(number, None, None, SourceProblem(
                f"expected a JSON object for one article, not {type(record).__name__}", number))
            continue
        if _SURROGATE_ESCAPE.search(raw) and (half := lone_surrogate(record)):
            yield ExportRecord(number, None, None, SourceProblem(
                f"invalid JSON: {half} is half of a UTF-16 surrogate pair, not a character", number))
            continue
        yield map_record(record, names, number, markup)


class _Lines:
    """The physical lines of a text for csv.reader, with a cursor a reader can be moved back on."""

    def __init__(self, text: str):
        self.lines = io.StringIO(text, newline="").readlines()
        self.read = 0
        """How many lines the reader has taken."""

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        if self.read >= len(self.lines):
            raise StopIteration
        self.read += 1
        return self.lines[self.read - 1]


def read_csv(text: str, names: dict[str, tuple[str, ...]], markup: Markup, max_bytes: int) -> Iterator[ExportRecord]:
    """A header row, then one article a row; quoted fields may span lines. A bad row is an error
    at its first line, and reading goes on after it: from the line where the row went wrong, or,
    when a quote was never closed, from the line after the row's first."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    lines = _Lines(text)
    reader = csv.reader(lines, strict=True)  # each next() starts a row afresh, after an error too
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        yield ExportRecord(1, None, None, SourceProblem(f"invalid CSV header: {exc}", 1))
        return
    header = [h.strip() for h in header]
    while True:
        first = lines.read
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield ExportRecord(first + 1, None, None, SourceProblem(f"invalid CSV: {exc}", first + 1))
            if lines.read >= len(lines.lines):  # an open quote took every line that followed
                lines.read = first + 1
            continue
        line = first + 1
        if not any(cell.strip() for cell in row):
            continue
        if oversized := _oversized("".join(lines.lines[first:lines.read]), line, max_bytes):
            yield oversized
            continue
        if len(row) != len(header):
            yield ExportRecord(line, None, None, SourceProblem(
                f"expected {len(header)} fields like the header row, found {len(row)}", line))
            continue
        if any("\x00" in cell for cell in row):
            yield ExportRecord(line, None, None, SourceProblem("invalid CSV: the row holds a NUL byte", line))
            continue
        yield map_record(dict(zip(header, row)), names, line, markup)


def read_export(text: str, suffix: str, overrides: dict[str, Any], markup: Markup,
                max_bytes: int) -> Iterator[ExportRecord]:
    """Every record of an export file, in file order; a record of more than max_bytes is an error."""
    names = field_names(overrides)
    if suffix == ".csv":
        return read_csv(text, names, markup, max_bytes)
    return read_jsonl(text, names, markup, max_bytes)
