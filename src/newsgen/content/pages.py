"""The site's pages: Markdown files in `pages/` at the site root (`pages/about.md` is published
at `about/`, `pages/help/faq.md` at `help/faq/`), read with the article readers.

A page has a `title`, and may have a `slug` (default: its file name), a `summary` (or
`description`) for its meta description, `menu: N`, its place in the site navigation, and
`aliases`, old paths that lead to it.
"""

from __future__ import annotations

from newsgen.config import SiteConfig
from newsgen.content.articles import (alias_key, aliases_field, first_paragraph_text, render_body, shorten_words, text_field)
from newsgen.content.formats import decode_text
from newsgen.content.formats.readers import parse_document
from newsgen.content.scan import PageSource
from newsgen.errors import BuildFailed, SourceError, SourceProblem, describe
from newsgen.model import SitePage
from newsgen.urls import slugify


def parse_pages(sources: list[PageSource], config: SiteConfig) -> tuple[SitePage, ...]:
    """A SitePage per file; BuildFailed listing every problem."""
    pages, errors = [], []
    for source in sources:
        try:
            pages.append(_parse_page(source, config))
        except SourceProblem as problem:
            errors.append(SourceError(source.shown, problem.line, problem.message))
    if errors:
        raise BuildFailed(errors)
    return tuple(pages)


def _parse_page(source: PageSource, config: SiteConfig) -> SitePage:
    text, _ = decode_text(source.data)
    document = parse_document(text)
    meta = document.meta
    key = "title"
    try:
        title = text_field(meta, "title")
        if title is None:
            raise SourceProblem("no title: add 'title: ...' to the front matter", line=1)
        key = "slug"
        slug = slugify(text_field(meta, "slug") or source.path.stem, "page", config.slug_script)
        key = "menu"
        menu = meta.get("menu")
        if menu is not None and (isinstance(menu, bool) or not isinstance(menu, int)):
            raise SourceProblem(f"'menu' must be a whole number (the page's place in the navigation), not {describe(menu)}")
        key = "summary" if meta.get("summary") is not None else "description"
        summary = text_field(meta, "summary") or text_field(meta, "description")
        key = alias_key(meta)
        aliases = aliases_field(meta)
    except SourceProblem as problem:
        problem.line = problem.line or document.meta_lines.get(key, 1)
        raise
    body_html = render_body(document, config)
    folders = source.path.parent.relative_to(config.pages_path).parts
    url = "".join(f"{slugify(folder, 'pages', config.slug_script)}/" for folder in folders) + f"{slug}/"
    summary = " ".join(summary.split()) if summary else shorten_words(first_paragraph_text(body_html), config.summary_words)
    return SitePage(source.shown, " ".join(title.split()), url, summary, body_html, menu, aliases)
