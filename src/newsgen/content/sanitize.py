"""`unsafe_html: false`: strip active content from article bodies with nh3 (Rust's ammonia).

A parser-based allow-list sanitiser, not regexes: scripts, styles, iframes, objects, embeds
and forms go; so do event handlers (`on*=`) and `javascript:`/`data:` URLs. Headings keep
their `id` (table-of-contents anchors) and every element its `class`, `title`, `lang` and `dir`.
"""

from __future__ import annotations

import nh3

_TAGS = set(nh3.ALLOWED_TAGS) | {"figure", "figcaption", "picture", "source", "audio", "video", "track", "tfoot"}
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
_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitize_html(fragment: str) -> str:
    """The fragment with only inert markup left; text and safe links are kept as written."""
    return nh3.clean(fragment, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes=_SCHEMES, link_rel=None,
                     strip_comments=True)
