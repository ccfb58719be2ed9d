"""Markdown with YAML (`---`) or TOML (`+++`) front matter, and Markdown with no header."""

from __future__ import annotations

import re
import tomllib

import yaml

from newsgen.errors import SourceProblem
from newsgen.content.formats import LONG_NUMBER, NUMBER_DIGITS, SourceDocument, huge_number_key
from newsgen.yaml_problems import explain_yaml_error

try:  # libyaml is ten times faster when present; the pure-Python loader is as safe.
    _SafeLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _SafeLoader = yaml.SafeLoader

_KEY_LINE = re.compile(r"^(?:([A-Za-z_][\w-]*)[ \t]*[:=]|\[[ \t]*([A-Za-z_][\w-]*)[ \t]*\])")
"""`key:` (YAML), `key =` (TOML) or a TOML table's `[key]`."""
_TOML_LINE = re.compile(r"line (\d+)")
_HEADING = re.compile(r"#[ \t]+(\S.*)")


def _split(text: str, fence: str) -> tuple[str, str, int]:
    """(header, body, line the body starts on) for a block fenced by `fence` lines."""
    lines = text.split("\n")
    for number, line in enumerate(lines[1:], start=1):
        if line.rstrip() == fence or (fence == "---" and line.rstrip() == "..."):
            header = "".join(line + "\n" for line in lines[1:number])
            return header, "\n".join(lines[number + 1:]), number + 2
    raise SourceProblem(f"front matter opened with '{fence}' on line 1 is never closed", line=1)


def _key_lines(header: str) -> dict[str, int]:
    lines = {}
    for number, line in enumerate(header.split("\n"), start=2):
        match = _KEY_LINE.match(line)
        if match:
            lines.setdefault((match.group(1) or match.group(2)).lower(), number)
    return lines


def parse_yaml(text: str) -> SourceDocument:
    header, body, body_line = _split(text, "---")
    try:
        meta = yaml.load(header, Loader=_SafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        found = explain_yaml_error(exc, header)
        problem = found.message
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if problem == getattr(exc, "problem", None) and context and context_mark and found.line is not None \
                and context_mark.line != found.line:
            problem += f" ({context} started on line {context_mark.line + 2})"
        raise SourceProblem(f"invalid YAML front matter: {problem}", line=(found.line + 2) if found.line is not None else 1)
    except RecursionError:
        raise SourceProblem("invalid YAML front matter: nested too deeply", line=2)
    except (ValueError, OverflowError) as exc:  # PyYAML builds dates and numbers outside YAMLError
        tag, value, line = _unbuildable_scalar(header)
        if tag == _YAML_INT:
            raise SourceProblem(f"invalid YAML front matter: a number of more than {NUMBER_DIGITS} digits",
                                line=line) from None
        raise SourceProblem(f"invalid date {value!r} in YAML front matter: {exc}", line=line) from None
    return _document(meta, header, body, body_line, "yaml")


_YAML_INT = "tag:yaml.org,2002:int"
_YAML_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def _unbuildable_scalar(header: str) -> tuple[str, str, int]:
    """The first date- or number-looking scalar PyYAML cannot build (`2024-02-30`, a number of
    5,000 digits): its tag, its text and its file line."""
    constructor = yaml.constructor.SafeConstructor()
    build = {_YAML_INT: constructor.construct_yaml_int, _YAML_TIMESTAMP: constructor.construct_yaml_timestamp}
    pending = [yaml.compose(header, Loader=_SafeLoader)]
    seen: set[int] = set()
    while pending:
        node = pending.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode) and node.tag in build:
            try:
                build[node.tag](node)
            except (ValueError, OverflowError):
                return node.tag, node.value, node.start_mark.line + 2
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            pending.extend(item for pair in reversed(node.value) for item in reversed(pair))
    return "", "", 2


def parse_toml(text: str) -> SourceDocument:
    header, body, body_line = _split(text, "+++")
    try:
        meta = tomllib.loads(header)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        line = int(found.group(1)) + 1 if found else body_line - 1
        message = str(exc).split(" (at ")[0]
        raise SourceProblem(f"invalid TOML front matter: {message}", line=line)
    except RecursionError:
        raise SourceProblem("invalid TOML front matter: nested too deeply", line=2)
    except ValueError:  # tomllib turns digits into a number outside TOMLDecodeError
        found = LONG_NUMBER.search(header)
        raise SourceProblem(f"invalid TOML front matter: a number of more than {NUMBER_DIGITS} digits",
                            line=header.count("\n", 0, found.start()) + 2 if found else 2) from None
    return _document(meta, header, body, body_line, "toml")


def _document(meta: object, header: str, body: str, body_line: int, kind: str) -> SourceDocument:
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise SourceProblem(f"front matter must be a mapping of keys to values, not {type(meta).__name__}", line=2)
    lines = _key_lines(header)
    meta = {str(k).lower(): v for k, v in meta.items()}
    if (key := huge_number_key(meta)) is not None:
        raise SourceProblem(f"'{key}' holds a number of more than {NUMBER_DIGITS} digits", line=lines.get(key, 2))
    taxonomies = meta.get("taxonomies")
    if isinstance(taxonomies, dict):  # Zola: `[taxonomies]` tags = [...], categories = [...]
        for key, value in taxonomies.items():
            key = str(key).lower()
            if key not in meta:
                meta[key] = value
                lines.setdefault(key, lines.get("taxonomies", 1))
    return SourceDocument(
        meta=meta,
        meta_lines=lines,
        body=body,
        body_line=body_line,
        markup="markdown",
        format=kind,
    )


def parse_plain_markdown(text: str) -> SourceDocument:
    """Markdown with no header: a leading `# Heading` is the title; the date must come from the file name."""
    meta = {}
    lines = {}
    body, body_line = text, 1
    start = len(text) - len(text.lstrip())
    end = text.find("\n", start)
    first_line = text[start:] if end < 0 else text[start:end]
    match = _HEADING.fullmatch(first_line.rstrip(" \t"))
    if match and end >= 0:  # a `# Heading` line, then the body (regex kept linear: see tests/test_fuzz)
        meta["title"] = match.group(1).rstrip(" \t#").strip() or match.group(1).strip()
        lines["title"] = text.count("\n", 0, start) + 1
        body = text[end + 1:]
        body_line = lines["title"] + 1
    return SourceDocument(meta=meta, meta_lines=lines, body=body, body_line=body_line, markup="markdown", format="markdown")
