"""Finding a site's input files and keying each article file's bytes: the scan that decides
whether a build has anything to do, and which files the loader (load.py) must parse again.

A build with nothing to do stops after this scan, so this module imports nothing that parses or
renders: no Markdown engine, no readers, no Jinja.
"""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from newsgen.config import SiteConfig
from newsgen.content.formats.exports import EXPORT_SUFFIXES
from newsgen.content.layouts import (HUGO_BUNDLE_PAGE, HUGO_SECTION_PAGE, MarkedFolders, Neighbours, neighbours_of,
                                     path_suffix, place_file, resolve_layout)
from newsgen.errors import BuildFailed, SourceError, display_path
from newsgen.incremental.keys import entry_key, parse_key
from newsgen.incremental.stats import KnownFiles, context_digest
from newsgen.model import FileResult, Page
from newsgen.pictures.paths import PICTURE_SUFFIXES, bundle_folder

ARTICLE_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".txt", ".text", ""}


SKIPPED_SUFFIXES = {".rst": "reStructuredText is not supported; convert it to Markdown"}


def find_article_files(content_dir: Path, layout: str = "auto", follow_symlinks: bool = False,
                       site_dir: Path | None = None, links: set[str] | None = None
                       ) -> tuple[list[str], list[str], MarkedFolders]:
    """Article files under content_dir (each as the folder's path joined with the names below it)
    in a stable order, notices for files passed over, and the folders whose files change how their
    neighbours are read (from every file found, article or not). The files reached through a
    symbolic link of their own are added to `links`, if given.

    Hidden files and folders are skipped; symbolic links that lead outside the folder are not
    followed unless follow_symlinks (and a folder reached twice through links is read once).
    """
    layout = resolve_layout(content_dir, layout)
    found: list[str] = []
    notices: list[str] = []
    walked = list(_walk(content_dir, follow_symlinks, notices, site_dir, links))
    article_folders = {folder for folder in map(bundle_folder, walked) if folder is not None}
    placed_by_name = layout not in ("jekyll", "pelican", "hugo")  # else the folders or the stem matter too
    for path in walked:
        folder, _, name = path.rpartition(os.sep)
        suffix = path_suffix(name).lower()
        if suffix in PICTURE_SUFFIXES and folder in article_folders:
            continue  # an article folder's picture, published beside its page (pictures/)
        if suffix in SKIPPED_SUFFIXES:
            notices.append(f"{display_path(Path(path), site_dir)}: skipped: {SKIPPED_SUFFIXES[suffix]}")
        elif suffix in EXPORT_SUFFIXES or (placed_by_name and suffix in ARTICLE_SUFFIXES):
            found.append(path)
        elif not placed_by_name:
            placement = place_file(Path(path), content_dir, layout, ARTICLE_SUFFIXES)
            if placement.read or placement.notice:  # a notice: the loader says why it is skipped
                found.append(path)
    return found, notices, MarkedFolders.of_files(walked) if layout == "hugo" else MarkedFolders()


def _link_path(link: Path, site_dir: Path | None) -> str:
    """A link as the user named it (display_path would show where it leads)."""
    return f"{display_path(link.parent, site_dir)}/{link.name}"


def walk_files(folder: Path, follow_symlinks: bool, notices: list[str], site_dir: Path | None = None) -> Iterator[Path]:
    """Every non-hidden file under folder, sorted (a folder's files before its subfolders'); links
    leading outside it are skipped with a notice unless follow_symlinks. Used for the content,
    static, pages and templates folders."""
    return map(Path, _walk(folder, follow_symlinks, notices, site_dir))


def _walk(folder: Path, follow_symlinks: bool, notices: list[str], site_dir: Path | None = None,
          links: set[str] | None = None) -> Iterator[str]:
    """walk_files, each file as text (the folder's path joined with the names below it), adding
    the files that are symbolic links to `links`, if given. Directory entries tell file from
    folder and link, so a plain file costs no stat call (a content folder of 100,000 articles is
    walked on every build)."""
    root = folder.resolve()
    seen = {root}

    def walk(current: str) -> Iterator[str]:
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
                if links is not None:
                    links.add(entry.path)
            try:
                if entry.is_file():
                    yield entry.path
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
        """The output name, size, times and inode of each file: a file whose stats are the same
        has the same bytes (the rule git's index uses)."""
        for name, path in self.files:
            stat = path.stat()
            yield f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ctime_ns}\0{stat.st_ino}"

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


def _article_paths(config: SiteConfig) -> tuple[SiteConfig, list[str], list[str], list[str], list[Neighbours]]:
    """The config with its content layout resolved, the article files, each as messages show it,
    notices, and what each file's neighbours say about it."""
    content_dir = config.content_path
    if not content_dir.is_dir():
        raise BuildFailed([f"{display_path(content_dir)}: content folder not found"])
    if (target := config.linked_away(content_dir)) is not None:
        raise BuildFailed([f"{config.content_dir}: the content folder is a symbolic link to {target}, outside the "
                           "site folder, and is not read; set follow_symlinks: true to build from it"])
    config = dataclasses.replace(config, content_layout=resolve_layout(content_dir, config.content_layout))
    links: set[str] = set()
    paths, notices, marked = find_article_files(content_dir, config.content_layout, config.follow_symlinks,
                                                config.site_dir, links)
    neighbours = [neighbours_of(path, config.content_layout, marked) for path in paths]
    return config, paths, shown_paths(content_dir, paths, config.site_dir, links), notices, neighbours


def shown_paths(content_dir: Path, paths: list[str], site_dir: Path, links: set[str]) -> list[str]:
    """display_path() of each file found under content_dir (`links`: those that are symbolic links),
    resolving the folder only once."""
    prefix = display_path(content_dir, site_dir)
    base = os.path.join(str(content_dir), "")
    shown = []
    for text in paths:
        if text in links:
            shown.append(display_path(Path(text), site_dir))
        elif text.startswith(base):  # the walk joins names to the folder as given: plain text will do
            relative = text[len(base):]
            shown.append(relative if prefix in ("", ".") else os.path.join(prefix, relative))
        else:
            shown.append(str(Path(prefix, Path(text).relative_to(content_dir))))
    return shown


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
    config, paths, shown, notices, neighbours = _article_paths(config)
    items = list(zip(paths, shown))
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
        context = context_digest(shown, texts[near])
        key = known.key(path, stat, context) if stat is not None else None
        failed = None
        if key is None:
            hashed += 1
            key, failed = _file_key(path, shown, texts[near], context_key, config.max_article_bytes)
        keys.append((key, failed))
        if stat is not None and failed is None:
            found[path] = KnownFiles.entry(stat, context, key)
    return SourceScan(config, items, notices, keys, neighbours, KnownFiles(context_key, started, found), hashed)


PAGE_SUFFIXES = {".md", ".markdown"}


@dataclass(frozen=True)
class PageSource:
    """One page file: where it is, how messages show it, and its bytes."""

    path: Path
    shown: str
    data: bytes


def read_page_sources(config: SiteConfig) -> list[PageSource]:
    """Every Markdown file under `pages/`, in a stable order (hidden files and other files are
    left alone; links leading outside the folder are skipped unless follow_symlinks)."""
    folder = config.pages_path
    if not folder.is_dir():
        return []
    return [PageSource(path, display_path(path, config.site_dir), path.read_bytes())
            for path in walk_files(folder, config.follow_symlinks, [], config.site_dir)
            if path.suffix.lower() in PAGE_SUFFIXES]
