"""Load every article file under the content folder into Article records, collecting every error."""

from __future__ import annotations

import dataclasses
import os
import time
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from newsgen.cluster import shares_files
from newsgen.incremental.keys import entry_key, parse_key
from newsgen.incremental.stats import KnownFiles
from newsgen.incremental.store import ArticleStore
from newsgen.content.collect import (build_item_articles, distinct_derived_urls, distinct_urls_across_files,
                                     read_source_items)
from newsgen.config import SiteConfig
from newsgen.errors import BuildFailed, SourceError, display_path
from newsgen.content.formats.exports import EXPORT_SUFFIXES
from newsgen.content.layouts import (HUGO_BUNDLE_PAGE, HUGO_SECTION_PAGE, MarkedFolders, Neighbours, neighbours_of,
                                     place_file, resolve_layout)
from newsgen.pictures.paths import bundle_folder, is_picture
from newsgen.model import Article, ArticleFiles, FileResult, LoadedContent, Page, replaced
from newsgen.urls import url_collisions

ARTICLE_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".txt", ".text", ""}
SKIPPED_SUFFIXES = {".rst": "reStructuredText is not supported; convert it to Markdown"}
PARALLEL_THRESHOLD = 64


def find_article_files(content_dir: Path, layout: str = "auto", follow_symlinks: bool = False,
                       site_dir: Path | None = None) -> tuple[list[Path], list[str], MarkedFolders]:
    """Article files under content_dir in a stable order, notices for files passed over, and the
    folders whose files change how their neighbours are read (from every file found, article or not).

    Hidden files and folders are skipped; symbolic links that lead outside the folder are not
    followed unless follow_symlinks (and a folder reached twice through links is read once).
    """
    layout = resolve_layout(content_dir, layout)
    found: list[Path] = []
    notices: list[str] = []
    walked = list(walk_files(content_dir, follow_symlinks, notices, site_dir))
    article_folders = {folder for folder in map(bundle_folder, map(str, walked)) if folder is not None}
    for path in walked:
        suffix = path.suffix.lower()
        if is_picture(path.name) and str(path.parent) in article_folders:
            continue  # an article folder's picture, published beside its page (pictures/)
        if suffix in SKIPPED_SUFFIXES:
            notices.append(f"{display_path(path, site_dir)}: skipped: {SKIPPED_SUFFIXES[suffix]}")
        elif suffix in EXPORT_SUFFIXES:
            found.append(path)
        else:
            placement = place_file(path, content_dir, layout, ARTICLE_SUFFIXES)
            if placement.read or placement.notice:  # a notice: the loader says why it is skipped
                found.append(path)
    return found, notices, MarkedFolders.of_files(walked) if layout == "hugo" else MarkedFolders()


def _link_path(link: Path, site_dir: Path | None) -> str:
    """A link as the user named it (display_path would show where it leads)."""
    return f"{display_path(link.parent, site_dir)}/{link.name}"


def walk_files(folder: Path, follow_symlinks: bool, notices: list[str], site_dir: Path | None = None) -> Iterator[Path]:
    """Every non-hidden file under folder, sorted (a folder's files before its subfolders'); links
    leading outside it are skipped with a notice unless follow_symlinks. Used for the content and
    static folders. Directory entries tell file from folder and link, so a plain file costs no
    stat call (a content folder of 100,000 articles is walked on every build)."""
    root = folder.resolve()
    seen = {root}

    def walk(current: str) -> Iterator[Path]:
        try:
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            return
        folders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            if is_folder:
                if entry.is_symlink():
                    target = Path(entry.path).resolve()
                    if not follow_symlinks and not target.is_relative_to(root):
                        notices.append(f"{_link_path(Path(entry.path), site_dir)}: skipped: a symbolic link to a folder "
                                       f"outside {display_path(folder, site_dir)} (set follow_symlinks: true to read it)")
                    if not follow_symlinks or target in seen:
                        continue
                    seen.add(target)
                folders.append(entry.path)
                continue
            if entry.is_symlink():
                path = Path(entry.path)
                if not follow_symlinks and not path.resolve().is_relative_to(root):
                    notices.append(f"{_link_path(path, site_dir)}: skipped: a symbolic link to a file outside "
                                   f"{display_path(folder, site_dir)} (set follow_symlinks: true to read it)")
                    continue
            try:
                if entry.is_file():
                    yield Path(entry.path)
            except OSError:
                continue
        for sub in folders:
            yield from walk(sub)

    yield from walk(str(folder))


@dataclass(frozen=True)
class StaticFiles:
    """The files of the site's own `static/` folder that a build copies to the output root, found
    by one walk (links leading outside it, and the folder itself if it is a link leading outside
    the site folder, skipped with a notice unless follow_symlinks)."""

    files: tuple[tuple[str, Path], ...]
    """(output path, file) of each, in walk order."""
    notices: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.files)

    def stats(self) -> Iterator[str]:
        """The name, size, times and inode of each file: a file whose stats are the same has the
        same bytes (the rule git's index uses)."""
        for _, path in self.files:
            stat = path.stat()
            yield f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ctime_ns}\0{stat.st_ino}"

    def pages(self, notices: list[str], leave_out: frozenset[str] = frozenset()) -> Iterator[Page]:
        """Each file as a Page, but for the output paths in `leave_out` (files another step writes
        with their content, like `_redirects`); the walk's notices join `notices` first."""
        notices.extend(self.notices)
        for name, path in self.files:
            if name not in leave_out:
                yield Page(name, path.read_bytes(), f"static/{name}")


def find_static_files(config: SiteConfig) -> StaticFiles:
    folder = config.static_path
    if not folder.is_dir():
        return StaticFiles((), ())
    if (target := config.linked_away(folder)) is not None:
        return StaticFiles((), (f"static: skipped: a symbolic link to {target}, outside the site folder "
                                "(set follow_symlinks: true to read it)",))
    notices: list[str] = []
    files = tuple((path.relative_to(folder).as_posix(), path)
                  for path in walk_files(folder, config.follow_symlinks, notices, config.site_dir))
    return StaticFiles(files, tuple(notices))


def parse_article_file(path: Path, config: SiteConfig, shown: str | None = None,
                       neighbours: Neighbours | None = None, data: bytes | None = None) -> FileResult:
    """Read, decode and parse one file into its articles (many for a bulk export). Pure apart from
    reading the file; safe in a worker process. `shown` is the path as messages show it, if the
    caller has it (display_path resolves the path: two system calls per file). `neighbours` is
    what the scan found about the file's neighbours; without it they are looked up on disk.
    With `data` (the file's bytes), `shown` and `neighbours`, it reads nothing from disk."""
    shown = shown or display_path(path, config.site_dir)
    placement = place_file(path, config.content_path, config.content_layout, ARTICLE_SUFFIXES)
    if not placement.read:
        return FileResult(None, notices=(f"{shown}: {placement.notice}",))
    if neighbours is None:
        neighbours = neighbours_on_disk(path, config)
    read = read_source_items(path, config.content_path, config, shown, placement, neighbours, data)
    built, errors, warnings = build_item_articles(read, config)
    articles = tuple(article for _, article in built)
    return FileResult(articles[0] if articles else None, tuple(errors), read.warnings + tuple(warnings), articles,
                      read.notices)


def neighbours_on_disk(path: Path, config: SiteConfig) -> Neighbours:
    """neighbours_of for a file read without a scan: the marks in its folder and the folders above
    it, up to the content folder, looked up on disk (a mark counts if walk_files would list it)."""
    root = config.content_path
    if config.content_layout != "hugo":
        return Neighbours()
    inside = root.resolve()
    marks = [folder / name for folder in path.parents if folder.is_relative_to(root)
             for name in (HUGO_BUNDLE_PAGE, HUGO_SECTION_PAGE)]
    listed = [mark for mark in marks if mark.is_file() and (config.follow_symlinks or not mark.is_symlink()
                                                            or mark.resolve().is_relative_to(inside))]
    return neighbours_of(path, config.content_layout, MarkedFolders.of_files(listed))


def _article_paths(config: SiteConfig) -> tuple[SiteConfig, list[Path], list[str], list[Neighbours]]:
    """The config with its content layout resolved, the article files, notices, and what each
    file's neighbours say about it."""
    content_dir = config.content_path
    if not content_dir.is_dir():
        raise BuildFailed([f"{display_path(content_dir)}: content folder not found"])
    if (target := config.linked_away(content_dir)) is not None:
        raise BuildFailed([f"{config.content_dir}: the content folder is a symbolic link to {target}, outside the "
                           "site folder, and is not read; set follow_symlinks: true to build from it"])
    config = dataclasses.replace(config, content_layout=resolve_layout(content_dir, config.content_layout))
    paths, notices, marked = find_article_files(content_dir, config.content_layout, config.follow_symlinks,
                                                config.site_dir)
    neighbours = [neighbours_of(path, config.content_layout, marked) for path in paths]
    return config, paths, notices, neighbours


def _batches(items: list, executor: Executor | None) -> list[list]:
    if executor is None or len(items) < PARALLEL_THRESHOLD:
        return [items]
    size = max(16, len(items) // 64)
    return [items[i:i + size] for i in range(0, len(items), size)]


def _collect(results: list[FileResult], notices: list[str], config: SiteConfig, now: datetime,
             files: ArticleFiles) -> LoadedContent:
    file_errors = [e for r in results for e in r.errors]
    loaded = LoadedContent([], warnings=notices + [w for r in results for w in r.warnings], files_read=len(results),
                           notices=[n for r in results for n in r.notices],
                           skipped_invalid=[str(e) for e in file_errors] if config.skip_invalid else [], files=files)
    articles = [a for result in results for a in result.articles]
    if config.content_layout != "newsgen":  # another generator's tree builds as it is (collect.py)
        articles, url_warnings = distinct_urls_across_files(articles, config)
    else:
        articles, url_warnings = distinct_derived_urls(articles, config)
    loaded.warnings += url_warnings
    for article in articles:
        if article.draft and not config.drafts:
            loaded.skipped_drafts += 1
            loaded.left_out.append(f"{article.source}: draft, dated {_utc(article)}; left out (--drafts builds it)")
        elif article.published > now and not config.future:
            loaded.skipped_future += 1
            loaded.left_out.append(f"{article.source}: future article, dated {_utc(article)}; "
                                   "it appears in the first build from then on")
            if loaded.next_publication is None or article.published < loaded.next_publication:
                loaded.next_publication = article.published
        else:
            loaded.articles.append(article)
    errors = [] if config.skip_invalid else [str(e) for e in file_errors]
    errors += url_collisions((a.url, a.url_source) for a in loaded.articles)
    if errors:
        raise BuildFailed(errors, loaded.warnings)
    return loaded


def _utc(article: Article) -> str:
    return article.published.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def shown_paths(content_dir: Path, paths: list[Path], site_dir: Path) -> list[str]:
    """display_path() of each file found under content_dir, resolving the folder only once."""
    prefix = display_path(content_dir, site_dir)
    base = os.path.join(str(content_dir), "")
    shown = []
    for path in paths:
        text = str(path)
        if os.path.islink(text):
            shown.append(display_path(path, site_dir))
        elif text.startswith(base):  # walk_files joins names to the folder as given: plain text will do
            relative = text[len(base):]
            shown.append(relative if prefix in ("", ".") else os.path.join(prefix, relative))
        else:
            shown.append(str(Path(prefix, path.relative_to(content_dir))))
    return shown


@dataclass(frozen=True)
class CachedResult:
    """A loader result as the parent keeps it: the articles without their bodies, and the cache
    key under which the whole record (bodies included) is stored."""

    result: FileResult
    key: str


def without_body(result: FileResult) -> FileResult:
    if not result.articles and result.article is None:
        return result
    bare = tuple(replaced(article, body_html="") for article in result.articles)
    if bare:
        first = bare[0]
    else:
        first = replaced(result.article, body_html="") if result.article is not None else None
    return dataclasses.replace(result, article=first, articles=bare)


def parse_file_again(path: Path, config: SiteConfig) -> FileResult:
    """parse_article_file for a file whose cache entry is gone (the content layout resolved first,
    the file's neighbours looked up on disk)."""
    layout = resolve_layout(config.content_path, config.content_layout)
    return parse_article_file(path, dataclasses.replace(config, content_layout=layout))


def _file_key(path: str, shown: str, neighbours: str, context_key: str,
              max_bytes: int) -> tuple[str, FileResult | None]:
    """The cache key of a file's current bytes and what its neighbours say about it (as text), or
    a read error. An article file over max_bytes is keyed by its size, which is all its parse (an
    error) depends on: it is never read whole into memory."""
    name = f"{shown}\0{os.path.basename(path)}"
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes and os.path.splitext(path)[1].lower() not in EXPORT_SUFFIXES:
                return entry_key(context_key, f"{name}\0{size} bytes", b"", neighbours), None  # no path holds \0
            data = handle.read()
    except OSError as exc:
        return "", FileResult(None, (SourceError(shown, 0, f"cannot read: {exc.strerror}"),))
    return entry_key(context_key, name, data, neighbours), None


def _parse_and_store(items: list[tuple[str, str, Neighbours, str]], config: SiteConfig,
                     store: ArticleStore | None) -> list[CachedResult]:
    """Worker side, on this machine: parse each file; with a store, store the whole record and
    return it without its bodies."""
    # Without follow_symlinks no file is reached through a linked folder, so the scan's
    # shown path is what display_path would give (with it, a file's source is its target's).
    parsed = [CachedResult(parse_article_file(Path(path), config, None if config.follow_symlinks else shown,
                                              neighbours), key)
              for path, shown, neighbours, key in items]
    return _store_parsed(parsed, store)


def _with_bytes(items: list[tuple[str, str, Neighbours, str]]) -> list[tuple[str, str, Neighbours, str, bytes | str]]:
    """The items with each file's bytes, for workers that do not see the site folder, or why the
    file cannot be read."""
    out: list[tuple[str, str, Neighbours, str, bytes | str]] = []
    for path, shown, neighbours, key in items:
        try:
            out.append((path, shown, neighbours, key, Path(path).read_bytes()))
        except OSError as exc:
            out.append((path, shown, neighbours, key, f"cannot read: {exc.strerror}"))
    return out


def _parse_sent(items: list[tuple[str, str, Neighbours, str, bytes | str]], config: SiteConfig) -> list[CachedResult]:
    """Worker side, on any machine: parse each file from the bytes sent with it."""
    return [CachedResult(parse_article_file(Path(path), config, shown, neighbours, data) if isinstance(data, bytes)
                         else FileResult(None, (SourceError(shown, 0, data),)), key)
            for path, shown, neighbours, key, data in items]


def _store_parsed(parsed: list[CachedResult], store: ArticleStore | None) -> list[CachedResult]:
    """With a store: each whole record stored, and returned without its bodies."""
    if store is None:
        return parsed
    fresh = {record.key: (record.result, without_body(record.result)) for record in parsed if not record.result.errors}
    store.put_many(fresh)
    return [CachedResult(fresh[record.key][1] if record.key in fresh else without_body(record.result), record.key)
            for record in parsed]


@dataclass(frozen=True)
class SourceScan:
    """The article files found and the cache key of each one's current bytes (or its read error)."""

    config: SiteConfig
    """The config with its content layout resolved."""
    items: list[tuple[str, str]]
    """(path, path as shown in messages) of each file, in a stable order."""
    notices: list[str]
    keys: list[tuple[str, FileResult | None]]
    """(cache key, None), or ("", the read error), for each item."""
    neighbours: list[Neighbours]
    """What the other files of the content folder say about each item (part of its key)."""
    known: KnownFiles
    """The stats and key of each file read or found unchanged (for the next scan)."""
    files_hashed: int
    """How many files were read to key them (the others' stats were as recorded)."""


def scan_sources(config: SiteConfig, known: KnownFiles | None = None) -> SourceScan:
    """Find the article files and key each one's bytes with everything that shapes its parse:
    the config, its path, and the facts about its neighbours that the parse reads. A file whose
    stats are as `known` records keeps its recorded key unread (see incremental/stats.py)."""
    started = time.time_ns()
    config, paths, notices, neighbours = _article_paths(config)
    items = list(zip(map(str, paths), shown_paths(config.content_path, paths, config.site_dir)))
    context_key = parse_key(config)
    if known is None or known.parse_context != context_key:
        known = KnownFiles(context_key, 0)
    texts = {near: repr(near) for near in set(neighbours)}  # a handful of distinct values
    keys: list[tuple[str, FileResult | None]] = []
    found: dict[str, list] = {}
    hashed = 0
    for (path, shown), near in zip(items, neighbours):
        try:
            stat = os.stat(path)
        except OSError:
            stat = None
        key = known.key(path, stat, shown, texts[near]) if stat is not None else None
        failed = None
        if key is None:
            hashed += 1
            key, failed = _file_key(path, shown, texts[near], context_key, config.max_article_bytes)
        keys.append((key, failed))
        if stat is not None and failed is None:
            found[path] = KnownFiles.entry(stat, shown, texts[near], key)
    return SourceScan(config, items, notices, keys, neighbours, KnownFiles(context_key, started, found), hashed)


def load_articles(config: SiteConfig, now: datetime, executor: Executor | None = None,
                  store: ArticleStore | None = None, *, trust: bool = True, scan: SourceScan | None = None,
                  remembered: dict[str, FileResult] | None = None) -> LoadedContent:
    """Every article under the content folder published by `now`. Raises BuildFailed listing
    every error. With a store, files whose parse it holds are not parsed again, and articles come
    without their bodies (the worker that renders an article's page fetches its body from the
    store); trust=False (`--clean`) parses every file again and replaces its entry. Without one,
    every file is parsed and articles carry their bodies. `scan` is scan_sources(config), if the
    caller has it already. `remembered` holds the stubs of the previous build by cache key, for a
    caller that builds again and again in one process (`newsgen serve`): those are not read from
    the store again, and it is left holding this build's (a key names one parse, so an entry
    never goes stale)."""
    scan = scan or scan_sources(config)
    config, items, notices = scan.config, scan.items, scan.notices
    records: list[CachedResult | None] = [CachedResult(failed, key) if failed else CachedResult(FileResult(None), key)
                                          for key, failed in scan.keys]
    keep = remembered if trust and store is not None else None
    wanted = [r.key for r in records if r.key]
    cached = {key: keep[key] for key in wanted if key in keep} if keep is not None else {}
    if trust and store is not None:
        cached.update(store.get_many([key for key in wanted if key not in cached], stubs=True))
    missing = []
    for number, record in enumerate(records):
        if record is not None and record.key:
            if record.key in cached:
                records[number] = CachedResult(cached[record.key], record.key)
            else:
                missing.append((number, record.key))
                records[number] = None
    batches = _batches([(*items[number], scan.neighbours[number], key) for number, key in missing], executor)
    if executor is not None and len(batches) > 1 and not shares_files(executor):
        chunks = (_store_parsed(results, store) for results in
                  executor.map(_parse_sent, map(_with_bytes, batches), *zip(*[(config,)] * len(batches))))
    elif executor is not None and len(batches) > 1:
        chunks = executor.map(_parse_and_store, batches, *zip(*[(config, store)] * len(batches)))
    else:
        chunks = (_parse_and_store(batch, config, store) for batch in batches)
    for (number, _), record in zip(missing, (record for chunk in chunks for record in chunk)):
        records[number] = record
    done = [r for r in records if r is not None]
    if keep is not None:
        keep.clear()
        keep.update((r.key, r.result) for r in done if r.key and not r.result.errors)
    found = [(article.source, r.key, path) for r, (path, _) in zip(done, items) for article in r.result.articles]
    files = ArticleFiles({source: key for source, key, _ in found}, {source: path for source, _, path in found})
    return _collect([r.result for r in done], notices, config, now, files)
