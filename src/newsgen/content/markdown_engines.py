"""Markdown to HTML with the site's `markdown_engine`: Python-Markdown (`markdown`, with `extra`,
`sane_lists` and `toc`) or cmark-gfm (`commonmark`, with GitHub's tables, strikethrough,
autolinks and footnotes). Both give headings the same ids; sanitising comes after, in render_body."""

from __future__ import annotations

import html
import re

import cmarkgfm.cmark as cmark
import markdown
from markdown.extensions.toc import slugify as toc_slugify, strip_tags as toc_strip_tags, unique as toc_unique

_MARKDOWN_EXTENSIONS = ["extra", "sane_lists", "toc"]
_markdown_instance: markdown.Markdown | None = None

# Raw HTML is passed through (UNSAFE) because newsgen's sanitiser, not the engine, decides what
# stays; GitHub's `tagfilter` is left out for the same reason (it would escape allowed iframes).
_CMARK_OPTIONS = (cmark.Options.CMARK_OPT_UNSAFE | cmark.Options.CMARK_OPT_FOOTNOTES
                  | cmark.Options.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES)
_CMARK_EXTENSIONS = ["table", "strikethrough", "autolink"]
# cmark writes its headings without attributes, one to a line; a raw HTML heading written the same
# way (`<h2>Text</h2>` alone) is matched too and gets an id as well.
_CMARK_HEADING = re.compile(r"^<h([1-6])>(.*?)</h\1>$", re.M | re.S)
_ID = re.compile(r"""\sid=(?:"([^"]*)"|'([^']*)')""")
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.S)


def render_markdown(text: str, engine: str = "markdown") -> str:
    """Markdown to HTML with the named engine (one of config.MARKDOWN_ENGINES)."""
    if engine == "commonmark":
        return render_commonmark(text)
    return render_python_markdown(text)


def render_python_markdown(text: str) -> str:
    """Markdown to HTML with one reused converter per process (Python-Markdown with `extra`)."""
    global _markdown_instance
    if _markdown_instance is None:
        _markdown_instance = markdown.Markdown(extensions=_MARKDOWN_EXTENSIONS, output_format="html")
    try:
        return _markdown_instance.reset().convert(text)
    except BaseException:  # a RecursionError deep inside leaves the converter half-reset: start afresh
        _markdown_instance = None
        raise


def render_commonmark(text: str) -> str:
    """CommonMark with GitHub's tables, strikethrough, autolinks and footnotes, headings given ids.
    Python-Markdown ends its output without a newline; so does this."""
    rendered = cmark.markdown_to_html_with_extensions(text, options=_CMARK_OPTIONS, extensions=_CMARK_EXTENSIONS)
    return add_heading_ids(rendered).rstrip("\n")


def add_heading_ids(fragment: str) -> str:
    """The fragment with an id on each heading cmark wrote, by the rule of Python-Markdown's `toc`
    extension: the heading's text without footnote markers, slugified (accents folded to ASCII,
    punctuation dropped, spaces to `-`), made unique among the fragment's ids with `_1`, `_2`..."""
    used = {m.group(1) if m.group(1) is not None else m.group(2) for m in _ID.finditer(fragment)}
    counters: dict[str, int] = {}

    def with_id(match: re.Match) -> str:
        level, inner = match.group(1), match.group(2)
        name = toc_strip_tags(_FOOTNOTE_REF.sub("", inner))
        heading_id = toc_unique(toc_slugify(html.unescape(name), "-"), used, counters)
        return f'<h{level} id="{heading_id}">{inner}</h{level}>'

    return _CMARK_HEADING.sub(with_id, fragment)
