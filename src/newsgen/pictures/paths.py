"""Where an article's pictures are: the path rules.

- `image:` and body pictures name a file under the site's `static/` folder: `images/harbour.jpg`,
  `/images/harbour.jpg` and `static/images/harbour.jpg` all mean `static/images/harbour.jpg`,
  published at `images/harbour.jpg`.
- An article folder (`content/harbour-story/index.md`, like Hugo's page bundles): its picture files
  (directly in the folder) are published beside the article's page, and a relative path
  (`harbour.jpg`, `./harbour.jpg`) names one of them first, then a file of `static/`.
- A URL (`https://...`, `//host/...`) is linked as it is, never fetched.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import unquote

PICTURE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".svg", ".avif"})
BUNDLE_STEMS = frozenset({"index"})
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class PictureSource:
    """A local picture file and where it is published."""

    file: Path
    shown: str
    """As messages show it: `static/images/harbour.jpg`, `content/harbour-story/harbour.jpg`."""
    url: str
    """Site-relative URL of the file as published: `images/harbour.jpg`, `2024/06/01/harbour-story/harbour.jpg`."""
    in_static: bool
    """A `static/` file, which the build copies with the rest of `static/`."""


def is_remote(reference: str) -> bool:
    return reference.startswith("//") or bool(_SCHEME.match(reference))


def is_picture(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in PICTURE_SUFFIXES


def bundle_folder(article_file: str) -> str | None:
    """The folder of an article file named `index.*` (an article folder), else None."""
    folder, _, name = article_file.rpartition(os.sep)
    return folder if folder and os.path.splitext(name)[0] in BUNDLE_STEMS and not is_picture(name) else None


def bundle_picture_files(folder: str) -> list[str]:
    """The picture files directly in an article folder, by name (hidden files left out)."""
    try:
        with os.scandir(folder) as entries:
            return sorted(e.name for e in entries if not e.name.startswith(".") and is_picture(e.name) and e.is_file())
    except OSError:
        return []


def bundle_stats(article_files: Iterable[tuple[str, str]]) -> Iterator[str]:
    """Name, size, times and inode of each picture of every article folder: a file whose stats
    are the same has the same bytes. `article_files` holds each article file's path and its path
    as shown (relative to the site's folder), which names its pictures."""
    folders = {folder: os.path.dirname(shown) for folder, shown in
               ((bundle_folder(path), shown) for path, shown in article_files) if folder is not None}
    for folder, shown in sorted(folders.items(), key=lambda item: item[1]):
        for name in bundle_picture_files(folder):
            stat = os.stat(os.path.join(folder, name))
            yield f"{shown}{os.sep}{name}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ctime_ns}\0{stat.st_ino}"


def resolve_picture(reference: str, static_dir: Path, static_names: frozenset[str],
                    bundle: dict[str, PictureSource]) -> PictureSource | None:
    """The local file a reference names (see the rules above), or None when there is none."""
    path = unquote(reference.split("#")[0].split("?")[0]).strip()
    if not path.startswith("/") and not path.startswith("static/"):
        name = path[2:] if path.startswith("./") else path
        if name in bundle:
            return bundle[name]
    path = path.lstrip("/")
    if path.startswith("static/"):
        path = path[len("static/"):]
    if path in static_names:
        return PictureSource(static_dir / path, f"static/{path}", path, True)
    return None


def where_looked(reference: str, bundle_shown: str | None) -> str:
    """Where a missing picture was looked for, as a message says it."""
    path = unquote(reference.split("#")[0].split("?")[0]).strip()
    in_static = "static/" + path.lstrip("/").removeprefix("static/")
    if bundle_shown is not None and not path.startswith(("/", "static/")):
        return f"{bundle_shown}/{path.removeprefix('./')} or {in_static}"
    return in_static
