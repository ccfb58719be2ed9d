"""Article bodies without active content (the default, `unsafe_html: false`), with nh3 (Rust's ammonia).

A parser-based allow-list sanitiser, not regexes: scripts, styles, objects, embeds and forms go;
so do event handlers (`on*=`), `javascript:`/`data:` URLs and inline styles (except a table
cell's `text-align`, which Markdown tables write). Everything Markdown writes is kept: headings
with their `id`, footnotes, tables, code, images, figures, links; every element keeps its `class`,
`title`, `lang` and `dir`. An `<iframe>` is kept, empty, only when its `src` is an https URL on
one of the site's `embed_hosts`; any other iframe is removed whole.
"""

from __future__ import annotations

import functools
import re
from typing import Iterable
from urllib.parse import urlsplit

import nh3

_TAGS = set(nh3.ALLOWED_TAGS) | {"figure", "figcaption", "picture", "source", "audio", "video", "track", "tfoot",
                                 "iframe"}
_COMMON = {"id", "class", "title", "lang", "dir"}
_ATTRIBUTES = {tag: set(nh3.ALLOWED_ATTRIBUTES.get(tag, ())) | _COMMON for tag in _TAGS}
_ATTRIBUTES["a"] |= {"rel", "name"}
_ATTRIBUTES["img"] |= {"title", "loading", "srcset", "sizes"}
_ATTRIBUTES["source"] |= {"src", "srcset", "type", "media", "sizes"}
_ATTRIBUTES["audio"] |= {"src", "controls"}
_ATTRIBUTES["video"] |= {"src", "controls", "poster", "width", "height"}
_ATTRIBUTES["track"] |= {"src", "kind", "srclang", "label"}
_ATTRIBUTES["time"] |= {"datetime"}
_ATTRIBUTES["abbr"] |= {"title"}
_ATTRIBUTES["th"] |= {"style"}
_ATTRIBUTES["td"] |= {"style"}
# No `srcdoc`: it is a page of its own, on the site's origin.
_ATTRIBUTES["iframe"] |= {"src", "width", "height", "allow", "allowfullscreen", "loading", "referrerpolicy",
                          "frameborder", "scrolling", "sandbox"}
_SCHEMES = {"http", "https", "mailto", "tel"}
_CELL_ALIGN = re.compile(r"text-align: ?(left|right|center);?")
# nh3 writes every element out in one form: attribute values in double quotes with `<` and `>`
# escaped, so an open tag ends at the first `>`; an iframe's content is text that cannot hold `</iframe>`.
_IFRAME = re.compile(r"(<iframe\b[^>]*>).*?</iframe>", re.S)


def sanitize_html(fragment: str, embed_hosts: Iterable[str]) -> str:
    """The fragment with only inert markup left, and iframes from embed_hosts only; text and safe
    links are kept as written."""
    cleaned = _cleaner(frozenset(host.lower() for host in embed_hosts)).clean(fragment)
    return _IFRAME.sub(_embed, cleaned) if "<iframe" in cleaned else cleaned


def _embed(match: re.Match) -> str:
    """An iframe the cleaner left: without its fallback content (text a browser never shows, and
    markup to whatever reads the HTML as something else); gone whole when its src was refused."""
    tag = match.group(1)
    return tag + "</iframe>" if ' src="' in tag else ""


@functools.lru_cache(maxsize=8)
def _cleaner(embed_hosts: frozenset[str]) -> nh3.Cleaner:
    def keep(element: str, attribute: str, value: str) -> str | None:
        if attribute == "style":
            return value if _CELL_ALIGN.fullmatch(value.strip()) else None
        if element == "iframe" and attribute == "src":
            return value if _is_embed_url(value, embed_hosts) else None
        return value

    return nh3.Cleaner(tags=_TAGS, attributes=_ATTRIBUTES, attribute_filter=keep, url_schemes=_SCHEMES,
                       link_rel=None, strip_comments=True)


def _is_embed_url(url: str, embed_hosts: frozenset[str]) -> bool:
    """Whether url is an https URL on one of embed_hosts (host names in lower case)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() == "https" and host is not None and host in embed_hosts
