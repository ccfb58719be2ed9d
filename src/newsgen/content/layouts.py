"""Other generators' content folders (Jekyll, Hugo, Pelican): which files are articles, and how their
metadata maps onto newsgen's.

The rule for files that are not articles: a generator's own pages (Hugo `_index.md` section lists,
headless bundles, `type: page` files, undated pages like `about.md`, Jekyll pages outside `_posts`,
Pelican `pages/`), its internal folders (Jekyll `_layouts`, `_data`, collections) and files of types
it does not read as articles (images, `robots.txt`) are skipped with a notice naming the file; they
are never errors. In a newsgen content folder (layout `newsgen`) a file without a date stays an error.

Layout `auto` recognises a Jekyll tree by a `_posts` folder and a Hugo tree by an `_index.md` file
anywhere in the content folder. Pelican content has no such mark:
set `content_layout: pelican`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

from newsgen.content.formats import SourceDocument
from newsgen.content.formats.exports import EXPORT_SUFFIXES

JEKYLL_POST_NAME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-(.+?)(\.[^.]*)?$")
JEKYLL_POST_SUFFIXES = {".md", ".markdown", ".mkdn", ".mkd", ".mdown", ".text", ".txt", ".rmd", ".html", ".htm", ""}
PELICAN_SUFFIXES = {".md", ".markdown", ".mkd", ".mdown", ".html", ".htm"}
HTML_SUFFIXES = {".html", ".htm"}
HUGO_POST_TYPES = {"post", "posts", "blog", "news", "article", "articles"}
_SHORTCODE = re.compile(r"\{\{[<%].*?[%>]\}\}", re.S)
_LIQUID_TAG = re.compile(r"\{%-?.*?-?%\}", re.S)
_LIQUID_OUTPUT = re.compile(r"\{\{(?![<%]).*?\}\}", re.S)
_STRAY_YEAR = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?) \d{4} ([+-]\d{4})$")
_FILE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[-_ ]|\.|$)")
_HIGHLIGHT = re.compile(  # Hugo's and Jekyll's highlight blocks can be rendered: as fenced code
    r"^\{\{<\s*highlight\s+([\w+-]+)[^>]*>\}\}[ \t]*\n(.*?)\n\{\{<\s*/\s*highlight\s*>\}\}[ \t]*$"
    r"|^\{%-?\s*highlight\s+([\w+-]+)[^%]*%\}[ \t]*\n(.*?)\n\{%-?\s*endhighlight\s*-?%\}[ \t]*$", re.S | re.M)
_MORE = re.compile(r"<!--\s*more\s*-->")


@dataclass(frozen=True)
class Placement:
    """Where a file sits: its layout, and whether to read it (else `notice` says why not)."""

    layout: str
    read: bool
    notice: str = ""
    markup: str | None = None
    """`html` for HTML files; None keeps the reader's choice."""


HUGO_BUNDLE_PAGE = "index.md"
HUGO_SECTION_PAGE = "_index.md"


@dataclass(frozen=True)
class MarkedFolders:
    """The folders of a content folder that hold a file changing how the other files there are
    read: Hugo's `index.md` (the folder is a page bundle) and `_index.md` (a section). Taken from
    the list of files the scan found, so each build sees the content folder as it is. Folders are
    kept as the text of their paths (split at the last separator, here and in neighbours_of): a
    set lookup per file, for the largest trees."""

    bundles: frozenset[str] = frozenset()
    """Folders holding `index.md`."""
    top_sections: frozenset[str] = frozenset()
    """Folders holding `_index.md` with no such folder above them: the site or language roots."""

    @classmethod
    def of_files(cls, paths: Iterable[Path]) -> MarkedFolders:
        bundles, sections = set(), set()
        for path in paths:
            text = str(path)
            if not text.endswith(HUGO_BUNDLE_PAGE):  # `_index.md` ends so too
                continue
            folder, _, name = text.rpartition(os.sep)
            if name == HUGO_BUNDLE_PAGE:
                bundles.add(folder)
            elif name == HUGO_SECTION_PAGE:
                sections.add(folder)
        return cls(frozenset(bundles), frozenset(s for s in sections if not _has_marked_ancestor(s, sections)))


def _has_marked_ancestor(folder: str, marked: set[str]) -> bool:
    while os.sep in folder:
        folder = folder.rpartition(os.sep)[0]
        if folder in marked:
            return True
    return False


@dataclass(frozen=True)
class Neighbours:
    """What the other files of the content folder say about one file: every such fact that shapes
    its parse, and so part of its cache key (scan.py). Only a Hugo tree has any."""

    bundle_resource: bool = False
    """Its folder holds Hugo's `index.md` and the file is another one: a resource of that bundle."""
    top_level: bool = False
    """Its folder is the highest holding `_index.md` (the site or language root)."""


# Every value a Neighbours can take, made once: the scan asks for one per file.
_NEIGHBOURS = {(resource, top): Neighbours(resource, top) for resource in (False, True) for top in (False, True)}


def neighbours_of(path: Path, layout: str, marked: MarkedFolders) -> Neighbours:
    """The facts about a file's neighbours that adapt_document reads. `layout` is resolved."""
    if layout != "hugo":
        return _NEIGHBOURS[False, False]
    folder, _, name = str(path).rpartition(os.sep)
    return _NEIGHBOURS[name != HUGO_BUNDLE_PAGE and folder in marked.bundles, folder in marked.top_sections]


def resolve_layout(root: Path, configured: str) -> str:
    """The layout of a whole content folder: `auto` becomes `jekyll` when a `_posts` folder is
    anywhere inside, `hugo` when an `_index.md` file is, else `newsgen`."""
    if configured != "auto":
        return configured
    for _folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        if "_posts" in dirs:
            return "jekyll"
        if "_index.md" in files:
            return "hugo"
    return "newsgen"


def path_suffix(name: str) -> str:
    """A file name's suffix as PurePath.suffix gives it ("" for "notes." and ".profile"), without
    making a path object (the scan asks for every file's)."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def place_file(path: Path, root: Path, layout: str, article_suffixes: set[str]) -> Placement:
    """Decide from the path alone whether a file is read as an article (content decides the rest).
    `layout` is resolved (see resolve_layout)."""
    suffix = path.suffix.lower()
    if suffix in EXPORT_SUFFIXES:
        return Placement(layout, True)
    if layout in ("jekyll", "pelican"):  # the folders matter (worked out only then: a scan places every file)
        folders = path.relative_to(root).parts[:-1]
    if layout == "jekyll":
        internal = next((f for f in folders if f.startswith("_") and f not in ("_posts", "_drafts")), None)
        if internal:
            return Placement(layout, False, f"skipped: Jekyll's '{internal}' folder holds layouts, data or collections, not posts")
        if "_posts" in folders:
            if not JEKYLL_POST_NAME.match(path.name):
                return Placement(layout, False, "skipped: not a Jekyll post (post files are named YYYY-MM-DD-title.ext)")
            if suffix not in JEKYLL_POST_SUFFIXES:
                return Placement(layout, False, f"skipped: Jekyll does not read '{suffix}' files as posts")
            return Placement(layout, True, markup="html" if suffix in HTML_SUFFIXES else None)
        if suffix not in article_suffixes | HTML_SUFFIXES:
            return Placement(layout, False, "skipped: not an article file")
        return Placement(layout, True, markup="html" if suffix in HTML_SUFFIXES else None)
    if layout == "hugo":
        if path.stem == "_index":
            return Placement(layout, False, "skipped: a Hugo section list page (_index), not an article")
        if suffix not in article_suffixes | HTML_SUFFIXES:
            return Placement(layout, False, "skipped: not an article file")
        return Placement(layout, True, markup="html" if suffix in HTML_SUFFIXES else None)
    if layout == "pelican":
        if "pages" in folders:
            return Placement(layout, False, "skipped: a Pelican page (pages/ folder), not an article")
        if suffix not in PELICAN_SUFFIXES:
            return Placement(layout, False, f"skipped: Pelican does not read '{suffix or 'extensionless'}' files as articles")
        return Placement(layout, True, markup="html" if suffix in HTML_SUFFIXES else None)
    return Placement(layout, suffix in article_suffixes)


@dataclass(frozen=True)
class Adapted:
    """A document with a generator's metadata mapped to newsgen's, or the notice why it is no article."""

    document: SourceDocument | None
    notice: str = ""
    warnings: tuple[str, ...] = ()


def _words(value: Any) -> Any:
    """Jekyll splits `tags: a b c` and `categories: a b` on spaces."""
    return value.split() if isinstance(value, str) else value


def _is_page_type(meta: dict[str, Any]) -> bool:
    kind = meta.get("type")
    return isinstance(kind, str) and kind.strip().lower() not in HUGO_POST_TYPES


def adapt_document(doc: SourceDocument, path: Path, root: Path, placement: Placement,
                   shown: str, neighbours: Neighbours) -> Adapted:
    """Map a generator's keys onto newsgen's; say when a file is one of the generator's pages.
    The file's own path and `neighbours` are all this reads about the content folder."""
    meta = dict(doc.meta)
    markup = placement.markup or doc.markup
    if isinstance(meta.get("markup"), str) and meta["markup"].strip().lower() in ("text", "markdown", "html"):
        markup = meta.pop("markup").strip().lower()
    layout = placement.layout
    has_date = bool(meta.get("date")) or _FILE_DATE.match(path.name) is not None
    if layout == "jekyll":
        folders = path.relative_to(root).parts[:-1]
        name = JEKYLL_POST_NAME.match(path.name)
        if "_posts" in folders and name:
            year, month, day, slug = name.group(1), name.group(2), name.group(3), name.group(4)
            meta.setdefault("date", f"{year}-{int(month):02d}-{int(day):02d}")
            meta.setdefault("slug", slug)
            above = folders[: folders.index("_posts")]
            if not meta.get("categories") and not meta.get("category") and above:
                meta["category"] = above[-1]
        if isinstance(meta.get("date"), str) and _STRAY_YEAR.match(meta["date"]):
            meta["date"] = _STRAY_YEAR.sub(r"\1 \2", meta["date"])  # Ruby's Time.parse ignores the repeat
        if meta.get("published") is False:
            meta["draft"] = True
        if "_drafts" in folders:
            meta["draft"] = True
            if not meta.get("date"):  # Jekyll dates drafts by their file time; newsgen never does
                return Adapted(None, "skipped: a Jekyll draft without a date (add a 'date' to build it)")
        for key in ("tags", "categories", "category"):
            if key in meta:
                meta[key] = _words(meta[key])
        if not meta.get("date") and "_posts" not in folders and "_drafts" not in folders:
            return Adapted(None, "skipped: a Jekyll page (no date), not an article")
    elif layout == "hugo":
        if meta.get("headless") is True:
            return Adapted(None, "skipped: a headless Hugo bundle, not an article")
        if _is_page_type(meta):
            return Adapted(None, f"skipped: a Hugo page of type '{meta['type']}', not an article")
        if neighbours.bundle_resource:
            return Adapted(None, "skipped: a resource of a Hugo page bundle, not an article")
        if not has_date:
            return Adapted(None, "skipped: a Hugo page without a date, not an article")
        if neighbours.top_level:
            return Adapted(None, "skipped: a Hugo page at the top of the site, not in a section")
    elif layout == "pelican":
        status = str(meta.get("status", "")).strip().lower()
        if status == "skip":
            return Adapted(None, "skipped: Pelican 'Status: skip'")
        if not has_date:
            return Adapted(None, "skipped: no date (Pelican leaves undated articles out too)")
        authors = meta.get("authors")
        if isinstance(authors, str) and ";" in authors:
            meta["authors"] = [a.strip() for a in authors.split(";") if a.strip()]
    meta_lines = doc.meta_lines
    if layout in ("jekyll", "hugo"):
        meta, meta_lines = _picture_fields(meta, dict(meta_lines))
        categories = meta.get("categories")
        if isinstance(categories, list) and len(categories) > 1:
            extra = [c for c in categories[1:] if isinstance(c, (str, int))]
            tags = meta.get("tags") if isinstance(meta.get("tags"), list) else _words(meta.get("tags")) or []
            meta["tags"] = list(tags) + extra
    body, warnings = _mark_template_code(doc, shown, layout, markup)
    if layout != "newsgen" and "extra" in meta and not isinstance(meta["extra"], dict):
        meta.pop("extra")  # the generator's own key: newsgen's `extra` is a mapping of the site's fields
        warnings += (f"{shown}:{doc.meta_lines.get('extra', 1)}: 'extra' is not a mapping of the site's own "
                     f"fields (extra: {{desk: Politics}}); ignored",)
    if markup == "markdown" and not meta.get("summary") and _MORE.search(body):
        meta["summary"] = " ".join(re.sub(r"<[^>]+>|[*_`#\[\]]", "", _MORE.split(body, 1)[0]).split())
    return Adapted(replace(doc, meta=meta, meta_lines=meta_lines, body=body, markup=markup),  # type: ignore[arg-type]
                   warnings=warnings)


def _picture_fields(meta: dict[str, Any], lines: dict[str, int]) -> tuple[dict[str, Any], dict[str, int]]:
    """Jekyll's `image: {path: x.jpg, alt: ...}` (jekyll-seo-tag) and Hugo's `images: [x.jpg, ...]`
    (its OpenGraph template reads the first) as newsgen's `image` and `image_alt`."""
    image = meta.get("image")
    if isinstance(image, dict):
        meta = {**meta, "image": image.get("path") or image.get("url")}
        if image.get("alt") and not meta.get("image_alt"):
            meta["image_alt"] = image["alt"]
            lines["image_alt"] = lines.get("image", 1)
    elif image is None and isinstance(meta.get("images"), list) and meta["images"]:
        meta = {**meta, "image": meta["images"][0]}
        lines["image"] = lines.get("images", 1)
    return meta, lines


def _mark_template_code(doc: SourceDocument, shown: str, layout: str, markup: str) -> tuple[str, tuple[str, ...]]:
    """Hugo shortcodes and Liquid tags cannot be rendered here: keep them visible as text, and warn.
    The one exception is a `highlight` block, which becomes a fenced code block."""
    body = _HIGHLIGHT.sub(lambda m: f"```{m.group(1) or m.group(3) or ''}\n{m.group(2) or m.group(4)}\n```", doc.body) \
        if markup == "markdown" else doc.body
    patterns = [_SHORTCODE, _LIQUID_TAG] + ([_LIQUID_OUTPUT] if layout == "jekyll" else [])
    found: list[tuple[int, str]] = []
    for pattern in patterns:
        for match in pattern.finditer(body):
            found.append((match.start(), " ".join(match.group(0).split())))
    if not found:
        return body, ()
    found.sort()
    kind = "Hugo shortcode" if layout == "hugo" or found[0][1][:3] in ("{{<", "{{%") else "Liquid tag"
    first_line = doc.body_line + body.count("\n", 0, found[0][0])
    names = list(dict.fromkeys(text if len(text) <= 40 else text[:39] + "…" for _, text in found))
    listed = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
    warning = f"{shown}:{first_line}: {len(found)} {kind}{'s' if len(found) != 1 else ''} left as text: {listed}"
    if markup == "markdown":  # `{{< x >}}` would otherwise pass through Markdown as a raw HTML tag
        body = _SHORTCODE.sub(lambda m: m.group(0).replace("<", "&lt;").replace(">", "&gt;"), body)
    return body, (warning,)
