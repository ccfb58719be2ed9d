"""Index articles into the site's structure: listings by tag, section, author and date, in one pass."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType

from newsgen.config import SiteConfig
from newsgen.errors import BuildFailed
from newsgen.model import (BODY_FIELDS, Archive, Article, DayOfYear, Listing, Period, Redirect, Site, SitePage, Term,
                           Translation, replaced)
from newsgen.index.dates import month_calendars, on_this_day
from newsgen.index.redirects import GENERATED_FILES, UrlHistory, alias_redirects, moved_redirects, term_redirects
from newsgen.index.related import relate_articles
from newsgen.urls import ON_THIS_DAY_URL, SEARCH_URL, output_path, term_index_url, url_collisions

def sort_newest_first(articles: list[Article]) -> list[Article]:
    return sorted(articles, key=lambda a: (-a.published.timestamp(), a.slug, a.source))


def _canonical_terms(articles: list[Article], kind: str) -> tuple[dict[str, Term], list[str]]:
    """One Term per slug; its name is the most used spelling (ties: alphabetical). A tag is shown
    as a heading would name it: its most used spelling with a capital letter, or, when it is only
    ever written in lower case, that spelling with a capital first letter (`trade`: Trade)."""
    spellings: dict[str, Counter] = defaultdict(Counter)
    sample: dict[str, Term] = {}
    for article in articles:
        for term in _terms_of(article, kind):
            spellings[term.slug][term.name] += 1
            sample.setdefault(term.slug, term)
    canonical = {}
    notices = []
    for slug, counter in spellings.items():
        name = _display_spelling(counter) if kind == "tag" else _most_used(counter)
        canonical[slug] = dataclasses.replace(sample[slug], name=name)
        variants = sorted(n for n in counter if n != name)
        if any(n.casefold() != name.casefold() for n in variants):  # case alone is not worth a notice
            notices.append(f"{kind} '{name}' also spelled {', '.join(repr(v) for v in variants)}: shown as one {kind} at {canonical[slug].url}")
    return canonical, notices


def _most_used(spellings: Counter) -> str:
    return sorted(spellings.items(), key=lambda item: (-item[1], item[0]))[0][0]


def _display_spelling(spellings: Counter) -> str:
    capitalised = Counter({name: count for name, count in spellings.items() if not name.islower()})
    if capitalised:
        return _most_used(capitalised)
    name = _most_used(spellings)
    return name[:1].upper() + name[1:]


def _terms_of(article: Article, kind: str) -> tuple[Term, ...]:
    if kind == "tag":
        return article.tags
    if kind == "author":
        return article.authors
    return (article.section,) if article.section else ()


def _with_canonical_terms(article: Article, terms: dict[str, dict[str, Term]]) -> Article:
    tags = tuple(terms["tag"][t.slug] for t in article.tags)
    authors = tuple(terms["author"][t.slug] for t in article.authors)
    section = terms["section"][article.section.slug] if article.section else None
    if tags == article.tags and authors == article.authors and section == article.section:
        return article
    return replaced(article, tags=tags, authors=authors, section=section)


def _check_url_collisions(articles: list[Article]) -> None:
    by_url: dict[str, list[str]] = defaultdict(list)
    for article in articles:
        by_url[article.url].append(article.url_source)
    clashes = [(url, sources) for url, sources in by_url.items() if len(sources) > 1]
    if clashes:
        raise BuildFailed([
            f"{sources[0]}: URL /{url} is also claimed by {', '.join(sorted(sources[1:]))}; "
            "give one of them a different 'slug' or 'date'"
            for url, sources in sorted(clashes)
        ])


def _check_reserved_urls(articles: tuple[Article, ...], reserved: dict[str, str]) -> None:
    """An article whose URL is also a listing or finding page (`tags/`, `archive/`, `2022/08/`,
    `on-this-day/`, `search/`...) would be overwritten by it, or overwrite it: an error naming the
    file, never a silent replacement."""
    clashes = [a for a in articles if a.url in reserved]
    if clashes:
        raise BuildFailed([
            f"{a.url_source}: URL /{a.url} is already the {reserved[a.url]}; give the article a different "
            "'slug', or change 'permalink'"
            for a in sorted(clashes, key=lambda a: a.source)
        ])


def _check_page_urls(pages: tuple[SitePage, ...], articles: tuple[Article, ...], reserved: dict[str, str]) -> None:
    """A page whose URL is an article's, another page's or a listing page's: an error naming both.
    (No two articles share a URL: _check_url_collisions has refused that; only URLs a page claims
    are looked at.)"""
    page_urls = {p.url for p in pages}
    errors = url_collisions([(a.url, a.url_source) for a in articles if a.url in page_urls]
                            + [(p.url, p.source) for p in pages])
    errors += [f"{p.source}: URL /{p.url} is already the {reserved[p.url]}; give the page a different 'slug'"
               for p in sorted(pages, key=lambda p: p.source) if p.url in reserved]
    if errors:
        raise BuildFailed(errors)


def _listing_urls(listings: tuple[Listing, ...], page_size: int, what: str) -> dict[str, str]:
    return {page.url: f"{what} '{listing.title}'" for listing in listings for page in listing.pages(page_size)}


def _archives(articles: list[Article], config: SiteConfig, root: str = "") -> list[Archive]:
    zone = config.zone
    by_date: dict[tuple[int, int | None, int | None], list[Article]] = defaultdict(list)
    for article in articles:  # already newest first, so each group is too
        local = article.published.astimezone(zone)
        year, month = local.year, local.month
        by_date[(year, None, None)].append(article)
        by_date[(year, month, None)].append(article)
        if article.precision != "month":
            by_date[(year, month, local.day)].append(article)
    groups = {Period(year, month, day, root=root): members for (year, month, day), members in by_date.items()}
    by_level: dict[str, list[Period]] = defaultdict(list)
    children: dict[Period, list[tuple[Period, int]]] = defaultdict(list)
    for period in sorted(groups, key=lambda p: (p.year, p.month or 0, p.day or 0), reverse=True):
        by_level[period.level].append(period)
        if period.month is not None:
            parent = Period(period.year, root=root) if period.day is None else Period(period.year, period.month, root=root)
            children[parent].append((period, len(groups[period])))
    archives = []
    for level in ("year", "month", "day"):
        periods = by_level[level]
        for position, period in enumerate(periods):
            archives.append(Archive(
                period=period,
                listing=Listing(period.url, period.label, tuple(groups[period])),
                children=tuple(sorted(children[period], key=lambda c: (c[0].month or 0, c[0].day or 0))),
                previous=periods[position + 1] if position + 1 < len(periods) else None,
                next=periods[position - 1] if position > 0 else None,
            ))
    return archives


Relate = Callable[..., Mapping[str, tuple[Article, ...]]]
"""relate_articles, or one like it: (articles, count), and the prefix of their language's pages
(`es/`) when they are under one."""


def _related(articles: Sequence[Article], count: int, home: str = "") -> Mapping[str, tuple[Article, ...]]:
    """relate_articles as a Relate: the prefix of a language's pages changes nothing it finds
    (cached_related keeps each language's result apart by it)."""
    return relate_articles(articles, count)


def index_site(articles: list[Article], config: SiteConfig, relate: Relate = _related,
               pages: tuple[SitePage, ...] = (), static_files: tuple[str, ...] = (),
               history: UrlHistory = MappingProxyType({})) -> Site:
    """Group articles by tag, section, author, year, month and day; newest first everywhere.
    `relate` finds related stories (stages.py passes one that keeps its result in the cache).
    `pages` (the site's pages) are checked for URL clashes and kept as they are. The aliases of
    articles and pages become redirects, checked against every page and `static_files` (the
    output paths of the site's static files), and so do the earlier URLs in `history` (the
    site's URL history) of the articles and pages published now. Articles taken down keep their
    URL (for a notice) and are left out of everything else, automatic redirects included.

    On a multilingual site (`languages`), each language gets its own Site, its URLs under its
    prefix (see language_trees); the default language's Site holds the others and the
    translations of each story (`translation_key:`)."""
    notices: list[str] = []
    trees = language_trees(articles, config, notices)
    every = [article for tree in trees.values() for article in tree]
    _check_url_collisions(every)
    taken_down = tuple(sorted((a for a in every if a.takedown is not None), key=lambda a: a.url))
    reserved: dict[str, str] = {}
    sites = []
    for language, tree in trees.items():
        published = [a for a in tree if a.takedown is None]
        site, tree_reserved = _language_site(published, config.for_language(language), config.language_root(language),
                                             relate)
        sites.append(site)
        notices += site.notices
        reserved.update(tree_reserved)
    translations = {**translations_of(sites, notices), **front_pages_of(sites)} if config.multilingual else {}
    site = dataclasses.replace(sites[0], notices=tuple(notices), pages=pages, takedowns=taken_down,
                               other_languages=tuple(sites[1:]), translations=MappingProxyType(translations))
    every_article = (*site.every_article, *taken_down)
    _check_reserved_urls(every_article, reserved)
    _check_page_urls(pages, every_article, reserved)
    return _with_redirects(site, reserved, static_files, history)


def language_trees(articles: list[Article], config: SiteConfig, notices: list[str]) -> dict[str, list[Article]]:
    """The articles of each configured language, in `languages` order, each with its URLs (its own
    and its tags', section's and authors') under its language's prefix; on a single-language site,
    every article in the site's language. An article whose `lang:` is not one of the site's
    languages goes with the default language, and gets a line in `notices`."""
    if not config.multilingual:
        return {config.language: list(articles)}
    trees: dict[str, list[Article]] = {language: [] for language in config.languages}
    default = config.languages[0]
    for article in articles:
        language = config.tree_language(article.lang)
        if language is None:
            notices.append(f"{article.source}: lang '{article.lang}' is not one of the site's languages "
                           f"({', '.join(config.languages)}); the article is published with the {default} pages")
            language = default
        root = config.language_root(language)
        trees[language].append(_under(article, root) if root else article)
    return trees


def _under(article: Article, root: str) -> Article:
    """The article with its URL and its terms' URLs under a language's prefix (`es/`)."""
    def moved(term: Term) -> Term:
        return dataclasses.replace(term, url=root + term.url)
    return dataclasses.replace(article, url=root + article.url, tags=tuple(map(moved, article.tags)),
                               section=moved(article.section) if article.section else None,
                               authors=tuple(map(moved, article.authors)))


def translations_of(sites: Sequence[Site], notices: list[str]) -> dict[str, tuple[Translation, ...]]:
    """Article URL -> the versions of its story in each language (`translation_key:`), itself
    included, in `languages` order; for articles that have at least one other version. Lines in
    `notices` name the files of a key that two articles of one language share (the newest is
    linked) and of a key given to an article whose `lang:` is not one of the site's languages
    (not linked)."""
    stories: dict[str, dict[str, Article]] = defaultdict(dict)
    unlinked: dict[str, list[Article]] = defaultdict(list)
    for site in sites:
        language = site.config.language
        for article in site.articles:
            key = article.translation_key
            if not key:
                continue
            if site.config.tree_language(article.lang) is None:
                unlinked[key].append(article)
                continue
            versions = stories[key]
            if language in versions:
                notices.append(f"{article.source}: translation_key '{key}' is also the key of "
                               f"{versions[language].source}, in the same language ({language}); a story has one "
                               f"version per language: only {versions[language].source} is linked")
                continue
            versions[language] = article
    for key, articles in sorted(unlinked.items()):
        others = [a.source for a in stories.get(key, {}).values()]
        for article in articles:
            notices.append(f"{article.source}: translation_key '{key}' links it to "
                           f"{', '.join(others) if others else 'no other article'}, but its lang '{article.lang}' is "
                           f"not one of the site's languages ({', '.join(sites[0].config.languages)}): not linked")
    order = {site.config.language: position for position, site in enumerate(sites)}
    translations: dict[str, tuple[Translation, ...]] = {}
    for versions in stories.values():
        if len(versions) < 2:
            continue
        linked = tuple(Translation(language, article.url, article.title)
                       for language, article in sorted(versions.items(), key=lambda item: order[item[0]]))
        for article in versions.values():
            translations[article.url] = linked
    return translations


def front_pages_of(sites: Sequence[Site]) -> dict[str, tuple[Translation, ...]]:
    """Each language's front page URL -> every language's front page: the versions of the front page."""
    fronts = tuple(Translation(site.config.language, site.home, site.config.title) for site in sites)
    return {site.home: fronts for site in sites}


def _language_site(ordered_input: list[Article], config: SiteConfig, home: str,
                   relate: Relate) -> tuple[Site, dict[str, str]]:
    """One language's Site (the whole site's, on a single-language site) with its pages under
    `home`, and the URLs of its listing and finding pages (what each is, for messages)."""
    terms: dict[str, dict[str, Term]] = {}
    notices: list[str] = []
    for kind in ("tag", "section", "author"):
        terms[kind], kind_notices = _canonical_terms(ordered_input, kind)
        notices += kind_notices
    ordered = sort_newest_first([_with_canonical_terms(a, terms) for a in ordered_input])

    members: dict[str, dict[str, list[Article]]] = {k: defaultdict(list) for k in terms}
    for article in ordered:
        for kind in terms:
            for term in _terms_of(article, kind):
                members[kind][term.slug].append(article)

    def listings(kind: str) -> tuple[Listing, ...]:
        return tuple(
            Listing(term.url, term.name, tuple(members[kind][slug]), term)
            for slug, term in sorted(terms[kind].items(), key=lambda item: (item[1].name.casefold(), item[0]))
        )

    archives = tuple(_archives(ordered, config, home))
    site = Site(
        config=config,
        articles=tuple(ordered),
        front=Listing(home, config.title, tuple(ordered)),
        tags=listings("tag"),
        sections=listings("section"),
        authors=listings("author"),
        archives=archives,
        notices=tuple(notices),
        related=relate(ordered, config.related_count, home) if home else relate(ordered, config.related_count),
        calendars=month_calendars(archives),
        on_this_day=on_this_day(ordered, config.zone, home),
        home=home,
    )
    reserved = {home + "archive/": "archive index page", **_listing_urls((site.front,), config.page_size, "front page")}
    for kind in terms:
        if site.terms(kind):
            reserved[home + term_index_url(kind)] = f"{kind} index page"
        reserved.update(_listing_urls(site.terms(kind), config.archive_page_size, f"page of the {kind}"))
    reserved.update(_listing_urls(tuple(a.listing for a in site.archives), config.archive_page_size, "archive page"))
    if config.search:
        reserved[home + SEARCH_URL] = "search page"
    if site.on_this_day:
        reserved[home + ON_THIS_DAY_URL] = "on-this-day index page"
    reserved.update(_listing_urls(tuple(day.listing for day in site.on_this_day.values()), config.archive_page_size,
                                  "page"))
    return site, reserved


def _with_redirects(site: Site, reserved: dict[str, str], static_files: tuple[str, ...], history: UrlHistory) -> Site:
    """The site with the redirects of its aliases and of the earlier URLs in its history of the
    articles (not taken down) and pages it publishes, of the URLs its listings have with `unicode`
    slugs (term_redirects), and a line per URL that changed."""
    owners = (*site.every_article, *site.takedowns, *site.pages)
    claimed = {name: f"the file {name} newsgen writes" for name in GENERATED_FILES}
    claimed.update({tree.home + name: f"the file {tree.home + name} newsgen writes"
                    for tree in site.other_languages for name in ("feed.xml", "rss.xml")})
    claimed.update({path: f"the file static/{path}" for path in static_files})
    claimed.update({output_path(url): f"the {what}" for url, what in reserved.items()})
    claimed.update({output_path(item.url): item.source for item in owners})
    redirects = alias_redirects([(item.source, item.url, item.aliases) for item in owners], claimed)
    moved, changes = moved_redirects(
        history, [(a.identity, a.source, a.url) for a in site.every_article] + [(p.source, p.source, p.url) for p in site.pages],
        [*claimed, *(output_path(r.url) for r in redirects)])
    if site.config.slug_script == "ascii":
        moved += term_redirects([listing for tree in site.language_sites for listing in (*tree.tags, *tree.sections, *tree.authors)],
                                site.config.archive_page_size,
                                [*claimed, *(output_path(r.url) for r in redirects + moved)])
    if site.home:  # default_language_in_subdir: the site root leads to the default language's front page
        moved.append(Redirect("", site.home, f"the {site.config.language} front page"))
    return dataclasses.replace(site, redirects=tuple(sorted(redirects + moved, key=lambda r: r.url)),
                               url_changes=tuple(changes))


def with_bodies(site: Site, records: Mapping[str, Article]) -> Site:
    """The site as index_site makes it from its articles with those in `records` (by source)
    edited in their body alone: each record of those articles, wherever the site holds it, with
    its BODY_FIELDS taken from `records`. Nothing of the index reads those fields (see
    BODY_FIELDS), so listings, archives, related stories and the rest stand as they are; a
    listing that holds none of those articles is kept as it is."""
    if not records:
        return site
    made: dict[int, Article] = {}

    def record(article: Article) -> Article:
        new = made.get(id(article))
        if new is None:
            body = records.get(article.source)
            new = made[id(article)] = article if body is None else replaced(
                article, **{name: getattr(body, name) for name in BODY_FIELDS})
        return new

    def articles(items: tuple[Article, ...]) -> tuple[Article, ...]:
        return tuple(map(record, items)) if any(article.source in records for article in items) else items

    def listing(item: Listing) -> Listing:
        held = articles(item.articles)
        return item if held is item.articles else dataclasses.replace(item, articles=held)

    def holder(item: Archive | DayOfYear) -> Archive | DayOfYear:
        held = listing(item.listing)
        return item if held is item.listing else dataclasses.replace(item, listing=held)

    return dataclasses.replace(
        site, articles=articles(site.articles), front=listing(site.front), tags=tuple(map(listing, site.tags)),
        sections=tuple(map(listing, site.sections)), authors=tuple(map(listing, site.authors)),
        archives=tuple(map(holder, site.archives)), takedowns=articles(site.takedowns),
        related=MappingProxyType({url: articles(others) for url, others in site.related.items()}),
        on_this_day=MappingProxyType({day: holder(item) for day, item in site.on_this_day.items()}),
        other_languages=tuple(with_bodies(tree, records) for tree in site.other_languages))


def newest_time(articles: tuple[Article, ...]) -> datetime | None:
    """The latest modification among articles: a listing's content date."""
    return max((a.modified for a in articles), default=None)


