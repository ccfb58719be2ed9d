"""Redirect pages and `_redirects`: at each old URL a small HTML page that sends the reader on
(a meta refresh, a canonical link and a plain link; `noindex`), and one `_redirects` file at the
output root in the format Netlify and Cloudflare Pages read (`/old/path /new/path 301`, paths
under the path of base_url). Neither is listed in the sitemap: build.py adds them after it.
"""

from __future__ import annotations

from typing import Iterator
from urllib.parse import quote

from newsgen.model import KeptPage, Page, Redirect, Site
from newsgen.render.jobs import PageJob, RenderContext, render_jobs
from newsgen.urls import output_path

REDIRECTS_FILE = "_redirects"


def render_redirects(site: Site, ctx: RenderContext) -> Iterator[Page | KeptPage]:
    """A page per redirect of the site, then `_redirects`; nothing when the site has none."""
    if not site.redirects:
        return
    yield from render_jobs(ctx, (PageJob("redirect.html", output_path(redirect.url),
                                         {"page_url": redirect.url, "redirect": redirect})
                                 for redirect in site.redirects))
    yield Page(REDIRECTS_FILE, redirects_file(site.redirects, site.config.base_path))


def redirects_file(redirects: tuple[Redirect, ...], base_path: str) -> bytes:
    """One `old new 301` line per redirect, in the order given."""
    def path(url: str) -> str:
        return quote(base_path + url, safe="/.-_~%")

    return "".join(f"{path(r.url)} {path(r.target)} 301\n" for r in redirects).encode("utf-8")
