"""Load every article file under the content folder into Article records, collecting every error."""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

from .articles import build_article
from .cache import ArticleStore, entry_key, parse_key
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


def find_article_files(content_dir: Path) -> tuple[list[Path], list[str]]:
    """Article files under content_dir in a stable order, and notices for files passed over.

    Hidden files and folders are skipped; symbolic links that lead outside the folder are not followed.
    """
    root = content_dir.resolve()
    found: list[Path] = []
    notices: list[str] = []
    for folder, dirs, files in os.walk(content_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(folder, name)
            suffix = path.suffix.lower()
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                notices.append(f"{display_path(path)}: skipped: a symbolic link to a file outside the content folder")
                continue
            if suffix in SKIPPED_SUFFIXES:
                notices.append(f"{display_path(path)}: skipped: {SKIPPED_SUFFIXES[suffix]}")
            elif suffix in ARTICLE_SUFFIXES:
                found.append(path)
    return found, notices


def parse_article_file(path: Path, config: SiteConfig) -> FileResult:
    """Read, decode and parse one file. Pure apart from reading the file; safe in a worker process."""
    shown = display_path(path, config.site_dir)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return FileResult(None, (SourceError(shown, 0, f"cannot read: {exc.strerror}"),))
    return parse_article_data(data, shown, path.name, config)


def parse_article_data(data: bytes, shown: str, file_name: str, config: SiteConfig) -> FileResult:
    """Decode and parse one file's bytes; `shown` is the path used in messages."""
    warnings: list[str] = []
    try:
        text, fell_back = decode_text(data)
        if fell_back:
            warnings.append(f"{shown}: not valid UTF-8; read as Windows-1252")
        document = parse_document(text)
        article = build_article(document, shown, file_name, config)
    except SourceProblem as problem:
        return FileResult(None, (SourceError(shown, problem.line, problem.message),), tuple(warnings))
    except RecursionError:
        return FileResult(None, (SourceError(shown, 0, "nested too deeply to read"),), tuple(warnings))
    return FileResult(article, (), tuple(warnings))


def _parse_batch(paths: list[Path], config: SiteConfig) -> list[FileResult]:
    return [parse_article_file(path, config) for path in paths]


def shown_paths(content_dir: Path, paths: list[Path], site_dir: Path) -> list[str]:
    """display_path() of each file found under content_dir, resolving the folder only once."""
    prefix = display_path(content_dir, site_dir)
    shown = []
    for path in paths:
        if path.is_symlink():
            shown.append(display_path(path, site_dir))
        else:
            shown.append(str(Path(prefix, path.relative_to(content_dir))))
    return shown


@dataclass(frozen=True)
class CachedResult:
    """A loader result as the parent keeps it: the article without its body, and the cache key
    under which the whole record (body included) is stored."""

    result: FileResult
    key: str


def without_body(result: FileResult) -> FileResult:
    if result.article is None:
        return result
    return dataclasses.replace(result, article=dataclasses.replace(result.article, body_html=""))


def _file_key(path: str, shown: str, context_key: str) -> tuple[str, FileResult | None]:
    """The cache key of a file's current bytes, or a read error."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return "", FileResult(None, (SourceError(shown, 0, f"cannot read: {exc.strerror}"),))
    return entry_key(context_key, f"{shown}\0{Path(path).name}", data), None


def _parse_and_store(items: list[tuple[str, str]], config: SiteConfig, context_key: str,
                     store: ArticleStore) -> list[CachedResult]:
    """Worker side: parse each file, store the whole record, return it without its body."""
    out = []
    fresh: dict[str, FileResult] = {}
    for path, shown in items:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            out.append(CachedResult(FileResult(None, (SourceError(shown, 0, f"cannot read: {exc.strerror}"),)), ""))
            continue
        key = entry_key(context_key, f"{shown}\0{Path(path).name}", data)
        result = parse_article_data(data, shown, Path(path).name, config)
        if not result.errors:
            fresh[key] = result
        out.append(CachedResult(without_body(result), key))
    store.put_many(fresh)
    return out


@dataclass(frozen=True)
class ArticleFiles:
    """For each loaded article, by its source: its cache key and its file."""

    keys: dict[str, str]
    files: dict[str, str]


def load_article_records(config: SiteConfig, executor: Executor | None, store: ArticleStore,
                         trust: bool = True) -> tuple[LoadedContent, ArticleFiles]:
    """Like load_articles, through the cache: articles without bodies, and where each one's
    whole record is (the worker that renders an article's page fetches its body from the store).
    trust=False (`--clean`) parses every file again and replaces its entry."""
    paths, notices = _article_paths(config)
    items = list(zip(map(str, paths), shown_paths(config.content_path, paths, config.site_dir)))
    context_key = parse_key(config)
    records: list[CachedResult | None] = []
    for path, shown in items:
        key, failed = _file_key(path, shown, context_key)
        records.append(CachedResult(failed, key) if failed else CachedResult(FileResult(None), key))
    cached = store.get_many([r.key for r in records if r.key], stubs=True) if trust else {}
    missing = []
    for number, record in enumerate(records):
        if record is not None and record.key:
            if record.key in cached:
                records[number] = CachedResult(cached[record.key], record.key)
            else:
                records[number] = None
                missing.append(number)
    batches = _batches([items[n] for n in missing], executor)
    if executor is not None and len(batches) > 1:
        chunks = executor.map(_parse_and_store, batches, *zip(*[(config, context_key, store)] * len(batches)))
    else:
        chunks = (_parse_and_store(batch, config, context_key, store) for batch in batches)
    for number, record in zip(missing, (record for chunk in chunks for record in chunk)):
        records[number] = record
    done = [r for r in records if r is not None]
    found = [(r.result.article.source, r.key, path) for r, (path, _) in zip(done, items) if r.result.article]
    files = ArticleFiles({source: key for source, key, _ in found}, {source: path for source, _, path in found})
    return _collect([r.result for r in done], notices, config), files


def _article_paths(config: SiteConfig) -> tuple[list[Path], list[str]]:
    content_dir = config.content_path
    if not content_dir.is_dir():
        raise BuildFailed([f"{display_path(content_dir)}: content folder not found"])
    return find_article_files(content_dir)


def _batches(items: list, executor: Executor | None) -> list[list]:
    if executor is None or len(items) < PARALLEL_THRESHOLD:
        return [items]
    size = max(16, len(items) // 64)
    return [items[i:i + size] for i in range(0, len(items), size)]


def load_articles(config: SiteConfig, executor: Executor | None = None) -> LoadedContent:
    """Every publishable article under the content folder. Raises BuildFailed listing every error."""
    paths, notices = _article_paths(config)
    batches = _batches(paths, executor)
    if executor is not None and len(batches) > 1:
        results = [r for batch in executor.map(_parse_batch, batches, [config] * len(batches)) for r in batch]
    else:
        results = _parse_batch(paths, config)
    return _collect(results, notices, config)


def _collect(results: list[FileResult], notices: list[str], config: SiteConfig) -> LoadedContent:
    errors = [e for r in results for e in r.errors]
    if errors:
        raise BuildFailed(errors)
    loaded = LoadedContent([], warnings=notices + [w for r in results for w in r.warnings], files_read=len(results))
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
