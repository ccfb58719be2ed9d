"""The data-only format of what the build cache keeps from build to build: JSON, decoded field by
field into the record types.

Nothing read back from `.newsgen-cache/` can run code or name a type to construct: each record
type has its encoder and its decoder here, and a decoder meeting a value of the wrong shape or
type raises InvalidEntry, which callers treat as a missing entry (rebuilt, never trusted).

A datetime keeps its zone object, not just its offset, so that a decoded article compares,
fingerprints (by its repr) and renders like the parsed one: `astimezone` leaves a datetime
already in the very zone object it is asked for as it is, and a local time the clocks repeat is
equal to itself only within one zone object. The zones a parse gives are dateutil's tzutc, tzoffset and tzlocal, the standard library's
fixed-offset timezone (from YAML and TOML), and the site's zone (`timezone:`), stored by its name
and found again with dateutil's gettz, which returns the one object it made for that name. A
value holding any other kind is not encodable (Unencodable), and is not stored.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, Callable

from dateutil import tz

from newsgen.errors import SourceError
from newsgen.model import Article, Correction, FileResult, FrozenMapping, Takedown, Term

VERSION = 4
"""The format's version: an entry of another version is ignored."""
DAY = timedelta(days=1)
MICROSECOND = timedelta(microseconds=1)


class InvalidEntry(ValueError):
    """A cache entry that is not a well-formed value of this format and version."""


class Unencodable(ValueError):
    """A value this format cannot represent exactly (it is not cached)."""


# Sealed files: a header line with the format, the version and a checksum of the JSON after it.

def seal(kind: str, payload: Any) -> bytes:
    """payload (plain JSON data) as the bytes of a cache file that unseal(kind, ...) accepts."""
    body = _dumps(payload)
    return f"newsgen-cache {kind} {VERSION} {_checksum(body)}\n".encode() + body


def unseal(kind: str, data: bytes) -> Any:
    """The JSON data of a file written by seal(kind, ...); InvalidEntry for any other bytes."""
    header, _, body = data.partition(b"\n")
    if header != f"newsgen-cache {kind} {VERSION} {_checksum(body)}".encode():
        raise InvalidEntry("not a sealed cache file of this kind and version, or damaged")
    return _loads(body)


def _checksum(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _dumps(payload: Any) -> bytes:
    try:  # ASCII: a lone surrogate (from undecodable input) is written as an escape and read back
        return json.dumps(payload, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    except ValueError as exc:  # an int too long to write as text
        raise Unencodable(str(exc)) from None


def _loads(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise InvalidEntry(f"not JSON: {exc}") from None


# Loader results (the article store's entries).

def encode_result(result: FileResult, zone_name: str) -> bytes:
    """result as the bytes of an article store entry; zone_name is the site's `timezone`."""
    try:
        return _encode_result(result, _Zones(zone_name))
    except RecursionError:
        raise Unencodable("values nested too deeply") from None


def decode_result(data: bytes, zone_name: str) -> FileResult:
    """The loader result in an article store entry; InvalidEntry if it is not one."""
    try:
        return _decode_result(data, _Zones(zone_name))
    except RecursionError:
        raise InvalidEntry("values nested too deeply") from None


def _encode_result(result: FileResult, zones: _Zones) -> bytes:
    articles = result.articles
    if result.article is None:
        first = None
    elif articles and result.article == articles[0]:
        first = 0
    else:
        raise Unencodable("the article of a loader result is not the first of its articles")
    return _dumps({"version": VERSION, "article": first,
                   "articles": [_encode_article(article, zones) for article in articles],
                   "errors": [[error.path, error.line, error.message] for error in result.errors],
                   "warnings": list(result.warnings), "notices": list(result.notices)})


def _decode_result(data: bytes, zones: _Zones) -> FileResult:
    fields = _record(_loads(data), _RESULT_FIELDS)
    if fields["version"] != VERSION:
        raise InvalidEntry(f"format version {fields['version']!r}")
    articles = tuple(_decode_article(item, zones) for item in _list(fields["articles"]))
    first = fields["article"]
    if first is not None and (first != 0 or type(first) is not int or not articles):
        raise InvalidEntry("'article' must be 0 (the first of articles) or null")
    errors = tuple(SourceError(_str(path), _int(line), _str(message))
                   for path, line, message in (_list(item, 3) for item in _list(fields["errors"])))
    return FileResult(articles[0] if first == 0 else None, errors, _strings(fields["warnings"]), articles,
                      _strings(fields["notices"]))


_ARTICLE_FIELDS = ("source", "title", "slug", "published", "precision", "updated", "tags", "section", "authors",
                   "summary", "body_html", "url", "word_count", "image", "corrections", "draft", "aliases",
                   "record_id", "takedown", "extra", "slug_derived", "url_line",
                   "image_alt", "image_caption", "image_credit", "image_line", "body_images", "lang",
                   "translation_key")
_ARTICLE_KEYS = frozenset(_ARTICLE_FIELDS)
_RESULT_FIELDS = frozenset(("version", "article", "articles", "errors", "warnings", "notices"))
LATER_FIELDS = ("picture", "body_pictures")
"""Article fields no parse sets (the picture stage does, on every build): never stored."""
_PRECISIONS = ("month", "day", "time")
_TERM_KINDS = ("tag", "section", "author")


def _encode_article(article: Article, zones: _Zones) -> dict[str, Any]:
    return {
        "source": article.source, "title": article.title, "slug": article.slug,
        "published": _encode_datetime(article.published, zones), "precision": article.precision,
        "updated": None if article.updated is None else _encode_datetime(article.updated, zones),
        "tags": [_encode_term(term) for term in article.tags],
        "section": None if article.section is None else _encode_term(article.section),
        "authors": [_encode_term(term) for term in article.authors],
        "summary": article.summary, "body_html": article.body_html, "url": article.url,
        "word_count": article.word_count, "image": article.image,
        "corrections": [[_encode_datetime(c.date, zones), c.text] for c in article.corrections],
        "draft": article.draft, "aliases": list(article.aliases), "record_id": article.record_id,
        "takedown": None if article.takedown is None else [_encode_datetime(article.takedown.date, zones),
                                                           article.takedown.reason],
        "extra": _encode_value(article.extra, zones), "slug_derived": article.slug_derived,
        "url_line": article.url_line, "image_alt": article.image_alt, "image_caption": article.image_caption,
        "image_credit": article.image_credit, "image_line": article.image_line,
        "body_images": [[src, line] for src, line in article.body_images], "lang": article.lang,
        "translation_key": article.translation_key,
    }


def _decode_article(item: Any, zones: _Zones) -> Article:
    f = _record(item, _ARTICLE_KEYS)
    precision = f["precision"]
    if precision not in _PRECISIONS:
        raise InvalidEntry(f"precision {precision!r}")
    takedown = None
    if f["takedown"] is not None:
        when, reason = _list(f["takedown"], 2)
        takedown = Takedown(_aware(_decode_datetime(when, zones)), _str(reason))
    extra = _decode_value(f["extra"], zones)
    if not isinstance(extra, FrozenMapping):
        raise InvalidEntry("'extra' must be a mapping")
    return Article(
        source=_str(f["source"]), title=_str(f["title"]), slug=_str(f["slug"]),
        published=_aware(_decode_datetime(f["published"], zones)), precision=precision,
        updated=None if f["updated"] is None else _aware(_decode_datetime(f["updated"], zones)),
        tags=tuple(_decode_term(term) for term in _list(f["tags"])),
        section=None if f["section"] is None else _decode_term(f["section"]),
        authors=tuple(_decode_term(term) for term in _list(f["authors"])),
        summary=_str(f["summary"]), body_html=_str(f["body_html"]), url=_str(f["url"]),
        word_count=_int(f["word_count"]), image=_optional(_str, f["image"]),
        corrections=tuple(Correction(_aware(_decode_datetime(when, zones)), _str(text))
                          for when, text in (_list(c, 2) for c in _list(f["corrections"]))),
        draft=_bool(f["draft"]), aliases=_strings(f["aliases"]), record_id=_optional(_str, f["record_id"]),
        takedown=takedown, extra=extra, slug_derived=_bool(f["slug_derived"]), url_line=_int(f["url_line"]),
        image_alt=_str(f["image_alt"]), image_caption=_str(f["image_caption"]), image_credit=_str(f["image_credit"]),
        image_line=_int(f["image_line"]),
        body_images=tuple((_str(src), _int(line)) for src, line in (_list(item, 2) for item in _list(f["body_images"]))),
        lang=_str(f["lang"]), translation_key=_str(f["translation_key"]))


def _encode_term(term: Term) -> list[str]:
    return [term.kind, term.name, term.slug, term.url]


def _decode_term(item: Any) -> Term:
    if type(item) is list:  # a term met before: its four texts were checked then
        try:
            term = _decoded_terms.get(tuple(item))
        except TypeError:  # an unhashable part: not a term
            raise InvalidEntry("a term of the wrong shape") from None
        if term is not None:
            return term
    kind, name, slug, url = (_str(part) for part in _list(item, 4))
    key = (kind, name, slug, url)
    term = _decoded_terms.get(key)
    if term is None:
        if kind not in _TERM_KINDS:
            raise InvalidEntry(f"term kind {kind!r}")
        if len(_decoded_terms) >= 100_000:
            _decoded_terms.clear()
        term = _decoded_terms[key] = Term(kind, name, slug, url)  # type: ignore[arg-type]
    return term


_decoded_terms: dict[tuple[str, str, str, str], Term] = {}
"""Each Term decoded, by its four texts: the articles of a site share a few thousand terms (a
Term is immutable, so one record serves every article that names it)."""


# Values of `extra` (from YAML, TOML or JSON): JSON's own types, lists for tuples, and one-key
# objects for the rest.

_NOTHING_EXTRA = FrozenMapping()
"""The empty mapping most articles' `extra` is, made once (it is immutable)."""

def _encode_value(value: Any, zones: _Zones) -> Any:
    kind = type(value)
    if value is None or kind in (str, int, float, bool):
        return value
    if kind is tuple:
        return [_encode_value(item, zones) for item in value]
    if kind is FrozenMapping:
        return {"map": [[key, _encode_value(item, zones)] for key, item in value.items()]}
    if kind is datetime:
        return {"datetime": _encode_datetime(value, zones)}
    if kind is date:
        return {"date": [value.year, value.month, value.day]}
    if kind is time:
        return {"time": [value.hour, value.minute, value.second, value.microsecond, value.fold,
                         zones.encode(value.tzinfo)]}
    if kind is bytes:
        return {"bytes": base64.b64encode(value).decode("ascii")}
    raise Unencodable(f"a value of type {kind.__name__}")


def _decode_value(item: Any, zones: _Zones) -> Any:
    kind = type(item)
    if item is None or kind in (str, int, float, bool):
        return item
    if kind is list:
        return tuple(_decode_value(part, zones) for part in item)
    if kind is not dict or len(item) != 1:
        raise InvalidEntry("a value of extra of the wrong shape")
    (tag, content), = item.items()
    if tag == "map":
        if _list(content) == []:
            return _NOTHING_EXTRA
        pairs = [_list(pair, 2) for pair in content]
        return FrozenMapping(tuple((_str(key), _decode_value(part, zones)) for key, part in pairs))
    if tag == "datetime":
        return _decode_datetime(content, zones)
    if tag == "date":
        return _build(date, *(_int(part) for part in _list(content, 3)))
    if tag == "time":
        *parts, fold, zone = _list(content, 6)
        return _build(time, *(_int(part) for part in parts), tzinfo=zones.decode(zone), fold=_int(fold))
    if tag == "bytes":
        try:
            return base64.b64decode(_str(content), validate=True)
        except ValueError:
            raise InvalidEntry("bytes that are not base64") from None
    raise InvalidEntry(f"a value tagged {tag!r}")


# Datetimes and their zones.

def _encode_datetime(value: datetime, zones: _Zones) -> list[Any]:
    return [value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond,
            value.fold, zones.encode(value.tzinfo)]


def _decode_datetime(item: Any, zones: _Zones) -> datetime:
    *parts, fold, zone = _list(item, 9)
    return _build(datetime, *(_int(part) for part in parts), tzinfo=zones.decode(zone), fold=_int(fold))


def _aware(value: datetime) -> datetime:
    """An article's date: timezone-aware, and convertible to UTC (as the parse checks)."""
    if value.tzinfo is None:
        raise InvalidEntry("an article date without a zone")
    if 1 < value.year < 9999:  # a zone's offset is under a day: no date of these years leaves the range
        return value
    try:
        value.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise InvalidEntry("an article date out of range") from None
    return value


class _Zones:
    """Encodes and decodes the zone objects a parse gives (see the module's docstring)."""

    def __init__(self, site_name: str):
        self.site_name = site_name
        self.site = tz.gettz(site_name) or timezone.utc  # as SiteConfig.zone

    def encode(self, zone: tzinfo | None) -> list[Any] | None:
        kind = type(zone)
        if zone is None:
            return None
        if kind is timezone:
            offset, *name = zone.__getinitargs__()  # type: ignore[attr-defined]
            return ["fixed", offset // MICROSECOND, *name]
        if kind is tz.tzutc:
            return ["tzutc"]
        if kind is tz.tzoffset:
            return ["tzoffset", zone.tzname(None), zone.utcoffset(None) // MICROSECOND]
        if kind is tz.tzlocal:
            return ["tzlocal"]
        if zone is self.site:
            return ["site", self.site_name]
        raise Unencodable(f"a date in the zone {zone!r}")

    def decode(self, item: Any) -> tzinfo | None:
        if item is None:
            return None
        kind, *rest = _list(item)
        if kind == "fixed" and len(rest) in (1, 2):
            offset = _offset(rest[0])
            return timezone(offset) if len(rest) == 1 else _build(timezone, offset, _str(rest[1]))
        if kind == "tzutc" and not rest:
            return tz.UTC
        if kind == "tzoffset" and len(rest) == 2:
            return tz.tzoffset(_optional(_str, rest[0]), _offset(rest[1]))
        if kind == "tzlocal" and not rest:
            return tz.tzlocal()
        if kind == "site" and rest == [self.site_name]:
            return self.site
        raise InvalidEntry(f"zone {item!r}")


def _offset(micros: Any) -> timedelta:
    """A zone's offset from UTC, given in microseconds: less than a day either way."""
    if abs(_int(micros)) >= DAY // MICROSECOND:
        raise InvalidEntry("a zone offset of a day or more")
    return micros * MICROSECOND


# Shape checks.

def _record(item: Any, names: frozenset[str]) -> dict[str, Any]:
    if type(item) is not dict or item.keys() != names:
        raise InvalidEntry(f"not a record with the fields {', '.join(sorted(names))}")
    return item


def _list(item: Any, length: int | None = None) -> list[Any]:
    if type(item) is not list or (length is not None and len(item) != length):
        raise InvalidEntry("not a list" if length is None else f"not a list of {length}")
    return item


def _str(item: Any) -> str:
    if type(item) is not str:
        raise InvalidEntry("not text")
    return item


def _int(item: Any) -> int:
    if type(item) is not int:
        raise InvalidEntry("not a whole number")
    return item


def _bool(item: Any) -> bool:
    if type(item) is not bool:
        raise InvalidEntry("not true or false")
    return item


def _strings(item: Any) -> tuple[str, ...]:
    return tuple(_str(part) for part in _list(item))


def _optional(check: Callable[[Any], Any], item: Any) -> Any:
    return None if item is None else check(item)


def _build(kind: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """kind(*args, **kwargs), whose range errors mean a damaged entry."""
    try:
        return kind(*args, **kwargs)
    except (ValueError, OverflowError, TypeError):
        raise InvalidEntry(f"out of range for {getattr(kind, '__name__', kind)}") from None
