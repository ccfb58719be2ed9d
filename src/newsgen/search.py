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

import shutil
import subprocess
from pathlib import Path

from .errors import BuildFailed, NewsgenError

BUNDLE_DIR = "pagefind"
"""The folder, inside the output, that holds Pagefind's script, engine and index."""
TIMEOUT_SECONDS = 3600


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


def index_search(site_folder: Path) -> None:
    """Run Pagefind on a built site folder; it writes `pagefind/` inside it. Raises BuildFailed."""
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
