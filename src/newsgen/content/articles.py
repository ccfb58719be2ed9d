"""From a reader's SourceDocument to a complete Article: check types, parse dates, derive
the headline, slug and summary, render the body."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timezone, tzinfo
from typing import Any, Callable

from dateutil import parser as date_parser
from dateutil import tz

from newsgen.config import SiteConfig
from newsgen.errors import SourceProblem, describe
from newsgen.content.formats import SourceDocument
from newsgen.model import MONTH_NAMES, Article, Correction, DatePrecision, FrozenMapping, Takedown, Term
from newsgen.content.markdown_engines import render_markdown
from newsgen.content.sanitize import sanitize_html
from newsgen.urls import alias_url, article_url, slugify, term_url

HEADLINE_LIMIT = 90
RESCAN_BUDGET = 2_000_000
BLANK_RUN_LIMIT = 1000
_LONG_BLANK_RUN = re.compile(r"[ \t]{%d}" % (BLANK_RUN_LIMIT + 1))
_BRACKETS = re.compile(r"\]\(|[\[\]()<>]")
_FILE_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})[-_ ]?(.*)$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?=$|[ T])")
_SENTENCE_END = re.compile(r"""(?<=[.!?؟۔])["”’»)\]]*\s+["“‘«(\[¿¡]*(?=\w)""")
"""A possible sentence end (Latin, Arabic `؟` and Urdu `۔` stops) up to the next word; first_sentence
decides by that word's first letter."""
_TAG = re.compile(r"<[^>]+>")
_INLINE_TAG = re.compile(r"</?(?:a|abbr|b|bdi|bdo|cite|code|data|del|dfn|em|i|ins|kbd|mark|q|s|samp|small|span|strong|"
                         r"sub|sup|time|u|var)\b[^>]*>", re.I)
"""Tags that sit inside a line of text: they go without a trace, so `<a>Costa</a>,` stays `Costa,`."""
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_WORD = re.compile(r"\w+(?:[’'\-.]\w+)*")
_LAST_WORD = re.compile(r"""["“‘(\[]*(\S+)\.$""")
_INITIALS = re.compile(r"^(?:\w\.)*\w$")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st gen sen rep gov lt col capt sgt jr sr rev inc corp co ltd no vs etc approx "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)

_LONGEST_DATE = 100


def check_markdown_limits(text: str, first_line: int) -> None:
    """Refuse a paragraph Python-Markdown would take minutes over. Its inline patterns rescan the
    rest of a paragraph from every unclosed `[`, `](` and `<` (a known Python-Markdown limit: 5000 `[` take
    13 s), and the attr_list extension is quadratic in long runs of spaces; a botched export could
    stall a build. Balanced markup (links, tags, big HTML tables) costs little and passes."""
    line = first_line
    for paragraph in re.split(r"(\n[ \t]*\n)", text):
        if _rescan_cost(paragraph) > RESCAN_BUDGET:
            raise SourceProblem("paragraph has too many unclosed '[', '](' or '<' for the Markdown renderer; "
                                "close them, split the paragraph or put it in a code block", line=line)
        if blanks := _LONG_BLANK_RUN.search(paragraph):
            raise SourceProblem(f"paragraph has a run of more than {BLANK_RUN_LIMIT} spaces or tabs; remove it",
                                line=line + paragraph.count("\n", 0, blanks.start()))
        line += paragraph.count("\n")


def _rescan_cost(text: str) -> int:
    """About how many characters the inline patterns scan: each open `[`, `](` or `<` is
    rescanned up to where it closes (a `<` closes at the next `>`), or to the paragraph's end."""
    cost = last = square = paren = angle = 0
    for match in _BRACKETS.finditer(text):
        cost += (square + paren + angle) * (match.start() - last)
        last = match.start()
        token = match.group()
        if token == "[":
            square += 1
        elif token in ("]", "]("):
            square = max(0, square - 1)
            paren += token == "]("
        elif token == "(" and paren:
            paren += 1
        elif token == ")":
            paren = max(0, paren - 1)
        elif token == "<":
            angle += 1
        elif token == ">":
            angle = 0
    return cost + (square + paren + angle) * (len(text) - last)


def render_plain_text(text: str) -> str:
    """Plain wire text to HTML: blank lines separate paragraphs; everything is escaped."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip())]
    return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs if p)


def html_to_text(fragment: str) -> str:
    """The text of an HTML fragment on one line: inline tags vanish, any other tag (a paragraph,
    a list item, a line break) separates words."""
    return " ".join(html.unescape(_TAG.sub(" ", _INLINE_TAG.sub("", fragment))).split())


def first_paragraph_text(body_html: str) -> str:
    """The plain text of the first paragraph of an HTML body that has any text; empty if none."""
    return next((text for text in (html_to_text(m.group(1)) for m in _FIRST_PARAGRAPH.finditer(body_html)) if text), "")


def first_sentence(text: str) -> str:
    """Text up to the first sentence end: a stop followed by a word starting with a capital or a
    digit, or with a letter of a script without capitals (Arabic); Spanish `¿`/`¡` may open the
    next sentence. A full stop after an abbreviation (`U.S.`, `Mr.`) or an initial (`John F.
    Kennedy`) does not end a sentence."""
    for match in _SENTENCE_END.finditer(text):
        before, start = text[: match.start()], text[match.end()]
        if not (start.isdigit() or start.isalpha() and not start.islower()) or _ends_with_abbreviation(before):
            continue
        return before.strip()
    return text.strip()


def _ends_with_abbreviation(text: str) -> bool:
    word = _LAST_WORD.search(text)
    return bool(word) and (_INITIALS.match(word.group(1)) is not None or word.group(1).lower() in _ABBREVIATIONS)


def derive_headline(text: str, limit: int = HEADLINE_LIMIT) -> str:
    """The first sentence of text, cut at a word boundary to at most `limit` characters
    (ellipsis included) when longer, never mid-word."""
    first = first_sentence(" ".join(text.split()))
    if len(first) <= limit:
        plain_stop = first.endswith(".") and not first.endswith("..") and not _ends_with_abbreviation(first)
        return first[:-1] if plain_stop else first
    cut = first[: limit - 1]
    if first[limit - 1] != " " and " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:،؛–—-¿¡") + "…"


def shorten_words(text: str, words: int) -> str:
    parts = text.split()
    if len(parts) <= words:
        return " ".join(parts)
    return " ".join(parts[:words]).rstrip(",;:،؛") + "…"


@dataclass(frozen=True)
class ParsedDate:
    value: datetime
    precision: DatePrecision
    local_clash: str = ""
    """For a date given without an offset: `gap` when its local time does not exist in the zone
    (the clocks went forward: it is read as the wall time after the jump, the same instant),
    `fold` when it happens twice (the clocks went back: it is read as the first); else empty."""
    written: datetime | None = None
    """The local time as written, without its zone, when local_clash is set."""


def parse_date(value: Any, zone: tzinfo, key: str = "date", order: str = "") -> ParsedDate:
    """A date from YAML/TOML/text, timezone-aware: naive values get the site's zone. `order` is
    the site's `date_order` (DMY, MDY or empty) for dates like `01/12/2026`."""
    if isinstance(value, datetime):
        precision: DatePrecision = "time"
        moment = value
    elif isinstance(value, date):
        precision, moment = "day", datetime.combine(value, time())
    elif isinstance(value, str) and value.strip():
        precision, moment = _parse_date_text(_iso_numeric_date(value.strip(), order))
    else:
        raise SourceProblem(f"'{key}' must be a date like 2022-08-10, not {_describe(value)}")
    written, clash = None, ""
    try:  # every later stage converts between zones; a date at the calendar's edge cannot be
        if moment.tzinfo is None:
            written, moment = moment, moment.replace(tzinfo=zone)
            if not tz.datetime_exists(moment):
                clash, moment = "gap", tz.resolve_imaginary(moment)
            elif tz.datetime_ambiguous(moment):
                clash = "fold"
        moment.astimezone(timezone.utc).astimezone(zone)
    except (OverflowError, ValueError):
        shown = str(value) if isinstance(value, date) else describe(value)
        raise SourceProblem(f"'{key}' {shown} is out of range for the site's time zone") from None
    return ParsedDate(moment, precision, clash, written if clash else None)


def local_time_note(parsed: ParsedDate, zone_name: str) -> str | None:
    """What to tell the author about a local time that the site's zone skips or repeats: a time of
    day only (a day whose midnight is skipped keeps its day, so it needs no note)."""
    if not parsed.local_clash or parsed.written is None or parsed.precision != "time":
        return None
    written = parsed.written
    shown = f"{written:%Y-%m-%d %H:%M}" + (f":{written:%S}" if written.second else "")
    clock = f"{parsed.value:%H:%M}" + (f":{parsed.value:%S}" if parsed.value.second else "")
    if parsed.local_clash == "gap":
        return f"{shown} does not exist in {zone_name} (the clocks went forward); read as {clock} {parsed.value.tzname()}"
    second = parsed.value.replace(fold=1)
    offset = second.strftime("%z")
    return (f"{shown} happens twice in {zone_name} (the clocks went back); read as the first, {clock} "
            f"{parsed.value.tzname()}; write {written:%Y-%m-%dT%H:%M}{offset[:3]}:{offset[3:]} for the second")


def _iso_numeric_date(text: str, order: str) -> str:
    """`01/12/2026` (or with `.` or `-`, maybe followed by a time) with its date part written as
    ISO 8601: the reading `order` names when both are real dates, else the only real one. Both
    real, different and no order is an error naming them; other text is returned as it is."""
    match = _NUMERIC_DATE.match(text)
    if match is None:
        return text
    first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
    readings = {"DMY": (first, second), "MDY": (second, first)}  # (day, month)
    real = {name: (day, month) for name, (day, month) in readings.items() if _is_real_day(year, month, day)}
    if not real:
        raise SourceProblem(f"cannot parse date {describe(text)}: no real day read as day/month/year or as "
                            "month/day/year; use ISO 8601 like 2022-08-10")
    if len(set(real.values())) > 1 and order not in real:
        (day, month), (other_day, other_month) = real["DMY"], real["MDY"]
        raise SourceProblem(
            f"ambiguous date {describe(match.group(0))}: {day} {MONTH_NAMES[month - 1]} {year} or "
            f"{other_day} {MONTH_NAMES[other_month - 1]} {year}? write {year:04d}-{month:02d}-{day:02d}, "
            f"or set date_order: DMY or MDY in newsgen.yaml")
    day, month = real.get(order) or next(iter(real.values()))
    return f"{year:04d}-{month:02d}-{day:02d}{text[match.end():]}"


def _is_real_day(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _parse_date_text(text: str) -> tuple[DatePrecision, datetime]:
    """ISO 8601 first, then free forms like `10 August 2022` or `August 2022` (month precision).
    A date missing its year or month is an error, never completed from today's date."""
    problem = SourceProblem(f"cannot parse date {describe(text)}; use ISO 8601 like 2022-08-10 or 2022-08-10T14:30:00+02:00")
    if len(text) > _LONGEST_DATE:
        raise problem
    if _MONTH.match(text):
        try:  # month 13, year 0
            return "month", datetime(int(text[:4]), int(text[5:7]), 1)
        except ValueError:
            raise problem from None
    precision: DatePrecision = "day" if _DAY.match(text) else "time"
    try:
        if re.fullmatch(r"\d{1,4}", text):
            raise ValueError(text)
        moment = date_parser.isoparse(text)
    except (ValueError, OverflowError):
        try:
            # Parse twice with different defaults: a field that differs was not in the text.
            first = date_parser.parse(text, default=datetime(2000, 1, 1))
            second = date_parser.parse(text, default=datetime(2001, 2, 2))
        except (ValueError, OverflowError, date_parser.ParserError):
            raise problem from None
        if first.year != second.year or first.month != second.month:
            raise problem from None
        moment = first
        if first.day != second.day:
            return "month", moment.replace(day=1)
    if precision == "time" and moment.time() == time() and not re.search(r"\d:\d", text):
        precision = "day"
    return precision, moment


def _describe(value: Any) -> str:
    """A value as a message shows it: text and numbers as written, containers by kind."""
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, time):
        return f"a time of day alone ({value})"
    return describe(value)


def _present(meta: dict, *keys: str) -> str:
    """The first of keys the header gives (its line is the one to report), else the first key."""
    return next((key for key in keys if meta.get(key) is not None), keys[0])


_PRECISION_ORDER = {"month": 0, "day": 1, "time": 2}


def _is_before(later: ParsedDate, earlier: ParsedDate, zone: tzinfo) -> bool:
    """later < earlier, compared at the coarser of the two precisions (`updated: 2022-08-10`
    is not before `date: 2022-08-10 14:00`)."""
    precision = min(later.precision, earlier.precision, key=_PRECISION_ORDER.__getitem__)

    def key(parsed: ParsedDate) -> tuple:
        local = parsed.value.astimezone(zone)
        return {"month": (local.year, local.month), "day": (local.year, local.month, local.day),
                "time": (parsed.value.timestamp(),)}[precision]

    return key(later) < key(earlier)


def text_field(meta: dict, key: str) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float, date)):
        raise SourceProblem(f"'{key}' must be text, not {type(value).__name__}")
    return str(value).strip() or None


def _list_field(meta: dict, *keys: str, single: tuple[str, ...] = ()) -> list[str]:
    """A list of names from a YAML list or a comma-separated string (`tags: a, b`), or a
    semicolon-separated one when names hold commas (Pelican's `Authors: King, Jr.; Lee`).
    A string under a key in `single` (`author: King, Jr.`) is one name."""
    for key in keys:
        value = meta.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (list, str, int, float)):
            items = None
        elif isinstance(value, list):
            items = value
        else:
            text = str(value)
            items = [value] if key in single else text.split(";" if ";" in text else ",")
        if items is None or any(isinstance(i, (dict, list)) for i in items):
            raise SourceProblem(f"'{key}' must be a list of names or a comma-separated string")
        return [" ".join(str(i).split()) for i in items if i is not None and str(i).strip()]
    return []


ALIAS_KEYS = ("aliases", "redirect_from")
"""`aliases` (Hugo's name too), or `redirect_from` (Jekyll's jekyll-redirect-from)."""


def alias_key(meta: dict) -> str:
    """The key the header gives its aliases under (for messages): `aliases` unless only `redirect_from`."""
    return _present(meta, *ALIAS_KEYS)


def aliases_field(meta: dict) -> tuple[str, ...]:
    """`aliases` (or `redirect_from`): old paths of the site (`/2019/old-slug/`, `old/page.html`)
    as site URLs, each once, in the order given."""
    key = alias_key(meta)
    value = meta.get(key)
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise SourceProblem(f"'{key}' must be a list of old paths of the site, like [/2019/old-slug/]")
    urls = []
    for item in items:
        url = alias_url(item)
        if url is None:
            raise SourceProblem(f"'{key}' has {describe(item)}, which is no path of this site; "
                                "give paths like /2019/old-slug/ or old/page.html")
        urls.append(url)
    return tuple(dict.fromkeys(urls))


def _unique_terms(kind: str, names: list[str], script: str) -> tuple[Term, ...]:
    seen: dict[str, Term] = {}
    for name in names:
        slug = slugify(name, kind, script)
        seen.setdefault(slug, Term(kind, name, slug, term_url(kind, slug)))  # type: ignore[arg-type]
    return tuple(seen.values())


def _bool_field(meta: dict, key: str) -> bool:
    value = meta.get(key)
    if value is None:  # `draft:` with no value
        return False
    if isinstance(value, str) and value.strip().lower() in ("true", "yes", "false", "no", ""):
        return value.strip().lower() in ("true", "yes")
    if not isinstance(value, bool):
        raise SourceProblem(f"'{key}' must be true or false, not {_describe(value)}")
    return value


def _corrections(meta: dict, zone: tzinfo, order: str,
                 noted: Callable[[ParsedDate], None] = lambda parsed: None) -> tuple[Correction, ...]:
    value = meta.get("corrections")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
        raise SourceProblem("'corrections' must be a list of entries with 'date' and 'text'")
    result = []
    for entry in value:
        if "date" not in entry or not str(entry.get("text") or "").strip():
            raise SourceProblem("each correction needs a 'date' and a 'text'")
        parsed = parse_date(entry["date"], zone, "corrections", order)
        noted(parsed)
        result.append(Correction(parsed.value, str(entry["text"]).strip()))
    return tuple(sorted(result, key=lambda c: c.date))


def _takedown(meta: dict, zone: tzinfo, order: str = "",
              noted: Callable[[ParsedDate], None] = lambda parsed: None) -> Takedown | None:
    value = meta.get("takedown")
    if value is None:
        return None
    if not isinstance(value, dict) or "date" not in value or not str(value.get("reason") or "").strip():
        raise SourceProblem("'takedown' must be a mapping with 'date' and 'reason', like "
                            "{date: 2026-11-30, reason: Removed after a court order}")
    parsed = parse_date(value["date"], zone, "takedown", order)
    noted(parsed)
    return Takedown(parsed.value, " ".join(str(value["reason"]).split()))


def render_body(doc: SourceDocument, config: SiteConfig) -> str:
    """The document's body as HTML: Markdown rendered with the site's `markdown_engine`, plain text
    in paragraphs, HTML as written; sanitised unless `unsafe_html`. Raises SourceProblem for a body
    too deeply nested to render."""
    if doc.markup == "markdown":
        check_markdown_limits(doc.body, doc.body_line)
    try:
        body_html = render_plain_text(doc.body) if doc.markup == "text" else (
            doc.body if doc.markup == "html" else render_markdown(doc.body, config.markdown_engine))
    except RecursionError:
        raise SourceProblem("the Markdown body nests too deeply to render (for example lists or quotes inside each other)",
                            line=doc.body_line) from None
    if doc.markup != "text" and not config.unsafe_html:
        body_html = sanitize_html(body_html, config.embed_hosts)
    return body_html


_IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc=(?:"([^"]*)"|'([^']*)')""", re.I)


def body_image_refs(body_html: str, doc: SourceDocument) -> tuple[tuple[str, int], ...]:
    """(src, line) of each local picture of a body (no scheme, no `//host`, no `data:`), once each,
    in order; the line is the first body line naming it (the body's first line if none does)."""
    found: dict[str, int] = {}
    lines = doc.body.splitlines()
    for match in _IMG_SRC.finditer(body_html):
        src = html.unescape(match.group(1) if match.group(1) is not None else match.group(2)).strip()
        if not src or src in found or src.startswith("//") or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", src):
            continue
        number = next((n for n, text in enumerate(lines) if src in text), 0)
        found[src] = doc.body_line + number
    return tuple(found.items())


def build_article(doc: SourceDocument, source: str, file_name: str, config: SiteConfig
                  ) -> tuple[Article, list[tuple[int, str]]]:
    """Every field of an Article from a parsed file, and notes (line, message) on what was read in
    a way the author may not expect: a local time the site's zone skips or repeats (in `date`,
    `updated`, `corrections` or `takedown`, at the key's line). Raises
    SourceProblem with the key's line."""
    meta = doc.meta
    current_key = ""
    notes: list[tuple[int, str]] = []

    def note_local_time(parsed: ParsedDate, key: str) -> None:
        if (note := local_time_note(parsed, config.timezone)) is not None:
            notes.append((line_of(key), note))

    def line_of(key: str) -> int:
        return doc.meta_lines.get(key, 1)

    try:
        current_key = "date"
        file_match = _FILE_DATE.match(file_name.rsplit(".", 1)[0])
        raw_date = meta.get("date") or (file_match.group(1) if file_match else None)
        if raw_date is None:
            raise SourceProblem("no date: add 'date: YYYY-MM-DD' to the header or name the file YYYY-MM-DD-slug.md", line=1)
        when = parse_date(raw_date, config.zone, order=config.date_order)
        note_local_time(when, "date")
        current_key = next((k for k in ("updated", "modified", "lastmod") if meta.get(k)), "updated")
        updated = None
        if meta.get(current_key):
            parsed_updated = parse_date(meta[current_key], config.zone, current_key, config.date_order)
            note_local_time(parsed_updated, current_key)
            if _is_before(parsed_updated, when, config.zone):
                raise SourceProblem(f"'{current_key}' is earlier than the article's date")
            updated = parsed_updated.value

        body_html = render_body(doc, config)
        body_text = html_to_text(body_html)
        first_paragraph = first_paragraph_text(body_html) or body_text

        current_key = "title"
        title = text_field(meta, "title")
        if title is None:
            title = derive_headline(first_paragraph)
        if not title:
            raise SourceProblem("no title, and no text to derive a headline from", line=doc.body_line)
        title = " ".join(title.split())
        if len(title) > config.max_title_length:
            raise SourceProblem(f"the title is {len(title):,} characters long, more than max_title_length "
                                f"({config.max_title_length:,})")

        current_key = _present(meta, "summary", "description")
        summary = text_field(meta, "summary") or text_field(meta, "description")
        summary = " ".join(summary.split()) if summary else shorten_words(first_paragraph, config.summary_words)

        current_key = "slug"
        explicit_slug = text_field(meta, "slug")
        file_slug = file_match.group(2) if file_match else ""
        slug = slugify(explicit_slug or file_slug or title, "article", config.slug_script)
        slug_derived = not (explicit_slug or file_slug)
        url_key = "slug" if explicit_slug else "title" if slug_derived and text_field(meta, "title") else "date"

        current_key = _present(meta, "tags", "tag", "keywords")
        tags = _unique_terms("tag", _list_field(meta, "tags", "tag", "keywords"), config.slug_script)
        current_key = _present(meta, "section", "category", "categories")
        section_names = _list_field(meta, "section", "category", "categories", single=("section", "category"))
        section = _unique_terms("section", section_names[:1], config.slug_script)
        current_key = _present(meta, "authors", "author")
        author_names = _list_field(meta, "authors", "author", single=("author",)) or ([config.author] if config.author else [])
        authors = _unique_terms("author", author_names, config.slug_script)
        current_key = "draft"
        draft = _bool_field(meta, "draft") or str(meta.get("status", "")).strip().lower() == "draft"
        current_key = "published"  # Jekyll: `published: false` keeps a post out like a draft
        draft = draft or ("published" in meta and not _bool_field(meta, "published"))
        current_key = "image"
        image = text_field(meta, "image")
        image_texts = {}
        for current_key in ("image_alt", "image_caption", "image_credit"):
            image_texts[current_key] = " ".join((text_field(meta, current_key) or "").split())
        current_key = "corrections"
        corrections = _corrections(meta, config.zone, config.date_order, lambda p: note_local_time(p, "corrections"))
        current_key = alias_key(meta)
        aliases = aliases_field(meta)
        current_key = "takedown"
        takedown = _takedown(meta, config.zone, config.date_order, lambda p: note_local_time(p, "takedown"))
        current_key = "extra"
        extra = {} if meta.get("extra") is None else meta["extra"]
        if not isinstance(extra, dict):
            raise SourceProblem(f"'extra' must be a mapping of the site's own fields (extra: {{desk: Politics}}), "
                                f"not {_describe(extra)}")
        current_key = "lang"
        lang = (text_field(meta, "lang") or "").strip()
        if lang and not lang.replace("-", "").replace("_", "").isalnum():
            raise SourceProblem(f"'lang' must be a language tag like 'es' or 'pt-BR', not {_describe(lang)}")
        current_key = "translation_key"
        translation_key = " ".join((text_field(meta, "translation_key") or "").split())
    except SourceProblem as problem:
        if not problem.line:
            problem.line = line_of(current_key)
        raise

    local = when.value.astimezone(config.zone)
    return Article(
        source=source,
        title=title,
        slug=slug,
        published=when.value,
        precision=when.precision,
        updated=updated,
        tags=tags,
        section=section[0] if section else None,
        authors=authors,
        summary=summary,
        body_html=body_html,
        url=article_url(config.permalink, local, when.precision, slug, section[0].slug if section else ""),
        word_count=len(_WORD.findall(body_text)),
        image=image,
        corrections=corrections,
        draft=draft,
        aliases=aliases,
        takedown=takedown,
        extra=FrozenMapping(extra),
        slug_derived=slug_derived,
        url_line=doc.meta_lines.get(url_key, 0),
        image_line=doc.meta_lines.get("image", 0) if image else 0,
        body_images=body_image_refs(body_html, doc),
        lang=lang,
        translation_key=translation_key,
        **image_texts,
    ), notes
