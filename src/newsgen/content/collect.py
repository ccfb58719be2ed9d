"""From one content file to its articles: an article file gives one, a bulk export (`.jsonl`,
`.ndjson`, `.csv`) gives one per record. Other generators' layouts and automatic tags are applied
here, and the records of one export get distinct URLs.

Used by the loader (building) and the importer (`newsgen import`) alike, so both see the same
articles.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from newsgen.content.articles import build_article, derive_headline, html_to_text
from newsgen.content.autotag import apply_auto_tags
from newsgen.config import SiteConfig
from newsgen.errors import SourceError, SourceProblem
from newsgen.content.formats import SourceDocument, decode_text
from newsgen.content.formats.readers import parse_document
from newsgen.content.formats.exports import EXPORT_SUFFIXES, read_export
from newsgen.content.formats.htmlmeta import looks_like_html, parse_html
from newsgen.content.known_keys import unknown_key_warnings
from newsgen.content.layouts import Neighbours, Placement, adapt_document
from newsgen.model import Article
from newsgen.urls import article_url, slugify, suffixed_slug


_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class SourceItem:
    """One article's source: a whole file, or one record of an export."""

    source: str
    """As shown in messages: `content/a.md`, or `content/feed.jsonl:12` for a record."""
    file_name: str
    document: SourceDocument
    line: int = 0
    """The record's line in an export; 0 for a whole file."""
    record_id: str | None = None
    file_shown: str = ""
    """The file as shown in messages (without the record's line)."""


@dataclass(frozen=True)
class FileItems:
    """What reading one file gave: article sources, errors, warnings and skip notices."""

    items: tuple[SourceItem, ...] = ()
    errors: tuple[SourceError, ...] = ()
    warnings: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()


def read_source_items(path: Path, root: Path, config: SiteConfig, shown: str, placement: Placement,
                      neighbours: Neighbours, data: bytes | None = None) -> FileItems:
    """Read and decode one file and split it into article sources (`neighbours`: what the other
    files of the content folder say about it). With `data`, the file's bytes, it reads nothing
    from disk. Raises nothing for bad input."""
    warnings: list[str] = []
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size if data is None else len(data)
        if size > config.max_article_bytes and suffix not in EXPORT_SUFFIXES:  # an export's records are checked
            return FileItems(errors=(SourceError(shown, 1, f"the article is {size:,} bytes, more than "
                                                           f"max_article_bytes ({config.max_article_bytes:,})"),))
        text, fell_back = decode_text(path.read_bytes() if data is None else data)
    except SourceProblem as problem:
        return FileItems(errors=(SourceError(shown, problem.line, problem.message),))
    except OSError as exc:
        return FileItems(errors=(SourceError(shown, 0, f"cannot read: {exc.strerror}"),))
    if fell_back:
        warnings.append(f"{shown}: not valid UTF-8; read as Windows-1252")
    if suffix in EXPORT_SUFFIXES:
        return _export_items(text, suffix, config, shown, path.name, warnings)
    if "\x00" in text:
        text = _without_nuls(text, shown, warnings)
    try:
        if placement.markup == "html" and looks_like_html(text):
            document = parse_html(text)
        else:
            document = parse_document(text)
    except SourceProblem as problem:
        return FileItems(errors=(SourceError(shown, problem.line, problem.message),), warnings=tuple(warnings))
    except RecursionError:
        return FileItems(errors=(SourceError(shown, 0, "nested too deeply to read"),), warnings=tuple(warnings))
    adapted = adapt_document(document, path, root, placement, shown, neighbours)
    warnings += adapted.warnings
    if adapted.document is None:
        return FileItems(warnings=tuple(warnings), notices=(f"{shown}: {adapted.notice}",))
    warnings += unknown_key_warnings(document, placement.layout, shown)
    return FileItems(items=(SourceItem(shown, path.name, adapted.document, file_shown=shown),), warnings=tuple(warnings))


def _without_nuls(text: str, shown: str, warnings: list[str]) -> str:
    """The text of an article file without its stray NUL bytes (decode_text refuses a file with
    more), with a warning naming the lines they were on."""
    lines: list[int] = []
    line, last = 1, 0
    for found in re.finditer("\x00", text):
        line, last = line + text.count("\n", last, found.start()), found.start()
        if not lines or lines[-1] != line:
            lines.append(line)
    count = text.count("\x00")
    where = f" (lines {', '.join(map(str, lines[:10]))}{', …' if len(lines) > 10 else ''})" if len(lines) > 1 else ""
    warnings.append(f"{shown}:{lines[0]}: removed {count} NUL byte{'s' if count != 1 else ''}{where}")
    return text.replace("\x00", "")


def _export_items(text: str, suffix: str, config: SiteConfig, shown: str, name: str, warnings: list[str]) -> FileItems:
    items: list[SourceItem] = []
    errors: list[SourceError] = []
    for record in read_export(text, suffix, config.export_fields, config.export_markup,  # type: ignore[arg-type]
                              config.max_article_bytes):
        if record.document is None:
            assert record.problem is not None
            errors.append(SourceError(shown, record.line, record.problem.message))
        elif _is_empty(record.document):
            warnings.append(f"{shown}:{record.line}: empty record (no title and no body text); left out")
        else:
            document = _with_wordy_headline(record.document)
            items.append(SourceItem(f"{shown}:{record.line}", name, document, record.line, record.record_id, shown))
    return FileItems(tuple(items), tuple(errors), tuple(warnings))


def _is_empty(document: SourceDocument) -> bool:
    """A record with neither a title nor any body text: a placeholder row, not an article."""
    return document.meta.get("title") in (None, "") and not document.body.strip()


def _with_wordy_headline(document: SourceDocument) -> SourceDocument:
    """An untitled record whose first paragraph gives no headline (it opens with a lone `.`, as wire
    rules do) gets one from the first paragraph that does; otherwise the usual rule (articles.py)."""
    if document.meta.get("title") not in (None, ""):
        return document
    paragraphs = [html_to_text(p) if document.markup == "html" else " ".join(p.split())
                  for p in re.split(r"\n\s*\n", document.body.strip())]
    if not paragraphs or _WORD.search(derive_headline(paragraphs[0])):
        return document
    for paragraph in paragraphs:
        headline = derive_headline(paragraph.strip(" .-–—"))
        if _WORD.search(headline):
            return dataclasses.replace(document, meta={**document.meta, "title": headline})
    return document


def build_item_articles(read: FileItems, config: SiteConfig
                        ) -> tuple[list[tuple[SourceItem, Article]], list[SourceError], list[str]]:
    """An Article per source item (automatic tags applied), the errors, and warnings about the
    articles built (beyond read.warnings); records of one export get distinct URLs."""
    built: list[tuple[SourceItem, Article]] = []
    errors = list(read.errors)
    warnings = []
    for item in read.items:
        shown = item.file_shown or item.source
        try:
            article, notes = build_article(item.document, item.source, item.file_name, config)
        except SourceProblem as problem:
            errors.append(SourceError(shown, problem.line or item.line, problem.message))
            continue
        except RecursionError:
            errors.append(SourceError(shown, item.line, "nested too deeply to read"))
            continue
        if item.record_id is not None or item.line:  # a record's source names its line already
            article = dataclasses.replace(article, record_id=item.record_id, url_line=0)
        built.append((item, apply_auto_tags(article, config)))
        warnings += [f"{shown}:{line}: {note}" for line, note in notes]
        if config.tags_per_article_warning and len(article.tags) > config.tags_per_article_warning:
            warnings.append(f"{shown}:{_tags_line(item)}: {len(article.tags)} tags on one article, more than "
                            f"tags_per_article_warning ({config.tags_per_article_warning}); each tag gets a page "
                            "and a feed")
    if len(built) > 1:
        built = distinct_urls(built, config)
    errors.sort(key=lambda e: e.line)
    return built, errors, warnings


def _tags_line(item: SourceItem) -> int:
    """The line of the key an article's tags came from (articles.py reads them in this order)."""
    lines = item.document.meta_lines
    return next((lines[key] for key in ("tags", "tag", "keywords") if key in lines), item.line or 1)


def distinct_urls(built: list[tuple[SourceItem, Article]], config: SiteConfig) -> list[tuple[SourceItem, Article]]:
    """Records of one export that would share a URL (same headline, same day): the first in the file
    keeps it, each later one gets its record id (else its line number) appended to the slug."""
    used: set[str] = set()
    result = []
    for item, article in built:
        if article.url in used:
            suffixes = ([slugify(item.record_id, script=config.slug_script)] if item.record_id else []) + [f"line-{item.line}"]
            candidates = [suffixed_slug(article.slug, s) for s in suffixes]
            number = 2
            while all(_with_slug(article, c, config).url in used for c in candidates):
                candidates.append(suffixed_slug(article.slug, f"line-{item.line}", number))
                number += 1
            slug = next(c for c in candidates if _with_slug(article, c, config).url not in used)
            article = _with_slug(article, slug, config)
        used.add(article.url)
        result.append((item, article))
    return result


def _with_slug(article: Article, slug: str, config: SiteConfig) -> Article:
    local = article.published.astimezone(config.zone)
    url = article_url(config.permalink, local, article.precision, slug, article.section.slug if article.section else "")
    return dataclasses.replace(article, slug=slug, url=url)


def distinct_urls_across_files(articles: list[Article], config: SiteConfig) -> tuple[list[Article], list[str]]:
    """Another generator's files that would share a URL: in a newsgen folder that is an error (see
    index.py), but a Jekyll/Hugo/Pelican tree builds as it is. The first by source path keeps the URL;
    each other gets its file name appended to the slug, with a warning naming both files."""
    claimed: dict[str, str] = {}
    renamed: dict[int, Article] = {}
    warnings = []
    for index in sorted(range(len(articles)), key=lambda i: articles[i].source):
        article = articles[index]
        if article.url in claimed:
            stem = slugify(Path(article.source.rsplit(":", 1)[0] if article.source[-1:].isdigit() else article.source).stem,
                           "file", config.slug_script)
            slug, number = suffixed_slug(article.slug, stem), 2
            while _with_slug(article, slug, config).url in claimed:
                slug, number = suffixed_slug(article.slug, stem, number), number + 1
            moved = _with_slug(article, slug, config)
            warnings.append(f"{article.source}: URL /{article.url} is also claimed by {claimed[article.url]}; "
                            f"this article gets /{moved.url}")
            renamed[index] = article = moved
        claimed[article.url] = article.source
    return [renamed.get(i, a) for i, a in enumerate(articles)], warnings


def distinct_derived_urls(articles: list[Article], config: SiteConfig) -> tuple[list[Article], list[str]]:
    """Articles whose slugs come from their headlines (wire copy, or one title twice on one day) and
    would share a URL: every one is published. A chosen slug (`slug:` or the file name) keeps its URL;
    among derived ones the earliest by date and time, then source path, keeps it, and each other
    gets the first free `-2`, `-3`... slug, with a warning naming both files. No URL any article
    takes as it is is given away. Drafts and future articles count, so a URL does not change
    when one of them is published. Chosen slugs that collide are left for url_collisions."""
    natural = {article.url for article in articles}
    keepers: dict[str, Article] = {a.url: a for a in sorted((a for a in articles if not a.slug_derived),
                                                            key=lambda a: a.source, reverse=True)}
    renamed: dict[int, Article] = {}
    taken: set[str] = set()
    next_number: dict[str, int] = {}
    warnings = []
    for index in sorted(range(len(articles)), key=lambda i: (articles[i].published.timestamp(), articles[i].source)):
        article = articles[index]
        if not article.slug_derived:
            continue
        keeper = keepers.get(article.url)
        if keeper is None:
            keepers[article.url] = article
            continue
        number = next_number.get(article.url, 2)  # counted on per URL: a thousand copies cost no more each
        moved = _with_slug(article, suffixed_slug(article.slug, str(number)), config)
        while moved.url in natural or moved.url in taken:
            number += 1
            moved = _with_slug(article, suffixed_slug(article.slug, str(number)), config)
        next_number[article.url] = number + 1
        taken.add(moved.url)
        verb = "derived" if keeper.slug_derived else "claimed"
        warnings.append(f"{article.source}: URL /{article.url} is also {verb} by {keeper.source}; "
                        f"published at /{moved.url} (give it a slug to choose)")
        renamed[index] = moved
    return [renamed.get(i, a) for i, a in enumerate(articles)], warnings
