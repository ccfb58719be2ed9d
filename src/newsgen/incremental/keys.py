"""Cache keys: what identifies newsgen's code, a site's templates and the parse of one file.

Every cache entry and page key starts from the package fingerprint (newsgen's version, its own
code, and the versions of the libraries that shape output), so a new newsgen or a new Markdown
never serves an entry made by the old one.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from importlib import metadata
from pathlib import Path
from typing import Iterable

import newsgen
from newsgen.config import SiteConfig

CACHE_DIR_NAME = ".newsgen-cache"
SCHEMA = 3
"""The version of what the cache holds (part of every key): a new one ignores every older entry."""
# Keys that do not change a parsed article (they only choose, paginate or place output).
_NOT_PARSE_KEYS = {"output_dir", "workers", "scheduler", "drafts", "future", "page_size", "archive_page_size",
                   "title", "description", "base_url", "language"}


def cache_dir(config: SiteConfig) -> Path:
    return config.site_dir / CACHE_DIR_NAME


def package_fingerprint() -> str:
    """newsgen's version, its own code, and the versions of the libraries that shape output."""
    return f"newsgen {newsgen.__version__} schema {SCHEMA} {_code_fingerprint()}"


@functools.lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("markdown", "pyyaml", "python-dateutil", "jinja2", "nh3", "cmarkgfm", "babel", "anyascii"):
        try:
            digest.update(f"{name} {metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:  # pragma: no cover - installed with newsgen
            digest.update(f"{name} none\n".encode())
    package = Path(__file__).parent.parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def render_key(template_dirs: Iterable[Path]) -> str:
    """newsgen and its libraries, and every file of the given template (and translation) folders,
    each folder named by its place in the list, not by its path (however the site's folder is
    spelled, or wherever it is, the key is the same)."""
    digest = hashlib.sha256(package_fingerprint().encode())
    for number, folder in enumerate(template_dirs):
        if folder.is_dir():
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                digest.update(f"{number}\0{path.relative_to(folder)}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def manifest_path(config: SiteConfig) -> Path:
    """Where the site's cache records what a build left in its output folder."""
    name = hashlib.sha1(str(config.output_path.resolve()).encode()).hexdigest()[:16]
    return cache_dir(config) / "outputs" / f"{name}.json"


def reach_path(config: SiteConfig) -> Path:
    """Where the site's cache keeps which pages of the output show which articles (incremental/reach.py)."""
    return manifest_path(config).with_suffix(".reach.json")


def parse_key(config: SiteConfig) -> str:
    """Everything besides a file's bytes and path that shapes the Article parsed from it."""
    fields = {f.name: getattr(config, f.name) for f in dataclasses.fields(config) if f.name not in _NOT_PARSE_KEYS}
    fields["site_dir"] = str(Path(config.site_dir).resolve())
    text = package_fingerprint() + repr(sorted(fields.items(), key=lambda item: item[0]))
    return hashlib.sha256(text.encode()).hexdigest()


def entry_key(context_key: str, shown: str, data: bytes, neighbours: str) -> str:
    """The key of one file's parse: its bytes, its path as shown, and the facts about its
    neighbours that the parse reads (as text), under parse_key's context."""
    digest = hashlib.blake2b(data, digest_size=20, key=context_key.encode()[:64])
    digest.update(b"\0" + shown.encode("utf-8", "surrogateescape") + b"\0" + neighbours.encode())
    return digest.hexdigest()


