"""The picture stage, between loading and indexing: resolve each article's lead and body pictures,
resize the local raster ones in the worker processes (which get the bytes and return the copies),
and keep the copies in `.newsgen-cache/pictures/`, keyed by the source bytes, the settings and
Pillow's version. `--clean` keeps that cache (it cannot go stale); delete the folder to empty it.
The copies, and the pictures of article folders, are published as Pages (picture_pages)."""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from newsgen.config import SiteConfig
from newsgen.errors import BuildFailed, NewsgenError, display_path
from newsgen.model import Article, Page, Picture, PictureFile, replaced
from newsgen.pictures.paths import (PictureSource, bundle_folder, bundle_picture_files, is_remote, resolve_picture,
                                    where_looked)
from newsgen.pictures.resize import RESIZED, Resized, resize_picture, settings_key
from newsgen.write.publish import write_atomic

CACHE_FOLDER = "pictures"
_READ = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".svg"}
"""The pictures the workers read (for their size, and copies of the raster ones)."""


@dataclass(frozen=True)
class PictureStage:
    """The articles with their pictures, what the stage found, and the files it publishes."""

    articles: list[Article]
    warnings: list[str]
    outputs: tuple[tuple[str, Path, str], ...]
    """(output path, file to copy, the site's file as messages show it) of each file published: the
    pictures of article folders, and the resized copies (files of the cache, shown as ``)."""
    resized: int
    """Pictures resized by this build (the others' copies came from the cache)."""


def prepare_pictures(articles: list[Article], config: SiteConfig, files: dict[str, str],
                     static_names: tuple[str, ...], cache: Path, executor: Executor | None) -> PictureStage:
    """Resolve and resize every article's pictures (none of an article taken down). A missing local
    picture is a warning naming the article's file and line (with `strict_images`, an error:
    raises BuildFailed)."""
    names = frozenset(static_names)
    static_dir = config.static_path  # a Path made on each use: made once here
    missing: list[str] = []
    outputs: dict[str, tuple[Path, str]] = {}
    wanted: dict[str, PictureSource] = {}
    found: list[tuple[Article, PictureSource | None, list[tuple[str, PictureSource]]]] = []
    for article in articles:
        if article.takedown is not None:  # only a notice stands at its URL: none of its pictures
            found.append((article, None, []))
            continue
        bundle, bundle_shown = _bundle(article, files, config)
        for source in bundle.values():
            outputs.setdefault(source.url, (source.file, source.shown))
        lead, body = _article_pictures(article, static_dir, names, bundle, bundle_shown, missing)
        wanted.update((p.url, p) for p in [lead, *(p for _, p in body)] if p is not None)
        found.append((article, lead, body))
    if missing and config.strict_images:
        raise BuildFailed(missing)
    warnings = list(missing)
    resized, encoded = _resize_all(sorted(wanted.values(), key=lambda p: p.url), cache, executor, warnings)
    pictures: dict[str, Picture] = {}
    for url, source in sorted(wanted.items()):
        result = resized.get(url)
        pictures[url] = _picture(source, result, cache / CACHE_FOLDER, outputs)
    out = [_with_pictures(article, pictures[lead.url] if lead is not None else Picture(article.image)
                          if article.image and is_remote(article.image) and article.takedown is None else None,
                          tuple((src, pictures[p.url]) for src, p in body))
           for article, lead, body in found]
    return PictureStage(out, warnings, tuple((path, file, shown) for path, (file, shown) in sorted(outputs.items())),
                        encoded)


def _with_pictures(article: Article, picture: Picture | None, body_pictures: tuple[tuple[str, Picture], ...]) -> Article:
    """The article with its pictures as published: the record itself when it has them already
    (an article without pictures, on every build)."""
    if picture == article.picture and body_pictures == article.body_pictures:
        return article
    return replaced(article, picture=picture, body_pictures=body_pictures)


def _article_pictures(article: Article, static_dir: Path, static_names: frozenset[str],
                      bundle: dict[str, PictureSource], bundle_shown: str | None, missing: list[str]
                      ) -> tuple[PictureSource | None, list[tuple[str, PictureSource]]]:
    """The article's local lead picture and (src, file) of its local body pictures found; a line
    in `missing` for each one not found."""

    def resolve(reference: str, line: int) -> PictureSource | None:
        if is_remote(reference):
            return None
        picture = resolve_picture(reference, static_dir, static_names, bundle)
        if picture is None:
            where = f"{article.source}:{line}" if line else article.source
            missing.append(f"{where}: picture '{reference}' not found (looked for {where_looked(reference, bundle_shown)})")
        return picture

    lead = resolve(article.image, article.image_line) if article.image else None
    return lead, [(src, picture) for src, line in article.body_images if (picture := resolve(src, line)) is not None]


def picture_pages(stage: PictureStage) -> Iterator[Page]:
    """Each file the stage publishes, as a Page."""
    for path, file, shown in stage.outputs:
        try:
            yield Page(path, file.read_bytes(), shown)
        except OSError as exc:
            raise NewsgenError(f"{shown or display_path(file)}: cannot read: {exc.strerror}") from None


def _bundle(article: Article, files: dict[str, str], config: SiteConfig) -> tuple[dict[str, PictureSource], str | None]:
    """The pictures of the article's folder by name, and the folder as messages show it (None: the
    article has no folder of its own)."""
    path = files.get(article.source)
    folder = bundle_folder(path) if path is not None and article.record_id is None else None
    if folder is None:
        return {}, None
    shown = display_path(Path(folder), config.site_dir)
    return {name: PictureSource(Path(folder, name), f"{shown}/{name}", article.url + name, False)
            for name in bundle_picture_files(folder)}, shown


def _resize_all(sources: list[PictureSource], cache: Path, executor: Executor | None,
                warnings: list[str]) -> tuple[dict[str, tuple[Resized, str]], int]:
    """url -> (what resizing gave, cache key) for each raster picture; how many were resized."""
    done: dict[str, tuple[Resized, str]] = {}
    todo: list[tuple[PictureSource, str, bytes]] = []
    for source in sources:
        if os.path.splitext(source.url)[1].lower() not in _READ:
            continue
        try:
            data = source.file.read_bytes()
        except OSError as exc:
            warnings.append(f"{source.shown}: cannot read: {exc.strerror}")
            continue
        key = hashlib.blake2b(settings_key().encode() + b"\0" + data, digest_size=20).hexdigest()
        cached = _read_entry(cache / CACHE_FOLDER / key)
        if cached is not None:
            done[source.url] = (cached, key)
        else:
            todo.append((source, key, data))
    window = 4 * (getattr(executor, "_max_workers", None) or 1)
    for start in range(0, len(todo), window):
        chunk = todo[start:start + window]
        datas = [data for _, _, data in chunk]
        results = executor.map(resize_picture, datas) if executor is not None and len(todo) > 1 else map(resize_picture, datas)
        for (source, key, _), result in zip(chunk, results):
            _write_entry(cache / CACHE_FOLDER / key, result)
            done[source.url] = (result, key)
    for source in sources:
        if source.url in done and done[source.url][0].problem:
            warnings.append(f"{source.shown}: {done[source.url][0].problem}; published as it is, at one size")
    return done, len(todo)


def _picture(source: PictureSource, result: tuple[Resized, str] | None, entries: Path,
             outputs: dict[str, tuple[Path, str]]) -> Picture:
    """The Picture for a source and its copies, recording the files to publish in outputs."""
    if result is None or result[0].problem or not result[0].copies:
        resized = result[0] if result is not None else None
        return Picture(source.url, resized.width if resized else None, resized.height if resized else None)
    resized, key = result
    stem = os.path.splitext(source.url)[0]
    files = []
    for width, mime, suffix, _ in resized.copies:
        url = f"{stem}.{width}w.{suffix}"
        outputs[url] = (entries / key / f"{width}.{suffix}", "")
        files.append(PictureFile(url, width, mime))
    own = [f for f in files if f.mime != "image/webp"] or files
    largest = own[-1]
    return Picture(largest.url, largest.width, round(resized.height * largest.width / resized.width) or 1, tuple(files))


def _read_entry(folder: Path) -> Resized | None:
    """A cache entry, or None when it is missing or damaged (then the picture is resized again)."""
    try:
        meta = json.loads((folder / "picture.json").read_text("utf-8"))
        copies = tuple((int(w), str(mime), str(suffix), b"") for w, mime, suffix in meta["copies"])
        if any(not (folder / f"{w}.{suffix}").is_file() for w, _, suffix, _ in copies):
            return None
        if any(mime not in {m for m, _ in RESIZED.values()} for _, mime, _, _ in copies):
            return None
        return Resized(meta["width"], meta["height"], copies, str(meta["problem"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_entry(folder: Path, result: Resized) -> None:
    """Put a picture's copies in the cache, the description last (an entry without it is ignored)."""
    try:
        for width, _, suffix, data in result.copies:
            write_atomic(folder / f"{width}.{suffix}", data)
        meta = {"width": result.width, "height": result.height, "problem": result.problem,
                "copies": [[w, mime, suffix] for w, mime, suffix, _ in result.copies]}
        write_atomic(folder / "picture.json", json.dumps(meta).encode())
    except OSError as exc:
        raise NewsgenError(f"{exc.filename or folder}: cannot write the picture cache: {exc.strerror}") from None
