"""Page jobs and the render context: each page is a job that names its template, its output
path and its context; jobs render in worker processes when the build has an executor, in
order, a few batches ahead, and a job whose declared inputs are as in the previous build is
not rendered at all (see incremental/detector.py).

An article page's job carries its article without the body, and where the body is (the key of
its parse in the article store, and its file); the worker fetches the body itself. The main
process keeps only small records and receives finished pages.
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from jinja2 import Environment

from newsgen.config import SiteConfig
from newsgen.content.load import parse_file_again
from newsgen.errors import BuildFailed
from newsgen.incremental.detector import ChangeDetector, PageInputs
from newsgen.incremental.store import ArticleStore
from newsgen.model import Article, KeptPage, Page, PageCost
from newsgen.render.pictures import with_body_pictures
from newsgen.cluster import shares_files
from newsgen.render.environment import TemplateReads, ThemeFiles, render_template, template_reads
from newsgen.render.teasers import MEMO_NAME, TeaserMemo
from newsgen.render.workers import run_batches, worker_environment, worker_teasers
from newsgen.shipping import Shipping

BATCH_SIZE = 32
PAGE_KINDS = {"article.html": "article pages", "index.html": "listing pages", "listing.html": "listing pages",
              "period.html": "listing pages", "on_this_day.html": "listing pages", "terms.html": "listing pages",
              "archive.html": "listing pages", "on_this_day_index.html": "listing pages",
              "atom.xml": "feeds", "rss.xml": "feeds", "sitemap.xml": "sitemaps", "sitemap-index.xml": "sitemaps",
              "news-sitemap.xml": "sitemaps", "search.html": "search page"}
"""The kind of page each built-in template makes, in the build's cost table; other pages are `other pages`."""
KIND_ORDER = ("article pages", "listing pages", "other pages", "feeds", "sitemaps", "search page",
              "search index")


class PageCosts:
    """CPU seconds spent on each kind of page during one build, and how many pages."""

    def __init__(self) -> None:
        self._kinds: dict[str, list[float]] = {}

    def add(self, kind: str, seconds: float, pages: int = 1) -> None:
        counted = self._kinds.setdefault(kind, [0, 0.0])
        counted[0] += pages
        counted[1] += seconds

    def add_template(self, template: str, seconds: float) -> None:
        self.add(PAGE_KINDS.get(template, "other pages"), seconds)

    def table(self) -> tuple[PageCost, ...]:
        order = {kind: position for position, kind in enumerate(KIND_ORDER)}
        return tuple(PageCost(kind, int(pages), seconds) for kind, (pages, seconds)
                     in sorted(self._kinds.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))


@dataclass(frozen=True)
class ArticleBodies:
    """Where the bodies of the build's articles are: the store, and each article's key and file by source."""

    store: ArticleStore
    keys: dict[str, str]
    files: dict[str, str]


@dataclass(frozen=True)
class RenderContext:
    """Everything rendering needs besides the site itself, passed explicitly to every step."""

    config: SiteConfig
    now: datetime
    """The build time (for the news sitemap; templates never see it)."""
    env: Environment
    detector: ChangeDetector | None = None
    """Decides which pages to keep; None renders every page."""
    executor: Executor | None = None
    bodies: ArticleBodies | None = None
    """None when articles carry their bodies."""
    shipping: Shipping | None = None
    theme: ThemeFiles | None = None
    """The site's theme files, shipped to workers that do not see the site folder (None: they read it)."""
    search_shards: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """The keys of the search index's shards by language (one key on a single-language site: its
    `language`), newest first (each language's search page lists its own)."""
    costs: PageCosts = field(default_factory=PageCosts, compare=False, repr=False)
    teasers: TeaserMemo = field(default_factory=TeaserMemo, compare=False, repr=False)
    """The teasers this process rendered in this build (see render/teasers.py)."""
    build_id: str = field(default_factory=lambda: secrets.token_hex(8))
    """Names the build to its worker processes, which keep their teasers for one build."""
    _reads: dict[str, TemplateReads] = field(default_factory=dict, compare=False, repr=False)

    def reads(self, template: str) -> TemplateReads:
        """What the template can read (worked out once per build)."""
        known = self._reads.get(template)
        if known is None:
            known = self._reads[template] = template_reads(self.env, template)
        return known


@dataclass(frozen=True)
class BodyRef:
    """Where a worker finds the body of the job's `article`."""

    key: str | None
    file: str | None


@dataclass(frozen=True)
class PageJob:
    template: str
    path: str
    context: dict[str, Any]
    """The template's context: every value the page is made from, with `site` counted for the
    parts its templates use."""
    body: BodyRef | None = None


def article_job(template: str, path: str, context: dict[str, Any], bodies: ArticleBodies | None) -> PageJob:
    """A job for a page showing context["article"] with its body."""
    if bodies is None:
        return PageJob(template, path, context)
    source = context["article"].source
    return PageJob(template, path, context, BodyRef(bodies.keys.get(source), bodies.files.get(source)))


def render_jobs(ctx: RenderContext, jobs: Iterable[PageJob | str]) -> Iterator[Page | KeptPage]:
    """Every job as a Page, or a KeptPage when its inputs are as in the previous build; in job
    order. A job maker may give the path of a page the detector settled (ChangeDetector.settle)
    instead of its job, which it then need not make."""
    bodiless = ctx.bodies is not None  # the main process's articles carry no body: a job's own gets one (BodyRef)

    def decided() -> Iterator[PageJob | str]:
        for job in jobs:
            if isinstance(job, str):
                yield job
                continue
            if ctx.detector is not None:
                if ctx.detector.settle(job.path):
                    yield job.path
                    continue
                reads = ctx.reads(job.template)
                body = (job.context["article"].source if job.body is not None else "") if bodiless else None
                if ctx.detector.unchanged_page(
                        job.path, PageInputs(job.template, job.context, reads.names, reads.digest, body)):
                    yield job.path
                    continue
            yield job

    return _render_decided(ctx, decided())


@dataclass(frozen=True)
class DeclaredJob:
    """A page made from many articles that are cheap to describe and dear to render (a feed):
    `inputs` are the values that decide it, `context()` makes the template's context."""

    template: str
    url: str | None
    path: str
    inputs: dict[str, Any]
    context: Callable[[], dict[str, Any]]


def render_declared_jobs(ctx: RenderContext, jobs: Iterable[DeclaredJob]) -> Iterator[Page | KeptPage]:
    """Every job as a Page, rendered by the build's workers like other pages, or a KeptPage when
    its inputs are as in the previous build (its context is then never made); in job order."""
    def decided() -> Iterator[PageJob | str]:
        for job in jobs:
            if ctx.detector is not None:
                if ctx.detector.settle(job.path):
                    yield job.path
                    continue
                reads = ctx.reads(job.template)
                if ctx.detector.unchanged_page(job.path, PageInputs(job.template, job.inputs, None, reads.digest)):
                    yield job.path
                    continue
            yield PageJob(job.template, job.path, {"page_url": job.url, **job.context()})

    return _render_decided(ctx, decided())


def _render_decided(ctx: RenderContext, decided: Iterable[PageJob | str]) -> Iterator[Page | KeptPage]:
    """The jobs to render as Pages, in batches on the build's workers, and the paths of the pages
    to keep as KeptPages, all in the order given."""
    kept: list[str] = []
    kept_before: dict[str, list[str]] = {}
    """Kept pages that come before a rendered job (by its path), so pages leave in job order."""

    def batches() -> Iterator[list[PageJob]]:
        batch: list[PageJob] = []
        for job in decided:
            if isinstance(job, str):
                kept.append(job)
                continue
            if kept:
                kept_before[job.path] = kept[:]
                kept.clear()
            batch.append(job)
            if len(batch) == BATCH_SIZE:
                yield batch
                batch = []
        if batch:
            yield batch

    store = ctx.bodies.store if ctx.bodies else None
    if store is not None and not shares_files(ctx.executor):  # the bodies go with the jobs
        batches_sent: Iterable[list[PageJob]] = (with_bodies_sent(ctx, batch) for batch in batches())
        store = None
    else:
        batches_sent = batches()
    results = run_batches(ctx.executor, _render_batch, batches_sent, ctx.config, store, ctx.build_id, None, None,
                          ctx.theme, local=lambda batch: _render_batch(batch, ctx.config, store, ctx.build_id,
                                                                       ctx.env, ctx.teasers))
    for batch, (rendered, seconds) in results:
        for job, content, cpu in zip(batch, rendered, seconds):
            ctx.costs.add_template(job.template, cpu)
            yield from _flush(kept_before.pop(job.path, []))
            yield Page(job.path, content)
    yield from _flush(kept)


def render_declared(ctx: RenderContext, template: str, url: str | None, path: str, inputs: dict[str, Any],
                    context: Callable[[], dict[str, Any]]) -> Page | KeptPage:
    """One page like a DeclaredJob's (a sitemap, whose size decides how its entries are split),
    rendered at once in this process, timed by the wall clock (the CPU clock costs more to read
    than a small page to render)."""
    if ctx.detector is not None:
        reads = ctx.reads(template)
        key = ctx.detector.key(PageInputs(template, inputs, None, reads.digest))
        if ctx.detector.unchanged(path, key):
            return KeptPage(path)
    started = time.perf_counter()
    content = render_template(ctx.env, template, {"page_url": url, **context()})
    ctx.costs.add_template(template, time.perf_counter() - started)
    return Page(path, content)


def render_always(ctx: RenderContext, template: str, url: str | None, path: str, **context: Any) -> Page:
    """A small page rendered on every build; the writer keeps its file when the bytes are the same."""
    started = time.perf_counter()
    content = render_template(ctx.env, template, {"page_url": url, **context})
    ctx.costs.add_template(template, time.perf_counter() - started)
    return Page(path, content)


def _flush(kept: list[str]) -> Iterator[KeptPage]:
    for path in kept:
        yield KeptPage(path)
    kept.clear()


def with_bodies_sent(ctx: RenderContext, jobs: list[PageJob]) -> list[PageJob]:
    """The jobs with their articles' bodies (fetched here from the store in one query, see
    with_bodies), for workers that do not see the site's cache."""
    showing = [job for job in jobs if job.body is not None]
    filled = iter(with_bodies(ctx.bodies, [job.context["article"] for job in showing], ctx.config))
    return [PageJob(job.template, job.path, {**job.context, "article": next(filled)}) if job.body is not None else job
            for job in jobs]


def _render_batch(jobs: list[PageJob], config: SiteConfig, store: ArticleStore | None, build_id: str,
                  env: Environment | None = None, teasers: TeaserMemo | None = None,
                  theme: ThemeFiles | None = None) -> tuple[list[bytes], list[float]]:
    """Worker side: fetch the bodies the jobs need, render each page; the pages, and the CPU
    seconds each took: the batch's CPU time shared among its pages by the time each took
    (fetching the bodies shared among the pages that have one). The CPU clock is read once per
    batch: reading it costs far more than reading the wall clock."""
    env = env or worker_environment(config, build_id, theme)
    teasers = teasers or worker_teasers(build_id)
    cpu_started, started = time.thread_time(), time.perf_counter()
    wanted = [job.body.key for job in jobs if job.body is not None and job.body.key]
    records = store.get_many(wanted) if store is not None and wanted else {}
    fetching = (time.perf_counter() - started) / max(1, len(wanted))
    out, seconds = [], []
    for job in jobs:
        started = time.perf_counter()
        context = job.context
        if job.body is not None:
            article = context["article"]
            body = _body(article, job.body, records.get(job.body.key) if job.body.key else None, config)
            context = {**context, "article": dataclasses.replace(article, body_html=body)}
        out.append(render_template(env, job.template, {**context, MEMO_NAME: teasers}))
        seconds.append(time.perf_counter() - started + (fetching if job.body is not None and job.body.key else 0.0))
    cpu, wall = time.thread_time() - cpu_started, sum(seconds)
    return out, [cpu * share / wall if wall else cpu / len(jobs) for share in seconds]


def with_body(ctx: RenderContext, article: Article) -> Article:
    """The article with its body (articles in the main process carry none): for a generator that
    needs one, like a full-text feed."""
    bodies = ctx.bodies
    if bodies is None or article.body_html:
        return article
    ref = BodyRef(bodies.keys.get(article.source), bodies.files.get(article.source))
    record = bodies.store.get_many([ref.key]).get(ref.key) if ref.key else None
    return dataclasses.replace(article, body_html=_body(article, ref, record, ctx.config))


def with_bodies(bodies: ArticleBodies | None, articles: Iterable[Article], config: SiteConfig) -> list[Article]:
    """The articles with their bodies, fetched from the store in one query (for the search indexer)."""
    articles = list(articles)
    if bodies is None:
        return articles
    refs = [BodyRef(bodies.keys.get(article.source), bodies.files.get(article.source)) for article in articles]
    records = bodies.store.get_many({ref.key for ref in refs if ref.key})
    return [article if article.body_html else
            dataclasses.replace(article, body_html=_body(article, ref, records.get(ref.key) if ref.key else None, config))
            for article, ref in zip(articles, refs)]


def _body(article: Article, ref: BodyRef, record: Any, config: SiteConfig) -> str:
    """The body from the store entry (a file can hold many articles), its local pictures in
    picture markup; if the entry is gone or damaged, parse the file again."""
    source = article.source
    if record is None or not any(a.source == source for a in record.articles):
        if ref.file is None:
            raise BuildFailed([f"{source}: cache entry missing; build again with --clean"])
        record = parse_file_again(Path(ref.file), config)
    for found in record.articles:
        if found.source == source:
            return with_body_pictures(found.body_html, article.body_pictures, article.url)
    raise BuildFailed([str(e) for e in record.errors] or [f"{source}: article not found; build again"])
