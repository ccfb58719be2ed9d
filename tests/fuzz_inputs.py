"""Hostile inputs for the readers: hypothesis strategies, one per input format, and the one
rule every outcome must obey. Used by tests/test_fuzz_readers.py (short, in CI) and by
benchmarks/fuzz_campaign.py (long).

Every strategy draws a file name and its bytes. The only outcomes allowed from
`newsgen.content.load.parse_article_file` are an article, or errors reading `path:line: message`;
any other exception, a hang (see `time_limit`) or a file created by a YAML tag is a failure.
"""

from __future__ import annotations

import importlib.util
import csv
import io
import re
import signal
from contextlib import contextmanager
from datetime import timedelta, timezone
from pathlib import Path

import yaml
from hypothesis import strategies as st

from newsgen.content.load import parse_article_file
from newsgen.model import Article

# The sentinel a YAML python tag would create if a loader ever ran it; checked after every run.
SENTINEL = Path("/tmp/newsgen-fuzz-pwned")
EXEC_TAGS = [
    f"!!python/object/apply:os.system ['touch {SENTINEL}']",
    f"!!python/object/apply:subprocess.call [['touch', '{SENTINEL}']]",
    "!!python/object/new:os.system [echo]",
    "!!python/name:os.system",
    "!!python/module:os",
    "!ruby/object:Gem::Installer {}",
]
KEYS = ["title", "date", "updated", "modified", "lastmod", "tags", "tag", "keywords", "section",
        "category", "categories", "author", "authors", "summary", "description", "slug", "draft",
        "status", "image", "corrections"]
EXPORT_MODULES = ("newsgen.content.formats.exports",)
HAS_EXPORT_READERS = any(importlib.util.find_spec(name) for name in EXPORT_MODULES)
"""JSON Lines / CSV readers come from the imports branch; their strategies run once it is merged."""

# --- building blocks -------------------------------------------------------------------------

_zones = st.one_of(st.none(), st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m))))
datetimes = st.datetimes(timezones=_zones)
date_texts = st.one_of(
    datetimes.map(lambda d: d.isoformat()),
    st.dates().map(str),
    st.dates().map(lambda d: d.strftime("%Y-%m")),
    st.from_regex(r"\A[0-9]{1,5}-[0-9]{1,3}(-[0-9]{1,3})?([T ][0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?\Z"),
    st.sampled_from(["0000-00-00", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "2022-02-30",
                     "2022-13", "tomorrow", "10 August 2022", "1e400", "99999999999999999999", "--", ":"]),
    st.text(max_size=40),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40), st.dates(),
                    datetimes, date_texts)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                      max_leaves=12)
names = st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=12))
markdown_bodies = st.lists(st.one_of(
    st.text(max_size=80),
    st.sampled_from(["# Head", "## x ##", "* a\n* b", "1. x", "> quote", "```\ncode\n```", "<div>raw</div>",
                     "<script>alert(1)</script>", "[link](javascript:alert(1))", "![](x.png)", "| a | b |\n|---|---|",
                     "*emph* **strong** `code`", "&amp; &#0; &#x110000;", "[^1]\n\n[^1]: note", "    indented",
                     "Term\n: definition", "*[HTML]: Hyper", "[TOC]", "<!-- c -->", "\\", "{: #id }"]),
), max_size=8).map("\n\n".join)

# Pieces spliced into otherwise valid files: front-matter fences, YAML anchors and tags,
# encodings, control characters, and lines long enough to expose quadratic regexes.
SNIPPETS = ["\x00", "\r", "\r\n", "\ufeff", "\u2028", "\x85", "---\n", "...\n", "+++\n", "\n\n", "\t", ": ", "- ",
            "? ", "{", "}", "[", "]", "'", '"', "&a ", "*a", "<<: *a", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n",
            "!!binary ", "!!timestamp ", "!!set ", "!!omap ", "!!str ", "!!int ", "!!float ", "date ", "date: ",
            "Title: ", "# ", "=", "\"\"\"", "\\u0000", "\udcff", "\U0001f600", "．．/", "../", "%2e%2e/", "CON"]
SNIPPETS += EXEC_TAGS
long_lines = st.tuples(st.sampled_from([" ", "#", "a", "-", "[", "*", "_", "<", "`", ":", "1 ", "word ", "# "]),
                       st.integers(1_000, 60_000)).map(lambda t: t[0] * (t[1] // len(t[0])))
splices = st.one_of(st.sampled_from(SNIPPETS), long_lines, st.text(max_size=20))


@st.composite
def mutated(draw, text_strategy):
    """A valid-ish text with a few random insertions, deletions and duplications."""
    text = draw(text_strategy)
    for _ in range(draw(st.integers(0, 4))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "insert", "delete", "duplicate"]))
        if action == "insert":
            text = text[:position] + draw(splices) + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 20)):]
        else:
            text = text[:position] + text[position:position + 40] * draw(st.integers(2, 50)) + text[position:]
    return text


def encoded(text_strategy):
    """Text in one of the encodings a scraper might produce, BOMs and broken bytes included."""
    def encode(pair):
        text, encoding = pair
        if encoding == "bytes-after":
            return text.encode("utf-8", "surrogatepass") + b"\xff\xfe\x80\x00\xc3"
        return text.encode(encoding, errors="surrogatepass" if encoding.startswith("utf") else "replace")
    return st.tuples(text_strategy, st.sampled_from(
        ["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1", "bytes-after"])).map(encode)


file_names = st.one_of(
    st.sampled_from(["a.md", "2022-08-10-slug.md", "2022-08-10.md", "notes.txt", "x.markdown", "README",
                     "9999-99-99-bad.md", "0000-01-01-x.md", "2022-08-10_CON.md", "nul.txt"]),
    st.tuples(st.dates(), st.from_regex(r"\A[a-z0-9-]{0,20}\Z")).map(lambda t: f"{t[0]}-{t[1]}.md"),
)

# --- one strategy per reader ------------------------------------------------------------------


def _yaml_text(meta: dict, body: str) -> str:
    try:
        header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError:
        header = ""
    return f"---\n{header}---\n{body}"


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value).replace("inf", "inf").replace("nan", "nan")
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}" = {_toml_value(v)}' for k, v in value.items()) + "}"
    if value is None:
        return '""'
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _toml_text(meta: dict, body: str) -> str:
    return "+++\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in meta.items()) + f"+++\n{body}"


def _raw_header(fence: str, separator: str):
    """Front matter written by hand: values unquoted, so `date: 2024-02-30` reaches the parser as is."""
    line_values = st.one_of(date_texts, st.text(max_size=30)).map(lambda v: v.replace("\n", " "))
    return st.builds(
        lambda pairs, body: f"{fence}\n" + "".join(f"{k}{separator}{v}\n" for k, v in pairs) + f"{fence}\n{body}",
        st.lists(st.tuples(st.sampled_from(KEYS), line_values), max_size=8), markdown_bodies)


metas = st.dictionaries(names, values, max_size=8)
yaml_texts = st.one_of(st.builds(_yaml_text, metas, markdown_bodies), _raw_header("---", ": "))
toml_texts = st.one_of(st.builds(_toml_text, metas, markdown_bodies), _raw_header("+++", " = "))
header_texts = st.builds(
    lambda pairs, body: "".join(f"{k.capitalize()}: {v}\n" for k, v in pairs) + "\n" + body,
    st.lists(st.tuples(st.sampled_from(KEYS), st.one_of(date_texts, st.text(max_size=40))), min_size=1, max_size=8),
    markdown_bodies)
wire_texts = st.builds(lambda space, when, body: f"{space}date {when} {body}",
                       st.sampled_from(["", " ", "\n", "\t \n "]), date_texts, markdown_bodies)
plain_texts = st.builds(lambda head, body: head + body,
                        st.sampled_from(["", "# Headline\n\n", "#  \n", "# <b>x</b> ##\n"]), markdown_bodies)


def _export_line(record: dict) -> str:
    import json
    return json.dumps(record, default=str, ensure_ascii=False)


jsonl_texts = st.lists(st.dictionaries(names, values, max_size=8).map(_export_line), max_size=6).map("\n".join)
csv_texts = st.builds(
    lambda header, rows: "\n".join([",".join(header)] + [",".join(r) for r in rows]),
    st.lists(st.sampled_from(KEYS + ["body", "text", "headline"]), min_size=1, max_size=6),
    st.lists(st.lists(st.one_of(date_texts, st.text(max_size=30)).map(lambda v: '"' + v.replace('"', '""') + '"'),
                      max_size=6), max_size=6))

READERS = {
    "yaml": (file_names, encoded(mutated(yaml_texts))),
    "toml": (file_names, encoded(mutated(toml_texts))),
    "headers": (file_names, encoded(mutated(header_texts))),
    "wire": (st.sampled_from(["seed.txt", "wire.txt", "2022-08-10-x.txt"]), encoded(mutated(wire_texts))),
    "markdown": (file_names, encoded(mutated(plain_texts))),
    "bytes": (file_names, st.binary(max_size=2_000)),
    "jsonl": (st.sampled_from(["export.jsonl", "x.ndjson"]), encoded(mutated(jsonl_texts))),
    "csv": (st.just("export.csv"), encoded(mutated(csv_texts))),
}
EXPORT_READERS = {"jsonl", "csv"}

# --- the rule -------------------------------------------------------------------------------


class Hang(Exception):
    pass


@contextmanager
def time_limit(seconds: int):
    """Fail a single parse that runs longer than `seconds` (a hang or a quadratic blow-up)."""
    def alarm(signum, frame):
        raise Hang(f"parsing took longer than {seconds} s")
    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


_SLUG = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


def _no_records(path: Path, result) -> bool:
    """An export may rightly give nothing: no record lines (a CSV may hold just its header), or
    only empty records, each left out with a warning."""
    if path.suffix not in (".jsonl", ".ndjson", ".csv"):
        return False
    from newsgen.content.formats import decode_text  # the loader's own decoding (BOMs, UTF-16, Windows-1252)

    text = decode_text(path.read_bytes())[0]
    if path.suffix == ".csv":  # a row of empty fields ("" or ,,) is a blank line too
        try:
            rows = [row for row in csv.reader(io.StringIO(text, newline="")) if any(f.strip() for f in row)]
        except csv.Error:
            return False
        records = len(rows) - 1
    else:
        records = len([line for line in text.splitlines() if line.strip()])
    return records <= 0 or len(result.warnings) > 0


def check_file(path: Path, config, seconds: int = 5) -> str | None:
    """None when parsing path gave only allowed outcomes, else what went wrong."""
    with time_limit(seconds):
        result = parse_article_file(path, config)
    if SENTINEL.exists():
        return f"a YAML tag ran code: {SENTINEL} was created"
    articles = list(getattr(result, "articles", None) or ([result.article] if result.article else []))
    errors = [str(e) for e in result.errors]
    if not articles and not errors and not _no_records(path, result):
        return "neither an article nor an error"
    shown = re.escape(path.name)
    for error in errors:
        if not re.fullmatch(rf"(?:.*/)?{shown}:[1-9][0-9]*: \S.*", error, re.S):
            return f"error is not 'path:line: message': {error!r}"
    for article in articles:
        if not isinstance(article, Article) or not article.title.strip():
            return f"not a complete article: {article!r}"[:300]
        if not _SLUG.fullmatch(article.slug) or len(article.slug.encode("utf-8")) > 200:
            return f"unsafe slug {article.slug!r}"
        segments = article.url.rstrip("/").split("/")
        if article.url.startswith("/") or "\\" in article.url or any(s in ("", ".", "..") for s in segments):
            return f"unsafe URL {article.url!r}"
        if article.published.tzinfo is None:
            return "published date has no time zone"
    return None
