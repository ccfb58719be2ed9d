"""Load every article file under the content folder into Article records, collecting every error."""

from __future__ import annotations

import os
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .articles import build_article
from .config import SiteConfig
from .errors import BuildFailed, SourceError, SourceProblem, display_path
from .formats import decode_text, parse_document
from .model import Article

ARTICLE_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".txt", ".text", ""}
SKIPPED_SUFFIXES = {".rst": "reStructuredText is not supported; convert it to Markdown"}
PARALLEL_THRESHOLD = 64


@dataclass(frozen=True)
class FileResult:
    """What parsing one file gave: an article, or errors; and any warnings."""

    article: Article | None
    errors: tuple[SourceError, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass
class LoadedContent:
    articles: list[Article]
    warnings: list[str] = field(default_factory=list)
    files_read: int = 0
    skipped_drafts: int = 0
    skipped_future: int = 0


def find_article_files(content_dir: Path, follow_symlinks: bool = False,
                       site_dir: Path | None = None) -> tuple[list[Path], list[str]]:
    """Article files under content_dir in a stable order, and notices for files passed over.

    Hidden files and folders are skipped; symbolic links that lead outside the folder are not
    followed unless follow_symlinks (and a folder reached twice through links is read once).
    """
    found: list[Path] = []
    notices: list[str] = []
    for path in walk_files(content_dir, follow_symlinks, notices, site_dir):
        suffix = path.suffix.lower()
        if suffix in SKIPPED_SUFFIXES:
            notices.append(f"{display_path(path, site_dir)}: skipped: {SKIPPED_SUFFIXES[suffix]}")
        elif suffix in ARTICLE_SUFFIXES:
            found.append(path)
    return found, notices


def _link_path(link: Path, site_dir: Path | None) -> str:
    """A link as the user named it (display_path would show where it leads)."""
    return f"{display_path(link.parent, site_dir)}/{link.name}"


def walk_files(folder: Path, follow_symlinks: bool, notices: list[str], site_dir: Path | None = None) -> Iterator[Path]:
    """Every non-hidden file under folder, sorted; links leading outside it are skipped with a
    notice unless follow_symlinks. Used for the content and static folders."""
    root = folder.resolve()
    seen = {root}
    for current, dirs, files in os.walk(folder, followlinks=follow_symlinks):
        kept = []
        for name in sorted(d for d in dirs if not d.startswith(".")):
            path = Path(current, name)
            if path.is_symlink():
                target = path.resolve()
                if not follow_symlinks and not target.is_relative_to(root):
                    notices.append(f"{_link_path(path, site_dir)}: skipped: a symbolic link to a folder outside "
                                   f"{display_path(folder, site_dir)} (set follow_symlinks: true to read it)")
                if not follow_symlinks or target in seen:
                    continue
                seen.add(target)
            kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            path = Path(current, name)
            if name.startswith("."):
                continue
            if path.is_symlink() and not follow_symlinks and not path.resolve().is_relative_to(root):
                notices.append(f"{_link_path(path, site_dir)}: skipped: a symbolic link to a file outside "
                               f"{display_path(folder, site_dir)} (set follow_symlinks: true to read it)")
                continue
            if path.is_file():
                yield path


def parse_article_file(path: Path, config: SiteConfig) -> FileResult:
    """Read, decode and parse one file. Pure apart from reading the file; safe in a worker process."""
    shown = display_path(path, config.site_dir)
    warnings: list[str] = []
    try:
        text, fell_back = decode_text(path.read_bytes())
        if fell_back:
            warnings.append(f"{shown}: not valid UTF-8; read as Windows-1252")
        document = parse_document(text)
        article = build_article(document, shown, path.name, config)
    except SourceProblem as problem:
        return FileResult(None, (SourceError(shown, problem.line, problem.message),), tuple(warnings))
    except OSError as exc:
        return FileResult(None, (SourceError(shown, 0, f"cannot read: {exc.strerror}"),), tuple(warnings))
    except RecursionError:
        return FileResult(None, (SourceError(shown, 1, "nested too deeply to read"),), tuple(warnings))
    return FileResult(article, (), tuple(warnings))


def _parse_batch(paths: list[Path], config: SiteConfig) -> list[FileResult]:
    return [parse_article_file(path, config) for path in paths]


def load_articles(config: SiteConfig, executor: Executor | None = None) -> LoadedContent:
    """Every publishable article under the content folder. Raises BuildFailed listing every error."""
    content_dir = config.content_path
    if not content_dir.is_dir():
        raise BuildFailed([f"{display_path(content_dir)}: content folder not found"])
    paths, notices = find_article_files(content_dir, config.follow_symlinks, config.site_dir)
    if executor is not None and len(paths) >= PARALLEL_THRESHOLD:
        size = max(16, len(paths) // 64)
        batches = [paths[i:i + size] for i in range(0, len(paths), size)]
        results = [r for batch in executor.map(_parse_batch, batches, [config] * len(batches)) for r in batch]
    else:
        results = _parse_batch(paths, config)

    errors = [e for r in results for e in r.errors]
    if errors:
        raise BuildFailed(errors)
    loaded = LoadedContent([], warnings=notices + [w for r in results for w in r.warnings], files_read=len(paths))
    for result in results:
        article = result.article
        assert article is not None
        if article.draft and not config.drafts:
            loaded.skipped_drafts += 1
        elif article.published > config.now and not config.future:
            loaded.skipped_future += 1
        else:
            loaded.articles.append(article)
    return loaded
