"""Search index size and query download size for the Reuters-21578 corpus (21,578 articles).

    .venv/bin/python benchmarks/search_size.py [--limit N] [--keep DIR] [--no-browser]

1. Converts ../shared/corpora/reuters21578/articles.jsonl to front-matter Markdown files in a
   temporary folder under /tmp (never committed; the corpus is a test input only). Tags are the
   record's topics, places, people, organisations and exchanges.
2. Builds the site with newsgen (search on: the index in shards, see write/search.py) and times
   the whole build, the related-stories computation, and the rebuild after one article's body is
   edited in the middle of the archive (Pagefind indexes that article's shard again).
3. Prints the size of pagefind/ by kind of file, and the number of shards.
4. Serves the site on 127.0.0.1 under /news/ (counting the files sent) and, in a fresh headless Chromium per query,
   types typical queries on the search page and sums the bytes each one downloads from
   pagefind/ (entry, engine, metadata, filters, index chunks, fragments, the best-match index), as
   a phone would: newest first (shards searched newest first until ten results), then, in another
   fresh browser, in the default order, best match (the best-match index, write/best_match.py). The time is from the keystroke to the
   results shown, the search page's 250 ms typing pause included.

Needs Debian's Chromium for step 4 (`--no-browser` skips it).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpora" / "reuters21578" / "articles.jsonl"
sys.path.insert(0, str(REPO / "tests"))  # the CDP driver of the browser tests

from newsgen.build import build  # noqa: E402
from newsgen.config import load_config, reference_time  # noqa: E402
from newsgen.index.site import index_site  # noqa: E402
from newsgen.content.load import load_articles  # noqa: E402
from newsgen.index.related import relate_articles  # noqa: E402
from newsgen.serve.server import SiteRequestHandler  # noqa: E402

QUERIES = ["oil", "cocoa", "interest rates", "bank of japan", "takeover bid", "zinc"]


def write_corpus(content: Path, limit: int | None) -> int:
    """One Markdown file with YAML front matter per JSON record; returns the count."""
    content.mkdir(parents=True)
    count = 0
    with CORPUS.open(encoding="utf-8") as lines:
        for line in lines:
            if limit is not None and count >= limit:
                break
            record = json.loads(line)
            body = record["body"].strip() or record["title"].strip() or "(no text)"
            tags = [*record["tags"], *record["places"], *record["people"], *record["orgs"], *record["exchanges"]]
            meta = {
                "title": record["title"].strip().title() or body.split("\n")[0][:80],
                "date": record["date"],
                "slug": record["id"],
                "tags": list(dict.fromkeys(tags)),
            }
            header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
            (content / f"{record['id']}.md").write_text(f"---\n{header}---\n{body}\n", encoding="utf-8")
            count += 1
    return count


BEST_KINDS = {"s": "best-stems", "w": "best-words", "d": "best-articles"}


def file_kind(name: Path) -> str:
    """The kind of a file of pagefind/, by its path in it (an older shard's files are in `<key>/`;
    the best-match index is `best.json` and the files in `best-<digest>/`)."""
    if name.parts[0].startswith("best"):
        return BEST_KINDS.get(name.name.split("-")[0], "best") if len(name.parts) > 1 else "best"
    if len(name.parts) > 1 and name.parts[0] not in ("index", "fragment", "filter"):
        name = Path(*name.parts[1:])
    if len(name.parts) > 1:
        return name.parts[0]
    return {".pf_meta": "meta", ".pagefind": "wasm", ".json": "entry"}.get(name.suffix, "scripts")


def folder_sizes(bundle: Path) -> dict[str, tuple[int, int]]:
    """(files, bytes) per kind: fragments, word index chunks, filters, metadata, engine and scripts."""
    kinds: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path in bundle.rglob("*"):
        if path.is_file():
            kind = file_kind(path.relative_to(bundle))
            kinds[kind][0] += 1
            kinds[kind][1] += path.stat().st_size
    return {kind: (files, size) for kind, (files, size) in sorted(kinds.items())}


class CountingHandler(SiteRequestHandler):
    """The preview server's handler, noting each file it sends (Pagefind fetches some from a worker,
    which the page's own network log does not show; the server sees every request)."""

    sent: list[str] = []

    def log_request(self, code="-", size="-") -> None:
        if str(code) == "200":
            CountingHandler.sent.append(self.translate_path(self.path))


def pagefind_bytes(out: Path) -> dict[str, int]:
    """Bytes per kind of Pagefind file sent since the last call: index, fragment, filter, js, wasm..."""
    by_kind: dict[str, int] = defaultdict(int)
    bundle = out.resolve() / "pagefind"
    for sent in CountingHandler.sent:
        path = Path(sent)
        if path.is_file() and path.is_relative_to(bundle):
            by_kind[file_kind(path.relative_to(bundle))] += path.stat().st_size
    CountingHandler.sent.clear()
    return dict(by_kind)


def measure_queries(out: Path) -> list[tuple]:
    """(query, order, status, ms, start-up, query and filter-panel bytes by kind) per query and order,
    each in a fresh browser."""
    from browser import Browser

    handler = functools.partial(CountingHandler, directory=str(out), base_path="/news/")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}/news/"
    rows = []
    try:
        for query in QUERIES:
            for order in ("newest", ""):  # "": best match, the default
                with Browser(timeout=120) as browser:  # a new, empty profile: nothing cached from the last query
                    CountingHandler.sent.clear()
                    browser.navigate(base + "search/" + (f"?sort={order}" if order else ""))
                    browser.wait_for("!document.querySelector('.search-filters').hidden")
                    time.sleep(0.3)
                    start_up = pagefind_bytes(out)
                    started = time.perf_counter()
                    browser.type_text("#search-query", query)
                    status = browser.wait_for("(t => (t.includes('found') || t.startsWith('Best')) && t)"
                                              "(document.querySelector('[data-search-status]').textContent)")
                    ms = (time.perf_counter() - started) * 1000
                    time.sleep(0.3)
                    fetched = pagefind_bytes(out)
                    browser.evaluate("document.querySelector('.search-filters').open = true")
                    browser.wait_for("document.querySelectorAll('#search-tag option').length > 1")
                    time.sleep(0.3)
                    listed = browser.evaluate("document.querySelectorAll('[data-search-results] li').length")
                    counted = re.search(r"[0-9][0-9,]*", status)
                    found = f"{counted.group()} found" if counted else "ranked"
                    rows.append((query, order or "best", f"{listed} shown, {found}", ms,
                                 start_up, fetched, pagefind_bytes(out)))
    finally:
        server.shutdown()
        server.server_close()
    return rows


def kilobytes(by_kind: dict[str, int]) -> str:
    return ", ".join(f"{kind} {size / 1e3:.1f}" for kind, size in sorted(by_kind.items()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, help="only the first N articles")
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: a temporary folder, removed)")
    parser.add_argument("--no-browser", action="store_true", help="skip the query download measurement")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="newsgen-search-bench-", dir="/tmp"))
    try:
        site = work / "site"
        started = time.perf_counter()
        count = write_corpus(site / "content", args.limit)
        print(f"corpus: {count} articles as Markdown in {time.perf_counter() - started:.1f} s")
        output = str(args.keep.resolve()) if args.keep else "public"
        config = load_config(site, {"output_dir": output, "base_url": "https://example.org/news/"})

        started = time.perf_counter()
        report = build(config)
        print(f"build with search: {report.articles} articles, {report.pages_written} pages in {report.seconds:.1f} s")
        out = config.output_path
        print(f"search index: {report.search_shards_indexed} shards indexed by Pagefind")
        middle = sorted((site / "content").iterdir())[count // 2]
        middle.write_text(middle.read_text(encoding="utf-8") + "\nA sentence added for the benchmark.\n",
                          encoding="utf-8")
        edited = build(config)
        print(f"rebuild after one body edited: {edited.seconds:.1f} s, {edited.pages_written} pages written,"
              f" {edited.search_shards_indexed} shard(s) indexed, {edited.search_shards_reused} reused")
        articles = load_articles(config, reference_time(), None).articles
        ordered = index_site(articles, config).articles
        for share in (4, 2, 1):  # about linear: a quarter of the articles should take about a quarter of the time
            subset = ordered[:len(ordered) // share]
            started = time.perf_counter()
            related = relate_articles(subset, config.related_count)
            print(f"related stories for {len(subset)} articles ({len(related)} get some):"
                  f" {time.perf_counter() - started:.2f} s")

        bundle = out / "pagefind"
        sizes = folder_sizes(bundle)
        total = sum(size for _files, size in sizes.values())
        shards = 1 + sum(1 for p in bundle.iterdir() if (p / "pagefind-entry.json").is_file())
        print(f"\nindex size: pagefind/ holds {shards} shards, {sum(f for f, _ in sizes.values())} files,"
              f" {total / 1e6:.2f} MB")
        for kind, (files, size) in sizes.items():
            print(f"  {kind:12} {files:6} files {size / 1e3:10.1f} kB  (mean {size / files / 1e3:.1f} kB)")

        scripts = [bundle / "pagefind.js", bundle / "pagefind-worker.js", out / "static" / "search.js"]
        print("  scripts a query needs, raw / gzip -9 (as a static host would serve them): " + ", ".join(
            f"{p.name} {p.stat().st_size / 1e3:.1f} / {len(gzip.compress(p.read_bytes(), 9)) / 1e3:.1f} kB"
            for p in scripts))

        if not args.no_browser:
            print("\nquery downloads, kB fetched from pagefind/ (headless Chromium, new profile per query, uncompressed"
                  " HTTP): opening the search page, then typing one query (first 10 results):")
            for query, order, found, ms, start_up, fetched, panel in measure_queries(out):
                first, then = sum(start_up.values()), sum(fetched.values())
                print(f"  {query!r:16} {order:6} {found:>20} in {ms:5.0f} ms: start-up {first / 1e3:6.1f} kB"
                      f" ({kilobytes(start_up)}) + query {then / 1e3:6.1f} kB ({kilobytes(fetched)})"
                      f" = {(first + then) / 1e3:.1f} kB; then opening the filters: {sum(panel.values()) / 1e3:.1f} kB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
