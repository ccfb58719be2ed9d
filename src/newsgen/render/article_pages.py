"""Article pages, rendered in worker processes when the build has an executor.

An article page needs only its article, the newer and older articles, the config and a small
outline of the site, so each job ships those (articles without their bodies) plus the key of
the article's cache entry; the worker fetches the body from the cache itself. The parent keeps
only small records and receives finished pages, in a fixed order, a few batches at a time.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from jinja2 import Environment

from newsgen.incremental.store import ArticleStore
from newsgen.config import SiteConfig
from newsgen.errors import BuildFailed
from newsgen.model import Site
from newsgen.incremental.detector import PageMemo, Trace
from newsgen.model import Article, KeptPage, Page
from newsgen.render.outlines import SiteOutline, outline_site
from newsgen.urls import output_path
from newsgen.render.workers import run_batches, ship, worker_environment

BATCH_SIZE = 64


@dataclass(frozen=True)
class ArticleSource:
    """Where workers find full articles: the store and each article's key and file, by source."""

    store: ArticleStore
    keys: dict[str, str]
    files: dict[str, str]


@dataclass(frozen=True)
class ArticleJob:
    path: str
    article: Article
    """Without its body when `key` is set; the worker fetches it."""
    key: str | None
    file: str | None
    newer: Article | None
    older: Article | None
    related: tuple[Article, ...] = ()
    day: Any = None
    """The on-this-day entry of the article's calendar day (`article_day`), or None."""


def render_article_pages(site: Site, env: Environment, outline: SiteOutline | None = None) -> Iterator[Page | KeptPage]:
    """One page per article, with links to the newer and older article; `site` is outlined."""
    memo: PageMemo | None = getattr(env, "newsgen_memo", None)
    source: ArticleSource | None = getattr(env, "newsgen_articles", None)
    executor: Executor | None = getattr(env, "newsgen_executor", None)
    config: SiteConfig = env.newsgen_config  # type: ignore[attr-defined]
    outline = outline or ship(env, outline_site(site))
    articles = site.articles
    jobs: list[ArticleJob] = []
    kept: list[str] = []
    kept_before: dict[int, list[str]] = {}
    """Kept pages that come before a rendered job (by its index), so pages leave in site order."""
    for position, article in enumerate(articles):
        newer = articles[position - 1] if position > 0 else None
        older = articles[position + 1] if position + 1 < len(articles) else None
        path = output_path(article.url)
        related = site.related.get(article.url, ())
        day = _day(article, outline)
        if memo is not None and memo.unchanged(path, "article.html",
                                               _inputs(article, newer, older, outline, config, related, day)):
            kept.append(path)
            continue
        if kept:
            kept_before[len(jobs)] = kept
            kept = []
        key = source.keys.get(article.source) if source else None
        jobs.append(ArticleJob(path, article, key, source.files.get(article.source) if source else None, newer, older,
                               related, day))

    batches = [jobs[i:i + BATCH_SIZE] for i in range(0, len(jobs), BATCH_SIZE)]
    store = source.store if source else None
    results = run_batches(executor, _render_batch, batches, config, outline, store,
                          local=lambda batch: _render_batch(batch, config, outline, store, env))
    number = 0
    for batch, rendered in results:
        for job, (content, trace) in zip(batch, rendered):
            for kept_path in kept_before.pop(number, ()):
                yield KeptPage(kept_path)
            number += 1
            if memo is not None:
                memo.record(job.path, "article.html", _inputs(job.article, job.newer, job.older, outline, config,
                                                                     job.related, job.day), trace)
            yield Page(job.path, content)
    for kept_path in kept:
        yield KeptPage(kept_path)


def with_body(env: Environment, article: Article) -> Article:
    """The article with its body. In the main process articles carry no body (`body_html` is
    empty; bodies stay in the cache): a generator that needs one, like a full-text feed, asks here."""
    source: ArticleSource | None = getattr(env, "newsgen_articles", None)
    if source is None or article.body_html:
        return article
    key = source.keys.get(article.source)
    record = source.store.get_many([key]).get(key) if key else None
    job = ArticleJob("", article, key, source.files.get(article.source), None, None)
    return dataclasses.replace(article, body_html=_body(job, record, env.newsgen_config))  # type: ignore[attr-defined]


def _day(article: Article, outline: SiteOutline) -> Any:
    """The article's calendar day for the on-this-day link: given to its page on its own, so the
    page depends on that day's entry, not on every day's (as `site.day_of_year` would)."""
    if article.precision == "month" or outline.day_of_year is None:
        return None
    return outline.day_of_year(article.published)


def _inputs(article: Article, newer: Article | None, older: Article | None, outline: SiteOutline,
            config: SiteConfig, related: tuple[Article, ...] = (), day: Any = None) -> dict[str, Any]:
    return {"page_url": article.url, "article": article, "newer": newer, "older": older,
            "related": related, "site": outline, "config": config, "article_day": day}


def _render_batch(jobs: list[ArticleJob], config: SiteConfig, outline: SiteOutline,
                  store: ArticleStore | None, env: Environment | None = None) -> list[tuple[bytes, Trace]]:
    """Worker side: fetch each article's body, render its page."""
    from newsgen.render.environment import render_traced

    env = env or worker_environment(config)
    wanted = [job.key for job in jobs if job.key]
    records = store.get_many(wanted) if store is not None and wanted else {}
    out = []
    for job in jobs:
        article = job.article
        if job.key:
            article = dataclasses.replace(article, body_html=_body(job, records.get(job.key), config))
        context = {"page_url": article.url, "article": article, "newer": job.newer, "older": job.older,
                   "related": job.related, "site": outline, "article_day": job.day}
        out.append(render_traced(env, "article.html", context))
    return out


def _body(job: ArticleJob, record: Any, config: SiteConfig) -> str:
    """The body from the cache entry (a file can hold many articles); if the entry is gone or
    damaged, parse the file again."""
    from newsgen.content.load import parse_file_again

    source = job.article.source
    if record is None or not any(a.source == source for a in record.articles):
        if job.file is None:
            raise BuildFailed([f"{source}: cache entry missing; build again with --clean"])
        record = parse_file_again(Path(job.file), config)
    for article in record.articles:
        if article.source == source:
            return article.body_html
    raise BuildFailed([str(e) for e in record.errors] or [f"{source}: article not found; build again"])
