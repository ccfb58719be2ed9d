"""Time feeds and sitemaps against the rest of rendering on a generated site.

usage: python benchmarks/bench_feeds_sitemaps.py [ARTICLES]   (default 5000)
Prints seconds for render_site, render_feeds and the sitemaps, and the files and bytes each makes.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from newsgen.config import load_config, reference_time
from newsgen.render.feeds import render_feeds
from newsgen.index.site import index_site
from newsgen.content.load import load_articles
from newsgen.render.environment import make_environment
from newsgen.render.jobs import RenderContext
from newsgen.render.site import render_site
from newsgen.render.sitemaps import render_sitemaps
from newsgen.urls import page_url_for_path

TAGS = ["economy", "oil", "trade", "elections", "climate", "health", "sport", "courts", "energy", "farming"]


def write_site(root: Path, count: int) -> None:
    content = root / "content"
    content.mkdir(parents=True)
    for n in range(count):
        year, day = 2000 + n % 20, n % 365
        month, mday = 1 + day // 31 % 12, 1 + day % 28
        tags = ", ".join(TAGS[(n + k) % len(TAGS)] for k in range(3))
        (content / f"a{n:06d}.md").write_text(
            f"---\ntitle: Report number {n}\ndate: {year}-{month:02d}-{mday:02d}T{n % 24:02d}:00:00+00:00\n"
            f"tags: [{tags}]\nsection: s{n % 7}\nauthors: [Writer {n % 40}]\n---\n"
            f"Paragraph one of report {n} with a [link](../x/).\n\nParagraph two.\n", encoding="utf-8")


def timed(label: str, pages) -> list:
    started = time.perf_counter()
    result = list(pages)
    print(f"{label:<14} {time.perf_counter() - started:7.2f} s  {len(result):6d} files  "
          f"{sum(len(p.content) for p in result) / 1e6:8.1f} MB")
    return result


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    with tempfile.TemporaryDirectory() as folder:
        write_site(Path(folder), count)
        config = load_config(Path(folder), {"workers": 1, "feed_rss": True, "feed_full_content": True})
        site = index_site(load_articles(config, reference_time(), None).articles, config)
        ctx = RenderContext(config, reference_time(), make_environment(config))
        print(f"{count} articles")
        pages = timed("render_site", render_site(site, ctx))
        timed("render_feeds", render_feeds(site, ctx))
        urls = [page_url_for_path(p.path) for p in pages if p.path.endswith(".html") and p.path != "404.html"]
        timed("sitemaps", render_sitemaps(site, ctx, urls))


if __name__ == "__main__":
    main()
