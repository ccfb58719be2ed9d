"""Every page of the site as jobs, in a fixed order: the front page, articles, tag, section and
author pages, the archive, on-this-day and search pages, the site's own pages, the 404 page and
the theme's files; and, apart (they are in no sitemap), the notices of articles taken down.
Feeds and sitemaps have their own modules. Pure: yields Page records, writes nothing.

What each template gets is documented at the top of the template and in the README; every
HTML template also gets `site` (a SiteOutline), `config` and `page_url` (the page's own URL).
"""

from __future__ import annotations

import dataclasses
from itertools import chain
from typing import Any, Callable, Iterator, Mapping

from newsgen.config import SiteConfig
from newsgen.content.scan import walk_files
from newsgen.model import Archive, Article, KeptPage, Listing, Page, Site, Translation
from newsgen.render.theme_sources import builtin_templates_dir
from newsgen.render.jobs import PageJob, RenderContext, article_job, render_jobs
from newsgen.render.views import (SiteOutline, TakedownNotice, further_reading, name_listing, outline_archive,
                                  outline_listing, outline_site, page_links, section_nearby,
                                  translation_links)
from newsgen.shipping import ship
from newsgen.urls import ON_THIS_DAY_URL, SEARCH_URL, output_path, term_index_url


BODY_DERIVED_INPUTS = frozenset({"search_shards"})
"""Page inputs that change with an article's text although no article record holds them: the
search page's list of the index's shards (each shard's key digests its articles' text). The
change detector always keys a page that has one (incremental/reach.py)."""


def render_site(site: Site, ctx: RenderContext) -> Iterator[Page | KeptPage]:
    """Every HTML page of the site, one at a time (the theme's files: theme_assets): each
    language's pages (on a multilingual site), then the site's own pages and the 404 page."""
    outlines = [ship(outline_site(tree, site), ctx.shipping) for tree in site.language_sites]
    for tree, tree_outline in zip(site.language_sites, outlines):
        yield from _language_pages(tree, tree_outline, site, ctx)
    outline = outlines[0]
    yield from render_jobs(ctx, (PageJob("page.html", output_path(page.url), {"page_url": page.url, "site_page": page,
                                                                               "site": outline})
                                 for page in site.pages))
    yield from render_jobs(ctx, [PageJob("404.html", "404.html", {"page_url": None, "site": outline})])


def _language_pages(site: Site, outline: SiteOutline, whole: Site, ctx: RenderContext) -> Iterator[Page | KeptPage]:
    """The pages of one language's Site, outlined by `outline` (`whole` holds the languages and
    the translations): the front page, articles, tag, section and author pages, the archive,
    on-this-day and search pages."""
    config = site.config
    home = site.home
    # on a multilingual site, each page gets its language's configuration over the environment's
    language = {"config": config} if whole.other_languages else {}
    fronts = {"translations": translation_links(whole.translations.get(home, ()))} if language else {}
    settle = ctx.detector.settle if ctx.detector is not None else None
    yield from render_jobs(ctx, listing_jobs(site.front, config.page_size, "index.html",
                                             {"translations": ()} if language else None,  # the newest page only
                                             settle, site=outline, **fronts, **language))
    yield from render_jobs(ctx, article_jobs(site, outline, ctx, whole.translations, language))
    for kind in ("tag", "section", "author"):
        listings = site.terms(kind)
        if not listings:
            continue
        index_url = home + term_index_url(kind)
        index = PageJob("terms.html", output_path(index_url), {
            "page_url": index_url, "kind": kind, "listings": tuple(map(outline_listing, listings)), "site": outline,
            **language})
        yield from render_jobs(ctx, chain([index], *(
            listing_jobs(listing, config.archive_page_size, "listing.html", settle=settle, kind=kind, site=outline,
                         **language)
            for listing in listings)))
    yield from render_jobs(ctx, chain(
        [PageJob("archive.html", output_path(home + "archive/"), {"page_url": home + "archive/", "site": outline,
                                                                  **language})],
        chain.from_iterable(
            listing_jobs(archive.listing, config.archive_page_size, "period.html",
                         {"archive": dataclasses.replace(outline_archive(archive), children=()), "period_calendars": {}},
                         settle,
                         archive=outline_archive(archive), site=outline, **_period_dates(archive, outline), **language)
            for archive in site.archives)))
    yield from render_jobs(ctx, finding_jobs(site, outline, ctx.search_shards.get(site.config.language, ()), language,
                                             settle))


def render_takedowns(site: Site, ctx: RenderContext) -> Iterator[Page | KeptPage]:
    """A notice at the URL of each article taken down (`takedown.html`): its headline, its date,
    and when and why it was taken down; nothing of its text. On a multilingual site each notice is
    in its article's language, with that language's pages around it."""
    if not site.takedowns:
        return
    trees = {tree.config.language: tree for tree in site.language_sites}
    outlines: dict[str, SiteOutline] = {}

    def job(article: Article) -> PageJob:
        language = _takedown_language(site, article)
        if language not in outlines:
            outlines[language] = ship(outline_site(trees[language], site), ctx.shipping)
        context = {"page_url": article.url, "notice": TakedownNotice.of(article), "site": outlines[language]}
        if site.other_languages:
            context["config"] = trees[language].config
        return PageJob("takedown.html", output_path(article.url), context)

    yield from render_jobs(ctx, map(job, site.takedowns))


def _takedown_language(site: Site, article: Article) -> str:
    """The language whose pages an article taken down belongs with (see index/site.py, language_trees)."""
    if not site.other_languages:
        return site.config.language
    return site.config.tree_language(article.lang) or site.config.language


def listing_jobs(listing: Listing, page_size: int, template: str, numbered: dict[str, Any] | None = None,
                 settle: Callable[[str], bool] | None = None, **context: Any) -> Iterator[PageJob | str]:
    """One job per page of listing; the template gets `listing`, `page` and its `page_links`. The newest page gets
    the listing outlined (with its count); numbered pages get its name alone (a ListingName) and
    `numbered` over `context`, so that an added article leaves them as they are. No page holds the
    number of pages: a change in it alters the links of the pages near the newest alone. The
    path alone of a page that `settle` (ChangeDetector.settle) settles."""
    outline, name = outline_listing(listing), name_listing(listing)
    pages = listing.pages(page_size)
    for page in pages:
        path = output_path(page.url)
        if settle is not None and settle(path):
            yield path
            continue
        newest = page.url == listing.url
        yield PageJob(template, path, {
            "page_url": page.url, "listing": outline if newest else name, "page": page,
            "page_links": page_links(page, listing.url, len(pages)), **context,
            **({} if newest else numbered or {})})


def article_jobs(site: Site, outline: SiteOutline, ctx: RenderContext,
                 translations: Mapping[str, tuple[Translation, ...]], language: dict[str, Any]) -> Iterator[PageJob | str]:
    """One page per article, with its newer and older neighbours, related stories, its calendar
    day in other years, the stories of its section nearest to it in time, those two lists
    merged without repeats (`further_reading`), and the versions of its story in the site's
    languages (`translations`, itself included; empty when it has none); the path alone of a
    page the change detector settled."""
    articles = site.articles
    in_section = {article.url: (section, position) for section in site.sections
                  for position, article in enumerate(section.articles)}
    settle = ctx.detector.settle if ctx.detector is not None else None
    for position, article in enumerate(articles):
        path = output_path(article.url)
        if settle is not None and settle(path):
            yield path
            continue
        related = site.related.get(article.url, ())
        nearby = section_nearby(article, *in_section.get(article.url, (None, 0)))
        context = {
            "page_url": article.url, "article": article, "site": outline,
            "newer": articles[position - 1] if position > 0 else None,
            "older": articles[position + 1] if position + 1 < len(articles) else None,
            "related": related, "article_day": _day(article, outline), "section_nearby": nearby,
            "further_reading": further_reading(related, nearby),
            "translations": translation_links(translations.get(article.url, ())), **language,
        }
        yield article_job("article.html", path, context, ctx.bodies)


def _day(article: Article, outline: SiteOutline) -> Any:
    """The on-this-day entry of the article's calendar day, or None for an article dated to a month."""
    if article.precision == "month":
        return None
    return outline.day_of_year(article.published)


def _period_dates(archive: Archive, outline: SiteOutline) -> dict[str, Any]:
    """The calendars a period page shows (its month's, or its year's months') and, for a day, its
    on-this-day entry: given to the page itself, so that it depends on these alone."""
    period = archive.period
    shown = [period] if period.level == "month" else [child for child, _ in archive.children] if period.level == "year" else []
    day = None
    if period.level == "day" and archive.listing.articles:
        day = outline.day_of_year(archive.listing.articles[0].published)
    return {"period_calendars": {p: outline.calendars[p] for p in shown if p in outline.calendars}, "period_day": day}


def finding_jobs(site: Site, outline: SiteOutline, search_shards: tuple[str, ...], language: dict[str, Any],
                 settle: Callable[[str], bool] | None = None) -> Iterator[PageJob | str]:
    """The on-this-day pages and, with `search: true`, the search page (listing the search index's
    shards of its language); the path alone of an on-this-day page that `settle` settles."""
    home = site.home
    if site.on_this_day:
        yield PageJob("on_this_day_index.html", output_path(home + ON_THIS_DAY_URL),
                      {"page_url": home + ON_THIS_DAY_URL, "site": outline, **language})
    yield from chain.from_iterable(
        listing_jobs(day.listing, site.config.archive_page_size, "on_this_day.html", settle=settle,
                     day_of_year=outline.on_this_day[key], site=outline, **language)
        for key, day in site.on_this_day.items())
    if site.config.search:
        yield PageJob("search.html", output_path(home + SEARCH_URL), {"page_url": home + SEARCH_URL, "site": outline,
                                                                      "search_shards": search_shards, **language})


SEARCH_ONLY_ASSETS = frozenset({"search.js"})
"""Built-in theme files only the search page loads: left out with `search: false`."""


def theme_assets(config: SiteConfig, notices: list[str]) -> Iterator[Page]:
    """The theme's files under `static/` (a site's `templates/static/NAME` overrides one by name;
    the built-in search script is left out when search is off).
    A site's `templates/` folder that is a link leading outside the site folder, and links in it
    leading outside it (templates and theme files alike, see SiteTemplates), are skipped with a
    notice unless follow_symlinks; hidden files are skipped, as in `static/`."""
    builtin = builtin_templates_dir() / "static"
    files = {p.name: p for p in builtin.iterdir() if p.is_file() and (config.search or p.name not in SEARCH_ONLY_ASSETS)}
    templates = config.templates_path
    if (target := config.linked_away(templates)) is not None:
        notices.append(f"templates: skipped: a symbolic link to {target}, outside the site folder; the built-in "
                       "theme is used (set follow_symlinks: true to read it)")
    elif templates.is_dir():
        site_static = templates / "static"
        files.update((path.name, path) for path in walk_files(templates, config.follow_symlinks, notices, config.site_dir)
                     if path.parent == site_static)
    for name in sorted(files):
        yield Page(f"static/{name}", files[name].read_bytes())
