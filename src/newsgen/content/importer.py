"""`newsgen import SRC DEST`: another generator's content folder, or a bulk export, converted into
newsgen's own Markdown with YAML front matter: one file per article, `DEST/YYYY/YYYY-MM-DD-slug.md`.

The articles are read exactly as a build reads them (same readers, layouts and URL rules), so
building DEST gives the same articles (titles, dates, tags, bodies, URLs) as building SRC directly.
Existing files are never overwritten: a name that is taken is an error, and nothing is written
unless every article can be.
"""

from __future__ import annotations

import dataclasses
import os
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from newsgen.content.collect import SourceItem, build_item_articles, distinct_urls_across_files, read_source_items
from newsgen.config import SiteConfig
from newsgen.errors import BuildFailed, NewsgenError, SourceError, display_path
from newsgen.content.scan import ARTICLE_SUFFIXES, SKIPPED_SUFFIXES, find_article_files, neighbours_on_disk
from newsgen.content.layouts import neighbours_of, place_file, resolve_layout
from newsgen.model import Article


@dataclass
class ImportReport:
    files_read: int = 0
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    skipped_invalid: list[str] = field(default_factory=list)


def import_config(site_config: SiteConfig, src: Path) -> SiteConfig:
    """The site's settings (field mapping, layout, zone) with SRC as the content folder."""
    folder = src if src.is_dir() else src.parent
    return dataclasses.replace(site_config, site_dir=folder.parent, content_dir=folder.name)


def import_content(src: Path, dest: Path, site_config: SiteConfig) -> ImportReport:
    """Convert every article under src (a folder or one file) into dest. Raises BuildFailed listing
    every invalid article (unless `skip_invalid`) and every file name already taken in dest."""
    if not src.exists():
        raise NewsgenError(f"{src}: not found")
    if src.is_dir() and dest.resolve().is_relative_to(src.resolve()):
        raise NewsgenError(f"cannot import {src} into {dest}: the destination is inside the source folder, so the "
                           "imported files would be read as articles beside their originals; choose a destination "
                           "outside it")
    config = import_config(site_config, src)
    root = config.content_path
    config = dataclasses.replace(config, content_layout=resolve_layout(root, config.content_layout))
    report = ImportReport()
    if src.is_dir():
        found, skipped, marked = find_article_files(root, config.content_layout)
        paths = [Path(path) for path in found]
        report.warnings += skipped
        neighbours = [neighbours_of(path, config.content_layout, marked) for path in paths]
    else:
        paths = [src] if src.suffix.lower() not in SKIPPED_SUFFIXES else []
        neighbours = [neighbours_on_disk(src, config)] if paths else []
    pairs: list[tuple[SourceItem, Article]] = []
    errors: list[SourceError] = []
    for path, near in zip(paths, neighbours):
        report.files_read += 1
        shown = display_path(path, config.site_dir)
        placement = place_file(path, root, config.content_layout, ARTICLE_SUFFIXES)
        if not placement.read:
            report.notices.append(f"{shown}: {placement.notice}")
            continue
        read = read_source_items(path, root, config, shown, placement, near)
        report.warnings += read.warnings
        report.notices += read.notices
        built, file_errors, built_warnings = build_item_articles(read, config)
        report.warnings += built_warnings
        pairs += built
        errors += file_errors
    if errors and not config.skip_invalid:
        raise BuildFailed(errors)
    report.skipped_invalid = [str(e) for e in errors]
    if config.content_layout != "newsgen":  # the same URL rule as the build (collect.py)
        articles, url_warnings = distinct_urls_across_files([article for _, article in pairs], config)
        pairs = [(item, article) for (item, _), article in zip(pairs, articles)]
        report.warnings += url_warnings
    report.warnings += [f"{item.source}: NUL characters in the body, left out of the imported file"
                        for item, _ in pairs if "\x00" in item.document.body]
    planned = _plan_files(pairs, dest)
    taken = [f"{target}: already exists; not overwritten (from {item.source})"
             for target, item, _ in planned if os.path.lexists(target)]  # a dangling link is taken too
    if taken:
        raise BuildFailed(taken)
    _write_all(planned, report)
    return report


def _write_all(planned: list[tuple[Path, SourceItem, Article]], report: ImportReport) -> None:
    """Write every planned file, or none: when one cannot be written (a file where a folder goes,
    a full disk), the files and folders written so far are removed again."""
    made: list[Path] = []  # folders and files this import created, in order
    try:
        for target, item, article in planned:
            missing = [folder for folder in target.parents if not folder.exists()]
            target.parent.mkdir(parents=True, exist_ok=True)
            made += reversed(missing)
            with open(target, "x", encoding="utf-8") as handle:
                made.append(target)
                handle.write(render_front_matter_file(item, article))
            report.written.append(target)
    except OSError as exc:
        for path in reversed(made):
            with suppress(OSError):
                if path.is_dir():
                    path.rmdir()
                else:
                    path.unlink()
        report.written.clear()
        raise NewsgenError(f"{exc.filename or target}: cannot write: {exc.strerror or exc}; nothing was imported") from None


def _plan_files(pairs: list[tuple[SourceItem, Article]], dest: Path) -> list[tuple[Path, SourceItem, Article]]:
    planned = []
    names: set[Path] = set()
    for item, article in sorted(pairs, key=lambda pair: (pair[1].published, pair[1].url)):
        day = article.published.strftime("%Y-%m") if article.precision == "month" else article.published.strftime("%Y-%m-%d")
        target = dest / f"{article.published.year:04d}" / f"{day}-{article.slug}.md"
        number = 2
        while target in names:  # same slug and day in other sections: the URL differs, the file name must too
            target = target.with_name(f"{day}-{article.slug}-{number}.md")
            number += 1
        names.add(target)
        planned.append((target, item, article))
    return planned


def _date_text(article: Article, moment: Any = None) -> str:
    moment = moment or article.published
    if article.precision == "month" and moment is article.published:
        return moment.strftime("%Y-%m")
    if article.precision == "day" and moment is article.published:
        return moment.strftime("%Y-%m-%d")
    return moment.isoformat()


def render_front_matter_file(item: SourceItem, article: Article) -> str:
    """One article as newsgen Markdown: YAML front matter, then the body as the source gave it."""
    source_meta = item.document.meta
    meta: dict[str, Any] = {"title": article.title, "date": _date_text(article)}
    if article.updated:
        meta["updated"] = article.updated.isoformat()
    meta["slug"] = article.slug
    if article.tags:
        meta["tags"] = [t.name for t in article.tags]
    if article.section:
        meta["section"] = article.section.name
    if article.authors:
        meta["authors"] = [a.name for a in article.authors]
    if source_meta.get("summary") or source_meta.get("description"):
        meta["summary"] = article.summary
    if article.image:
        meta["image"] = article.image
        for key in ("image_alt", "image_caption", "image_credit"):
            if getattr(article, key):
                meta[key] = getattr(article, key)
    if article.corrections:
        meta["corrections"] = [{"date": c.date.isoformat(), "text": c.text} for c in article.corrections]
    if article.draft:
        meta["draft"] = True
    if article.aliases:
        meta["aliases"] = [f"/{alias}" for alias in article.aliases]
    if article.extra:
        meta["extra"] = source_meta["extra"]
    if item.document.markup != "markdown":
        meta["markup"] = item.document.markup
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    body = item.document.body.replace("\x00", "")  # as written, but for NULs, which no article file may hold
    return f"---\n# imported from {item.source}\n{header}---\n{body}"
