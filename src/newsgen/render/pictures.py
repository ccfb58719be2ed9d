"""Picture markup: a `<picture>` with WebP and the picture's own format at every width, `sizes`,
`width`/`height` (no layout shift) and lazy loading; for the templates (`picture_html`) and for
the local pictures of article bodies (with_body_pictures)."""

from __future__ import annotations

import html
import re
from typing import Any, Callable

import jinja2
from markupsafe import Markup, escape

from newsgen.model import Picture
from newsgen.render.links import page_link
from newsgen.urls import relative_url

LEAD_SIZES = "(min-width: 60rem) 40rem, 100vw"
"""`sizes` of a lead picture and a body picture: the width of the article column."""
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ATTRIBUTE = re.compile(r"""\s([a-zA-Z-]+)=(?:"([^"]*)"|'([^']*)')""")


def picture_markup(picture: Picture, alt: str, link: Callable[[str], str], sizes: str = LEAD_SIZES,
                   lazy: bool = True, css_class: str = "") -> str:
    """The HTML of a picture; `link` turns a site URL into an href from the page. lazy=False: a
    picture in the first screen, loaded at once (a lead picture with high priority)."""
    src = picture.src if picture.remote else link(picture.src)
    attributes = [f'src="{escape(src)}"', f'alt="{escape(alt)}"']
    own = picture.srcset(picture.mime) if picture.files else ()
    if own:
        attributes.append(f'srcset="{_srcset(own, link)}" sizes="{escape(sizes)}"')
    if picture.width and picture.height:
        attributes.append(f'width="{picture.width}" height="{picture.height}"')
    if css_class:
        attributes.append(f'class="{escape(css_class)}"')
    attributes.append('loading="lazy" decoding="async"' if lazy else 'fetchpriority="high"' if sizes == LEAD_SIZES else "")
    img = f"<img {' '.join(filter(None, attributes))}>"
    webp = picture.srcset("image/webp") if picture.mime != "image/webp" else ()
    if not webp:
        return img
    return (f'<picture><source type="image/webp" srcset="{_srcset(webp, link)}" sizes="{escape(sizes)}">'
            f"{img}</picture>")


def _srcset(files: tuple, link: Callable[[str], str]) -> str:
    return escape(", ".join(f"{link(f.url)} {f.width}w" for f in files))


@jinja2.pass_context
def picture_html(context: Any, picture: Picture, alt: str, sizes: str = LEAD_SIZES, lazy: bool = True,
                 css_class: str = "") -> Markup:
    """Template global: picture_markup with links from the page being rendered."""
    return Markup(picture_markup(picture, alt, lambda url: page_link(context, url), sizes, lazy, css_class))


def with_body_pictures(body_html: str, pictures: tuple[tuple[str, Picture], ...], page_url: str) -> str:
    """The body with each of its local pictures (by src as written) in picture markup, keeping its
    alt text and title; pictures not found stay as written."""
    if not pictures:
        return body_html
    found = dict(pictures)

    def replace(match: re.Match[str]) -> str:
        attributes = {m.group(1).lower(): html.unescape(m.group(2) if m.group(2) is not None else m.group(3))
                      for m in _ATTRIBUTE.finditer(match.group(0))}
        picture = found.get(attributes.get("src", "").strip())
        if picture is None:
            return match.group(0)
        markup = picture_markup(picture, attributes.get("alt", ""), lambda url: relative_url(page_url, url))
        if "title" in attributes:
            markup = markup.replace("<img ", f'<img title="{escape(attributes["title"])}" ', 1)
        return markup

    return _IMG.sub(replace, body_html)


TEMPLATE_GLOBALS = {"picture_html": picture_html}
