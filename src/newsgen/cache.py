"""The persistent build cache in `.newsgen-cache/` of the site folder.

Parsed articles live in one SQLite file, each row keyed by a hash of the source file's bytes,
its path as shown in messages, and everything else that shapes the parse (the relevant config,
newsgen's version and code, the versions of Markdown, PyYAML and dateutil). A stale entry can
therefore never be served: a change to any of these gives a new key. Each row also stores a
checksum of its data; a row that fails it, does not unpickle, or a file that is not a database,
is treated as missing and rebuilt, never trusted.

Worker processes open the store themselves (see `open_store`), so records cross process
boundaries as keys, not as bodies.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import pickle
import sqlite3
from importlib import metadata
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable

from .config import SiteConfig
from .model import Article

CACHE_DIR_NAME = ".newsgen-cache"
SCHEMA = 2
# Keys that do not change a parsed article (they only choose, paginate or place output).
_NOT_PARSE_KEYS = {"output_dir", "workers", "drafts", "future", "page_size", "archive_page_size",
                   "title", "description", "base_url", "language", "now"}


def cache_dir(config: SiteConfig) -> Path:
    return config.site_dir / CACHE_DIR_NAME


def _package_fingerprint() -> str:
    """newsgen's version, its own code, and the versions of the libraries that shape output."""
    import newsgen

    return f"newsgen {newsgen.__version__} schema {SCHEMA} {_code_fingerprint()}"


@functools.lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("markdown", "pyyaml", "python-dateutil", "jinja2"):
        try:
            digest.update(f"{name} {metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:  # pragma: no cover - installed with newsgen
            digest.update(f"{name} none\n".encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def render_key(config: SiteConfig, template_dirs: Iterable[Path]) -> str:
    """newsgen and its libraries, and every template file: what page keys (memo.py) leave out."""
    digest = hashlib.sha256(_package_fingerprint().encode())
    for folder in template_dirs:
        if folder.is_dir():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                digest.update(f"{folder}\0{path.relative_to(folder)}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def parse_key(config: SiteConfig) -> str:
    """Everything besides a file's bytes and path that shapes the Article parsed from it."""
    fields = {f.name: getattr(config, f.name) for f in dataclasses.fields(config) if f.name not in _NOT_PARSE_KEYS}
    fields["site_dir"] = str(Path(config.site_dir).resolve())
    text = _package_fingerprint() + repr(sorted(fields.items(), key=lambda item: item[0]))
    return hashlib.sha256(text.encode()).hexdigest()


def entry_key(context_key: str, shown: str, data: bytes) -> str:
    digest = hashlib.blake2b(data, digest_size=20, key=context_key.encode()[:64])
    digest.update(b"\0" + shown.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


class ArticleStore:
    """Pickled loader results by key, in `.newsgen-cache/articles.sqlite`: the whole record, and
    its stub (the record without its body) that the main process reads."""

    def __init__(self, path: Path):
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._pid = -1

    def _connect(self) -> sqlite3.Connection | None:
        if self._connection is not None and self._pid == os.getpid():
            return self._connection
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, stub BLOB, stub_sum TEXT,"
                               " data BLOB, data_sum TEXT)")
        except sqlite3.DatabaseError:
            return None
        self._connection, self._pid = connection, os.getpid()
        return connection

    def reset_if_broken(self) -> None:
        """Called once per build in the parent: a file that is not a usable database is removed."""
        connection = self._connect()
        try:
            if connection is None:
                raise sqlite3.DatabaseError
            connection.execute("SELECT count(*) FROM entries WHERE key = ''").fetchone()
            return
        except sqlite3.DatabaseError:
            pass
        self.close()
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        self._connect()

    def get_many(self, keys: Iterable[str], stubs: bool = False) -> dict[str, Any]:
        """The trusted entries among keys (only their stubs: records without bodies, when
        stubs=True); damaged ones are left out, and so rebuilt."""
        keys = list(keys)
        connection = self._connect()
        if connection is None or not keys:
            return {}
        columns = "stub, stub_sum" if stubs else "data, data_sum"
        found: dict[str, Any] = {}
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                rows = connection.execute(
                    f"SELECT key, {columns} FROM entries WHERE key IN ({','.join('?' * len(chunk))})", chunk)
                for key, data, checksum in rows:
                    if not isinstance(data, bytes) or _checksum(data) != checksum:
                        continue
                    try:
                        found[key] = pickle.loads(data)
                    except Exception:  # a damaged entry is rebuilt, never trusted
                        continue
        except sqlite3.DatabaseError:
            return found
        return found

    def put_many(self, entries: dict[str, Any]) -> None:
        """Store whole loader results; their stubs (records without bodies) are made here."""
        from .loader import without_body

        connection = self._connect()
        if connection is None or not entries:
            return
        rows = []
        for key, value in entries.items():
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            stub = pickle.dumps(without_body(value), protocol=pickle.HIGHEST_PROTOCOL)
            rows.append((key, stub, _checksum(stub), data, _checksum(data)))
        try:
            with connection:
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?)", rows)
        except sqlite3.DatabaseError:
            pass  # a cache that cannot be written only costs speed

    def prune(self, keep: Iterable[str]) -> None:
        """Drop entries no article uses any more, once they outnumber the ones in use."""
        keep = set(keep)
        connection = self._connect()
        if connection is None:
            return
        try:
            (count,) = connection.execute("SELECT count(*) FROM entries").fetchone()
            if count <= 2 * len(keep) + 100:
                return
            with connection:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
                connection.execute("DELETE FROM keep")
                connection.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((k,) for k in keep))
                connection.execute("DELETE FROM entries WHERE key NOT IN (SELECT key FROM keep)")
        except sqlite3.DatabaseError:
            pass

    def close(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None

    def __getstate__(self) -> dict:
        return {"path": self.path}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["path"])  # type: ignore[misc]


def _checksum(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def open_store(config: SiteConfig) -> ArticleStore:
    store = ArticleStore(cache_dir(config) / "articles.sqlite")
    store.reset_if_broken()
    return store


def cached_related(folder: Path, trust: bool = True) -> Callable[[Sequence[Article], int], Mapping[str, tuple[Article, ...]]]:
    """relate_articles, whose result is kept in folder/related.pickle under a digest of what it
    reads (each article's URL, slug, date and tags): an edit to a body or a title reuses it, an
    added article or a changed tag computes it again. A damaged file is computed again, and so
    is any with trust=False (`--clean`)."""
    from .related import relate_articles, related_inputs
    from .writer import write_atomic

    def relate(articles: Sequence[Article], count: int) -> Mapping[str, tuple[Article, ...]]:
        key = _package_fingerprint() + related_inputs(articles, count)
        path = folder / "related.pickle"
        try:
            stored_key, urls = pickle.loads(path.read_bytes()) if trust else (None, None)
            if stored_key == key:
                by_url = {article.url: article for article in articles}
                return MappingProxyType({url: tuple(by_url[other] for other in others) for url, others in urls.items()})
        except Exception:  # missing, damaged or from another version: compute it again
            pass
        related = relate_articles(articles, count)
        try:
            write_atomic(path, pickle.dumps((key, {url: tuple(a.url for a in others) for url, others in related.items()}),
                                            protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass
        return related

    return relate
