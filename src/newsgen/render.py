"""Render the indexed site to pages with Jinja2. Pure: yields Page records, writes nothing.

Each template gets `site`, `config`, `page_url` (the page's own site URL) and a few records
named in its docstring below; links go through the `url` filter, which makes them relative.
"""

from __future__ import annotations

import json
import traceback
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

import jinja2
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined, select_autoescape

from .config import SiteConfig
from .errors import BuildFailed, display_path
from .index import MONTH_NAMES, Listing, Site
from .metadata import TEMPLATE_GLOBALS as METADATA_GLOBALS
from .model import Article, Page
from .urls import (ON_THIS_DAY_URL, SEARCH_URL, absolute_url, feed_url, output_path, relative_url,
                   root_relative_url, term_index_url)


def builtin_templates_dir() -> Path:
    return Path(str(resources.files("newsgen") / "templates"))


def make_environment(config: SiteConfig) -> Environment:
    """Site templates override built-in ones by name; `builtin/NAME` always reaches the built-in one."""
    builtin = FileSystemLoader(builtin_templates_dir())
    loaders: list[jinja2.BaseLoader] = []
    if config.templates_path.is_dir():
        loaders.append(FileSystemLoader(config.templates_path))
    loaders += [PrefixLoader({"builtin": builtin}), builtin]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(url=_url, absolute=_absolute, date=_format_date, isodate=_isodate, tojson_ld=_json_ld)
    env.globals.update(config=config, month_names=MONTH_NAMES)
    env.globals.update(METADATA_GLOBALS, feed_url=feed_url)  # page metadata (issue 3)
    return env


@jinja2.pass_context
def _url(context: Any, target: str) -> str:
    """A link to a site URL from the current page: relative, or under the base path for pages
    (like 404.html) served at any depth."""
    here = context.get("page_url")
    if here is None:
        return root_relative_url(context["config"].base_path, target)
    return relative_url(here, target)


@jinja2.pass_context
def _absolute(context: Any, target: str) -> str:
    return absolute_url(context["config"].base_url, target)


@jinja2.pass_context
def _format_date(context: Any, moment: datetime, precision: str = "day") -> str:
    local = moment.astimezone(context["config"].zone)
    month = MONTH_NAMES[local.month - 1]
    if precision == "month":
        return f"{month} {local.year}"
    text = f"{local.day} {month} {local.year}"
    if precision == "time":
        text += f", {local:%H:%M} {local.tzname() or ''}".rstrip()
    return text


def _isodate(moment: datetime, precision: str = "time") -> str:
    """A `<time datetime>` value: `2022-08`, `2022-08-10` or a full timestamp with offset."""
    if precision == "month":
        return f"{moment:%Y-%m}"
    if precision == "day":
        return f"{moment:%Y-%m-%d}"
    return moment.isoformat(timespec="seconds")


def _json_ld(data: Any) -> str:
    """JSON for a `<script>` block: `<`, `>` and `&` escaped so no text can close the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False)
    return jinja2.utils.markupsafe.Markup(
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _render(env: Environment, template: str, url: str | None, path: str, **context: Any) -> Page:
    try:
        html = env.get_template(template).render(page_url=url, **context)
    except jinja2.TemplateError as exc:
        raise BuildFailed([_template_error(exc, template)]) from None
    return Page(path, html.encode("utf-8"))


render_page = _render
"""Render one template to a Page (public name for feeds.py and sitemaps.py)."""


def _template_error(exc: jinja2.TemplateError, template: str) -> str:
    """`file:line: template error: ...`. Syntax errors carry their line; for runtime errors
    (an undefined name under StrictUndefined) the line comes from Jinja's rewritten traceback."""
    name = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line = getattr(exc, "lineno", None)
    if not line:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.endswith(".py")]
        if frames:
            name, line = frames[-1].filename, frames[-1].lineno
    name = name or template
    if Path(name).is_file():
        name = display_path(Path(name))
    where = f"{name}:{line}" if line else f"{name}"
    return f"{where}: template error: {exc.message or exc.__class__.__name__}"


def _listing_pages(env: Environment, listing: Listing, size: int, template: str, **context: Any) -> Iterator[Page]:
    for page in listing.pages(size):
        yield _render(env, template, page.url, output_path(page.url), listing=listing, page=page, **context)


def render_site(site: Site, env: Environment) -> Iterator[Page]:
    """Every page of the site, one at a time."""
    config = site.config
    common = {"site": site}
    yield from _listing_pages(env, site.front, config.page_size, "index.html", **common)

    articles = site.articles
    for position, article in enumerate(articles):
        newer = articles[position - 1] if position > 0 else None
        older = articles[position + 1] if position + 1 < len(articles) else None
        yield _render(env, "article.html", article.url, output_path(article.url),
                      article=article, newer=newer, older=older,
                      related=site.related.get(article.url, ()), **common)

    for kind in ("tag", "section", "author"):
        listings = site.terms(kind)
        if not listings:
            continue
        index_url = term_index_url(kind)
        yield _render(env, "terms.html", index_url, output_path(index_url), kind=kind, listings=listings, **common)
        for listing in listings:
            yield from _listing_pages(env, listing, config.archive_page_size, "listing.html", kind=kind, **common)

    yield _render(env, "archive.html", "archive/", "archive/index.html", **common)
    for archive in site.archives:
        yield from _listing_pages(env, archive.listing, config.archive_page_size, "period.html", archive=archive, **common)
    yield from render_finding_pages(site, env)

    yield _render(env, "404.html", None, "404.html", **common)
    yield from render_theme_assets(env, config)


def render_finding_pages(site: Site, env: Environment) -> Iterator[Page]:
    """Finding things (issue 7): the on-this-day pages and, with `search: true`, the search page."""
    common = {"site": site}
    if site.on_this_day:
        yield _render(env, "on_this_day_index.html", ON_THIS_DAY_URL, output_path(ON_THIS_DAY_URL), **common)
    for day_of_year in site.on_this_day.values():
        yield from _listing_pages(env, day_of_year.listing, site.config.archive_page_size, "on_this_day.html",
                                  day_of_year=day_of_year, **common)
    if site.config.search:
        yield _render(env, "search.html", SEARCH_URL, output_path(SEARCH_URL), **common)


def render_theme_assets(env: Environment, config: SiteConfig) -> Iterator[Page]:
    """The theme's files under `static/` (a site's `templates/static/NAME` overrides one by name)."""
    names = {p.name for p in (builtin_templates_dir() / "static").iterdir() if p.is_file()}
    site_static = config.templates_path / "static"
    if site_static.is_dir():
        names |= {p.name for p in site_static.iterdir() if p.is_file()}
    for name in sorted(names):
        override = site_static / name
        source = override if override.is_file() else builtin_templates_dir() / "static" / name
        yield Page(f"static/{name}", source.read_bytes())
