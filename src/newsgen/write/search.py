"""Search: index the built site with Pagefind before it goes live.

Pagefind (from PyPI: `pagefind[bin]`, which ships its binary) reads the staged output folder.
It indexes only each article page's `data-pagefind-body` element (headline, summary, body) with
its `data-pagefind-filter` values (tag, section, author, year), so listing pages stay out of
results. It writes a split index to `pagefind/`: a query downloads the entry file, the
WebAssembly engine, the index chunks holding its words and the fragments of the results it
shows, never the whole index. The `search/` page (templates/search.html, static/search.js)
queries it from the browser. A failed run fails the build, so the previous site stays.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path

from newsgen.errors import BuildFailed, NewsgenError

BUNDLE_DIR = "pagefind"
"""The folder, inside the output, that holds Pagefind's script, engine and index."""
TIMEOUT_SECONDS = 3600
KEPT_INDEXES = 3
"""Search indexes kept in the cache, newest first."""


def pagefind_executable() -> Path:
    """The Pagefind binary from the `pagefind` Python package, else one on PATH."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        found = shutil.which("pagefind_extended") or shutil.which("pagefind")
        path = Path(found) if found else None
    else:
        path = get_executable()
    if path is None or not path.is_file():
        raise NewsgenError("search: Pagefind is not installed; run `pip install 'pagefind[bin]'` "
                           "or set `search: false` in newsgen.yaml")
    return path


def index_search(site_folder: Path, page_digests: dict[str, str] | None = None,
                 cache_dir: Path | None = None) -> None:
    """Give a built site folder its `pagefind/` index. Raises BuildFailed.

    Pagefind's filter and metadata files differ from run to run on the same input (its issue
    #638), so the index of the last run is kept in cache_dir with a digest of every HTML file it
    read, and reused when the pages are the same: a rebuild of unchanged content stays
    byte-identical, and costs no indexing time. page_digests (path -> content hash of every
    file in the folder, as the writer computed them) saves reading the pages again.
    """
    if cache_dir is None:
        _run_pagefind(site_folder)
        return
    digest = _input_digest(site_folder, page_digests)
    kept = cache_dir / digest
    if (kept / "pagefind.js").is_file():
        _copy_tree(kept, site_folder / BUNDLE_DIR)
        os.utime(kept)
        return
    _run_pagefind(site_folder)
    _keep(site_folder / BUNDLE_DIR, cache_dir, digest)


def _copy_tree(source: Path, target: Path) -> None:
    """Copy a folder; the first failure (a full disk) raises its own OSError, naming its file."""
    for path in sorted(source.rglob("*")):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copyfile(path, destination)
            except OSError as exc:  # name the file that could not be written, not the one read
                raise OSError(exc.errno, exc.strerror, str(destination)) from None


def _input_digest(site_folder: Path, page_digests: dict[str, str] | None) -> str:
    """A digest of what Pagefind reads: every HTML file's path and bytes, and Pagefind's version."""
    digest = hashlib.sha256()
    for version_of in ("pagefind", "pagefind_bin"):
        try:
            digest.update(f"{version_of} {metadata.version(version_of)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{version_of} none\n".encode())
    if page_digests is not None:
        for relative in sorted(p for p in page_digests if p.endswith(".html")):
            digest.update(relative.encode() + b"\0" + page_digests[relative].encode())
        return digest.hexdigest()[:32]
    for folder, dirs, files in os.walk(site_folder):
        dirs.sort()
        if Path(folder) == site_folder and BUNDLE_DIR in dirs:
            dirs.remove(BUNDLE_DIR)
        for name in sorted(files):
            if name.endswith(".html"):
                path = Path(folder, name)
                digest.update(path.relative_to(site_folder).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:32]


def _keep(bundle: Path, cache_dir: Path, digest: str) -> None:
    """Keep a copy of the new index, moved in whole so a killed build never leaves half of one, and
    drop all but the newest few (and any half-copied index a killed build left)."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=cache_dir))
        _copy_tree(bundle, staging / "index")
        os.rename(staging / "index", cache_dir / digest)
        shutil.rmtree(staging, ignore_errors=True)
        os.utime(cache_dir / digest)
        kept = sorted((p for p in cache_dir.iterdir() if not p.name.startswith(".")),
                      key=lambda p: p.stat().st_mtime, reverse=True)
        leftovers = [p for p in cache_dir.iterdir() if p.name.startswith(".staging-")]
        for old in kept[KEPT_INDEXES:] + leftovers:  # the newest few: a site built for two base URLs keeps both
            shutil.rmtree(old, ignore_errors=True)
    except OSError:
        pass  # the cache only saves time; the built site is complete without it


def _run_pagefind(site_folder: Path) -> None:
    command = [str(pagefind_executable()), "--site", ".", "--output-subdir", BUNDLE_DIR, "--quiet"]
    try:
        result = subprocess.run(command, cwd=site_folder, stdin=subprocess.DEVNULL, capture_output=True,
                                text=True, errors="replace", timeout=TIMEOUT_SECONDS)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildFailed([f"search: could not run Pagefind: {exc}"]) from None
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0:
        raise BuildFailed([f"search: Pagefind failed with exit code {result.returncode}: {_tail(output)}"])
    if not (site_folder / BUNDLE_DIR / "pagefind.js").is_file():
        raise BuildFailed([f"search: Pagefind wrote no {BUNDLE_DIR}/pagefind.js: {_tail(output)}"])


def _tail(output: str, lines: int = 8) -> str:
    return " | ".join(output.splitlines()[-lines:]) or "no output"
