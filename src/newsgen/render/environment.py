"""Render the indexed site to pages with Jinja2. Pure: yields Page records, writes nothing.

Each template gets `site`, `config`, `page_url` (the page's own site URL) and a few records
named in its docstring below; links go through the `url` filter, which makes them relative.
"""

from __future__ import annotations

import functools
import json
import traceback
from itertools import chain
from datetime import datetime, timezone as dt_timezone
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterator

import jinja2
from dateutil import tz
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined, select_autoescape

from newsgen.config import SiteConfig, settings_text
from newsgen.errors import BuildFailed, display_path
from newsgen.model import MONTH_NAMES, Archive, Listing, Site
from newsgen.incremental.detector import PageMemo, Trace, TraceRecorder, recording, traced_global, whole_trace
from newsgen.render.metadata import TEMPLATE_GLOBALS as METADATA_GLOBALS
from newsgen.model import Article, KeptPage, Page
from newsgen.urls import (ON_THIS_DAY_URL, SEARCH_URL, absolute_url, feed_url, output_path, relative_url,
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
    env.globals.update(config=traced_global("config", config), month_names=MONTH_NAMES)
    env.globals.update(METADATA_GLOBALS, feed_url=feed_url)  # page metadata (issue 3)
    env.tests["sameas"] = _same_as  # articles reach worker processes as copies (see outlines.py)
    env.extend(newsgen_config=config)
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
    return _formatted_date(moment, precision, context["config"].timezone)


@functools.lru_cache(maxsize=65536)
def _formatted_date(moment: datetime, precision: str, timezone: str) -> str:
    local = moment.astimezone(_zone(timezone))
    month = MONTH_NAMES[local.month - 1]
    if precision == "month":
        return f"{month} {local.year}"
    text = f"{local.day} {month} {local.year}"
    if precision == "time":
        text += f", {local:%H:%M} {local.tzname() or ''}".rstrip()
    return text


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> Any:
    return tz.gettz(name) or dt_timezone.utc


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


def _same_as(value: Any, other: Any) -> bool:
    """Jinja's `sameas`, where two copies of one article (one sent to a worker, one in an
    outline, one with its body) count as the same."""
    if value is other:
        return True
    return (isinstance(value, Article) and isinstance(other, Article)
            and (value.source, value.url) == (other.source, other.url))


def _render(env: Environment, template: str, url: str | None, path: str, **context: Any) -> Page | KeptPage:
    return render_memo_page(env, template, path, {"page_url": url, **context})


def render_page(env: Environment, template: str, url: str | None, path: str, **context: Any) -> Page:
    """Render one template to a Page, always (public name for feeds.py and sitemaps.py: cheap
    pages whose bytes the writer compares)."""
    try:
        html = env.get_template(template).render(page_url=url, **context)
    except jinja2.TemplateError as exc:
        raise BuildFailed([_template_error(exc, template)]) from None
    return Page(path, html.encode("utf-8"))


def render_kept_page(env: Environment, template: str, url: str | None, path: str, inputs: dict[str, Any],
                     context: Callable[[], dict[str, Any]]) -> Page | KeptPage:
    """render_page, or KeptPage when `inputs` are as in the previous build: plain values and
    articles that together decide the page (with the config, less the build time); `context()`
    makes the template's context. For pages made from many articles that are cheap to describe
    and dear to render, like feeds and sitemaps."""
    memo: PageMemo | None = getattr(env, "newsgen_memo", None)
    if memo is None:
        return render_page(env, template, url, path, **context())
    keyed = {**inputs, "settings": _settings(env.newsgen_config)}  # type: ignore[attr-defined]
    if memo.unchanged(path, template, keyed):
        return KeptPage(path)
    page = render_page(env, template, url, path, **context())
    memo.record(path, template, keyed, whole_trace(keyed))
    return page


_settings_of: dict[int, tuple[SiteConfig, str]] = {}


def _settings(config: SiteConfig) -> str:
    """The config's values but the build time, as text (made once per config)."""
    known = _settings_of.get(id(config))
    if known is None or known[0] is not config:
        text = settings_text(config)
        _settings_of.clear()
        known = _settings_of[id(config)] = (config, text)
    return known[1]


def render_memo_page(env: Environment, template: str, path: str, context: dict[str, Any]) -> Page | KeptPage:
    """One page, or KeptPage when the build's memo shows its inputs are as last time."""
    memo: PageMemo | None = getattr(env, "newsgen_memo", None)
    if memo is not None and memo.unchanged(path, template, page_inputs(env, context)):
        return KeptPage(path)
    content, trace = render_traced(env, template, context)
    if memo is not None:
        memo.record(path, template, page_inputs(env, context), trace)
    return Page(path, content)


def page_inputs(env: Environment, context: dict[str, Any]) -> dict[str, Any]:
    """What a page's template can read: its context and the `config` global."""
    return {**context, "config": env.newsgen_config}  # type: ignore[attr-defined]


def render_traced(env: Environment, template: str, context: dict[str, Any]) -> tuple[bytes, Trace]:
    """Render a template, noting which parts of its context it read (see memo.py)."""
    recorder = TraceRecorder()
    try:
        with recording(recorder):
            html = env.get_template(template).render(recorder.wrap(context))
    except jinja2.TemplateError as exc:
        raise BuildFailed([_template_error(exc, template)]) from None
    return html.encode("utf-8"), recorder.trace()


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


def _listing_pages(env: Environment, listing: Listing, size: int, template: str,
                   **context: Any) -> Iterator[Page | KeptPage]:
    yield from render_jobs(env, listing_jobs(listing, size, template, **context))


def render_site(site: Site, env: Environment) -> Iterator[Page | KeptPage]:
    """Every page of the site, one at a time. Article and listing pages may render in worker
    processes: their templates get `site` (and `listing`) as outlines, see outlines.py."""
    config = site.config
    outline = ship(env, outline_site(site))
    common = {"site": site}
    yield from render_jobs(env, listing_jobs(site.front, config.page_size, "index.html", site=outline))

    yield from render_article_pages(site, env, outline)

    for kind in ("tag", "section", "author"):
        listings = site.terms(kind)
        if not listings:
            continue
        index_url = term_index_url(kind)
        index = PageJob("terms.html", output_path(index_url), {
            "page_url": index_url, "kind": kind, "listings": tuple(map(outline_listing, listings)), "site": outline})
        yield from render_jobs(env, chain([index], *(
            listing_jobs(listing, config.archive_page_size, "listing.html", kind=kind, site=outline)
            for listing in listings)))

    yield _render(env, "archive.html", "archive/", "archive/index.html", **common)
    yield from render_jobs(env, chain.from_iterable(
        listing_jobs(archive.listing, config.archive_page_size, "period.html", archive=outline_archive(archive),
                     site=outline, **_period_dates(archive, outline))
        for archive in site.archives))

    yield from render_finding_pages(site, env, outline)

    yield _render(env, "404.html", None, "404.html", **common)
    yield from render_theme_assets(env, config)


def _period_dates(archive: Archive, outline: SiteOutline) -> dict[str, Any]:
    """The calendars a period page shows (its month's, or its year's months') and, for a day, its
    on-this-day entry: given to the page itself, so that it depends on these alone and not on
    every calendar of the site (`site.calendars` and `site.day_of_year` remain for themes)."""
    period = archive.period
    shown = [period] if period.level == "month" else [child for child, _ in archive.children] if period.level == "year" else []
    day = None
    if period.level == "day" and archive.listing.articles and outline.day_of_year is not None:
        day = outline.day_of_year(archive.listing.articles[0].published)
    return {"period_calendars": {p: outline.calendars[p] for p in shown if p in outline.calendars}, "period_day": day}


def render_finding_pages(site: Site, env: Environment, outline: SiteOutline | None = None) -> Iterator[Page | KeptPage]:
    """Finding things (issue 7): the on-this-day pages and, with `search: true`, the search page.
    They get `site` as an outline (see outlines.py)."""
    outline = outline or ship(env, outline_site(site))
    if site.on_this_day:
        yield _render(env, "on_this_day_index.html", ON_THIS_DAY_URL, output_path(ON_THIS_DAY_URL), site=outline)
    yield from render_jobs(env, chain.from_iterable(
        listing_jobs(day.listing, site.config.archive_page_size, "on_this_day.html",
                     day_of_year=outline.on_this_day[key], site=outline)
        for key, day in site.on_this_day.items()))
    if site.config.search:
        yield _render(env, "search.html", SEARCH_URL, output_path(SEARCH_URL), site=outline)


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


from newsgen.render.article_pages import render_article_pages  # noqa: E402  (these render through render_traced above)
from newsgen.render.listing_pages import PageJob, listing_jobs, render_jobs  # noqa: E402
from newsgen.render.outlines import SiteOutline, outline_archive, outline_listing, outline_site  # noqa: E402
from newsgen.render.workers import ship  # noqa: E402
