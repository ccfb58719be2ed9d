"""Markdown to HTML with the site's `markdown_engine`: Python-Markdown (`markdown`, with `extra`,
`sane_lists` and `toc`) or cmark-gfm (`commonmark`, with GitHub's tables, strikethrough,
autolinks and footnotes). Both give headings the same ids; sanitising comes after, in render_body."""

from __future__ import annotations

import ctypes
import html
import re
import unicodedata

import cmarkgfm.cmark as cmark
from cmarkgfm import _cmark
import markdown
from markdown.extensions.toc import slugify as toc_slugify, strip_tags as toc_strip_tags, unique as toc_unique

PYTHON_MARKDOWN_EXTENSIONS = ["extra", "sane_lists", "toc"]
_markdown_instance: markdown.Markdown | None = None

# Raw HTML is passed through (UNSAFE) because newsgen's sanitiser, not the engine, decides what
# stays; GitHub's `tagfilter` is left out for the same reason (it would escape allowed iframes).
# Table cells are aligned with `style="text-align: ..."`, as Python-Markdown aligns them and the
# sanitiser keeps them.
_CMARK_OPTIONS = (cmark.Options.CMARK_OPT_UNSAFE | cmark.Options.CMARK_OPT_FOOTNOTES
                  | cmark.Options.CMARK_OPT_TABLE_PREFER_STYLE_ATTRIBUTES)
_CMARK_EXTENSIONS = ["table", "strikethrough", "autolink"]
# cmark writes a heading as `<hN>` without attributes at a line's start, its text (on more than
# one line for a setext heading), and `</hN>` at the line's end; a raw HTML heading written the
# same way (`<h2>Text</h2>` alone on its line) is matched too and gets an id as well.
_CMARK_HEADING = re.compile(r"^<h([1-6])>(.*?)</h\1>$", re.M | re.S)
_ID = re.compile(r"""\sid=(?:"([^"]*)"|'([^']*)')""")
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref">.*?</sup>', re.S)


def render_markdown(text: str, engine: str = "markdown") -> str:
    """Markdown to HTML with the named engine (one of config.MARKDOWN_ENGINES)."""
    if engine == "commonmark":
        return render_commonmark(text)
    return render_python_markdown(text)


def render_python_markdown(text: str) -> str:
    """Markdown to HTML with one reused converter per process (Python-Markdown with `extra`); a
    body with no markup at all is put in paragraphs without it, with the same bytes."""
    plain = render_unmarked_paragraphs(text)
    if plain is not None:
        return plain
    global _markdown_instance
    if _markdown_instance is None:
        _markdown_instance = markdown.Markdown(extensions=PYTHON_MARKDOWN_EXTENSIONS, output_format="html")
    try:
        return _markdown_instance.reset().convert(text)
    except BaseException:  # a RecursionError deep inside leaves the converter half-reset: start afresh
        _markdown_instance = None
        raise


# What may make Python-Markdown write anything but paragraphs of the text as it is, with `extra`,
# `sane_lists` and `toc`: anywhere, the characters of emphasis, code, escapes, links, footnotes,
# abbreviations, attribute lists, HTML, entities, tables, fences and headings; at a line's start,
# the markers of lists, quotes, rules, setext underlines and definitions, and indentation;
# at a line's end, spaces (two make a line break).
_MARKUP_ANYWHERE = re.compile(r"[\\`*_\[\]<>&#|~{}^]")
_MARKUP_AT_LINE_START = re.compile(r"^(?:[!:=+\-]| |\d+[.)])| $", re.M)
_PARAGRAPH_BREAK = re.compile(r"\n\n+")
_SAFE_TEXT: dict[str, bool] = {}


def render_unmarked_paragraphs(text: str) -> str | None:
    """Text with none of Markdown's markup as Python-Markdown renders it (paragraphs split on
    blank lines, each line as written, each paragraph in `<p>`), or None when the text has
    anything that Markdown might read as markup, or any character but a space or a newline
    that is whitespace, a control or a format character."""
    if _MARKUP_ANYWHERE.search(text) or _MARKUP_AT_LINE_START.search(text) or not _plain_characters(text):
        return None
    paragraphs = [p for p in _PARAGRAPH_BREAK.split(text.strip("\n")) if p]
    return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)


def _plain_characters(text: str) -> bool:
    """Whether every character is a space, a newline or printable text (letters, digits, marks,
    punctuation, symbols), with no other whitespace, control, format or private-use character."""
    for char in set(text):
        safe = _SAFE_TEXT.get(char)
        if safe is None:
            safe = _SAFE_TEXT[char] = char in " \n" or unicodedata.category(char)[0] not in "CZ"
        if not safe:
            return False
    return True


def render_commonmark(text: str) -> str:
    """CommonMark with GitHub's tables, strikethrough, autolinks and footnotes, headings given ids.
    Python-Markdown ends its output without a newline; so does this."""
    return add_heading_ids(_cmark_html(text)).rstrip("\n")


# cmarkgfm's markdown_to_html_with_extensions leaves each document's syntax tree and its HTML
# unfreed (about 25 KB an article: 2.5 GB over 100,000 articles in one worker), and its binding
# does not expose cmark_node_free. So the same steps are taken here with cmarkgfm's own wrappers,
# and the tree and the HTML buffer are freed through the functions its library exports.
_CMARK_LIBRARY = ctypes.CDLL(_cmark.__file__)
_CMARK_LIBRARY.cmark_node_free.argtypes = [ctypes.c_void_p]
_C_FREE = ctypes.CDLL(None).free  # cmark's default allocator is the C library's
_C_FREE.argtypes = [ctypes.c_void_p]


def _address(pointer: object) -> int:
    return int(_cmark.ffi.cast("uintptr_t", pointer))


def _cmark_html(text: str) -> str:
    """cmark-gfm's HTML for text with the site's extensions and options, every buffer freed."""
    cmark.core_extensions_ensure_registered()
    parser = cmark.parser_new(_CMARK_OPTIONS)
    try:
        for name in _CMARK_EXTENSIONS:
            cmark.parser_attach_syntax_extension(parser, cmark.find_syntax_extension(name))
        cmark.parser_feed(parser, text)
        root = cmark.parser_finish(parser)
        try:
            raw = _cmark.lib.cmark_render_html(root, _CMARK_OPTIONS, cmark.parser_get_syntax_extensions(parser))
            try:
                return _cmark.ffi.string(raw).decode("utf-8")
            finally:
                _C_FREE(_address(raw))
        finally:
            _CMARK_LIBRARY.cmark_node_free(_address(root))
    finally:
        cmark.parser_free(parser)


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
