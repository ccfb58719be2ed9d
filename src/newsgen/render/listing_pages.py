"""Listing pages (front page, tags, sections, authors, periods) as jobs, rendered in worker
processes when the build has an executor, else here; in order, a few batches ahead.

Each job is a template, an output path and a context of small records: the page of articles
(without bodies) and outlines of the listing and the site (see outlines.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from jinja2 import Environment

from newsgen.config import SiteConfig
from newsgen.model import Listing
from newsgen.incremental.detector import PageMemo, Trace
from newsgen.model import KeptPage, Page
from newsgen.render.outlines import outline_listing
from newsgen.urls import output_path
from newsgen.render.workers import run_batches, worker_environment

BATCH_SIZE = 32


@dataclass(frozen=True)
class PageJob:
    template: str
    path: str
    context: dict[str, Any]


def listing_jobs(listing: Listing, page_size: int, template: str, **context: Any) -> Iterator[PageJob]:
    """One job per page of listing; the template gets `listing` (outlined) and `page`."""
    outline = outline_listing(listing)
    for page in listing.pages(page_size):
        yield PageJob(template, output_path(page.url), {"page_url": page.url, "listing": outline, "page": page, **context})


def render_jobs(env: Environment, jobs: Iterable[PageJob]) -> Iterator[Page | KeptPage]:
    """Render every job whose inputs changed (all of them without a memo), in order."""
    memo: PageMemo | None = getattr(env, "newsgen_memo", None)
    executor = getattr(env, "newsgen_executor", None)
    config: SiteConfig = env.newsgen_config  # type: ignore[attr-defined]
    kept: list[str] = []
    kept_before: dict[int, list[str]] = {}
    """Kept pages that come before a rendered job (by id), so pages leave in job order."""

    def batches() -> Iterator[list[PageJob]]:
        batch: list[PageJob] = []
        for job in jobs:
            if memo is not None and memo.unchanged(job.path, job.template, {**job.context, "config": config}):
                kept.append(job.path)
                continue
            if kept:
                kept_before[id(job)] = kept[:]
                kept.clear()
            batch.append(job)
            if len(batch) == BATCH_SIZE:
                yield batch
                batch = []
        if batch:
            yield batch

    results = run_batches(executor, _render_batch, batches(), config,
                          local=lambda batch: _render_batch(batch, config, env))
    for batch, rendered in results:
        for job, (content, trace) in zip(batch, rendered):
            yield from _flush(kept_before.pop(id(job), []))
            if memo is not None:
                memo.record(job.path, job.template, {**job.context, "config": config}, trace)
            yield Page(job.path, content)
    yield from _flush(kept)


def _flush(kept: list[str]) -> Iterator[KeptPage]:
    for path in kept:
        yield KeptPage(path)
    kept.clear()


def _render_batch(jobs: list[PageJob], config: SiteConfig, env: Environment | None = None) -> list[tuple[bytes, Trace]]:
    from newsgen.render.environment import render_traced

    env = env or worker_environment(config)
    return [render_traced(env, job.template, job.context) for job in jobs]
