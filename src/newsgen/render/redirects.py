"""Redirect pages and `_redirects`: at each old URL a small HTML page that sends the reader on
(a meta refresh, a canonical link and a plain link; `noindex`), and one `_redirects` file at the
output root in the format Netlify and Cloudflare Pages read (`/old/path /new/path 301`, paths
under the path of base_url), after the rules of the site's own `static/_redirects` if it has one.
Neither is listed in the sitemap: stages.py adds them after it.
"""

from __future__ import annotations

from typing import Iterator
from urllib.parse import quote

from newsgen.model import KeptPage, Page, Redirect, Site
from newsgen.render.jobs import PageJob, RenderContext, render_jobs
from newsgen.urls import output_path

REDIRECTS_FILE = "_redirects"


def redirects_written(site: Site) -> frozenset[str]:
    """The static files render_redirects writes itself: `_redirects`, when the site has redirects."""
    return frozenset([REDIRECTS_FILE]) if site.redirects else frozenset()


def render_redirects(site: Site, ctx: RenderContext) -> Iterator[Page | KeptPage]:
    """A page per redirect of the site, then `_redirects`; nothing when the site has none."""
    if not site.redirects:
        return
    yield from render_jobs(ctx, (PageJob("redirect.html", output_path(redirect.url),
                                         {"page_url": redirect.url, "redirect": redirect})
                                 for redirect in site.redirects))
    own = site.config.static_path / REDIRECTS_FILE
    rules = own.read_bytes() if own.is_file() else b""
    if rules and not rules.endswith(b"\n"):
        rules += b"\n"
    yield Page(REDIRECTS_FILE, rules + redirects_file(site.redirects, site.config.base_path))


def redirects_file(redirects: tuple[Redirect, ...], base_path: str) -> bytes:
    """One `old new 301` line per redirect, in the order given."""
    def path(url: str) -> str:
        return quote(base_path + url, safe="/.-_~%")

    return "".join(f"{path(r.url)} {path(r.target)} 301\n" for r in redirects).encode("utf-8")
