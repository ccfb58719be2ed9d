"""Search: a Pagefind index cut into shards by date, made from the articles before the site goes live.

Pagefind (from PyPI: `pagefind[bin]`, which ships its binary) takes about 450 bytes of memory per
word occurrence it indexes, so the archive is indexed in shards, one Pagefind run each:

- Shards (cut_shards) follow the articles oldest first. A shard ends after an article whose
  identity hashes below a threshold proportional to its length (on average every
  `search_shard_words / 2` words), or before the article that would take it past
  `search_shard_words`. The cuts depend on the articles alone, so a clean build gives the same
  shards, and an added, removed or edited article changes its own shard only. The newest shard,
  which new articles join, is the primary index.
- Each article becomes a slim page (slim_page) holding only what the index needs: headline,
  summary, corrections and body as text; tags, section, authors and year as filters; the shown
  date as metadata and the ISO date as the sort key. Slim pages are written to a scratch folder,
  only for the shards that must be indexed, never into the site.
- A shard's key (plan_search) is a digest of Pagefind's version and binary, its options, the
  site's language and time zone, and each article's URL, indexed fields and body; the index of every shard is kept in the search cache
  (search_cache.py) under its key, so an unchanged shard is never indexed again and a rebuild
  publishes the same bytes (Pagefind's own output differs from run to run).
- Output: `pagefind/` holds Pagefind's script and engine and the newest shard's index;
  `pagefind/<key>/` holds each older shard's index alone (the browser merges it with the
  primary's engine). Pagefind's UI files are left out. An older shard the live site already
  publishes is hard-linked from there. The search page lists the shard keys, newest first
  (templates/search.html, static/search.js).
- Beside it, the best-match index (best_match.py) ranks the whole archive by relevance from a few
  small files a query: each shard's term table is made with its slim pages and kept in the shard's
  cache entry (never published); the index is merged from all the shards' tables.
- On a multilingual site each language has its own index, planned apart (one SearchPlan each)
  and published under its prefix (`es/pagefind/`), indexed as that language: its search page
  (`es/search/`) finds its language's articles only.

A failed run fails the build, so the previous site stays.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable, Mapping, Sequence

from newsgen.config import SiteConfig
from newsgen.errors import BuildFailed, NewsgenError
from newsgen.model import Article
from newsgen.render.environment import formatted_date, isodate
from newsgen.render.jobs import ArticleBodies, with_bodies
from newsgen.write import best_match
from newsgen.write.publish import write_atomic
from newsgen.write.search_cache import (DamagedEntry, copy_entry, holds_published, link_published, read_checked,
                                       store_entry)

FILTERS = ("tag", "section", "author", "year")
"""The search page's filters (templates/search.html), as Pagefind and the best-match index name them."""
BUNDLE_DIR = "pagefind"
"""The folder, inside the output, that holds Pagefind's script, engine and index."""
TIMEOUT_SECONDS = 3600
PARALLEL_RUNS = 2
"""Pagefind runs at once: each takes at most about 150 MB with the default shard size."""
RUNTIME_FILES = ("pagefind.js", "pagefind-worker.js", "wasm.")
"""Pagefind's script, worker and engines (by name prefix): published with the primary index only."""
UI_FILES = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")
"""Pagefind's ready-made interface, which the search page does not use: never published."""
BODY_BATCH = 500
"""Article bodies read from the store at once."""
SEARCH_BODIES_FILE = "search-bodies.json"
"""In the cache folder: the body digests of the last build (read_body_digests)."""
LEFTOVER_SECONDS = 3600
"""Scratch and staging folders older than this in the search cache are a killed build's."""


@dataclass(frozen=True)
class SearchShard:
    """One part of the search index: its articles, oldest first, and the key naming its index."""

    key: str
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class SearchPlan:
    """The search index as a build publishes it."""

    shards: tuple[SearchShard, ...]
    """Newest first: the first is the primary index, published at `pagefind/`."""
    body_digests: Mapping[str, str]
    """Each article body's digest by its name (for the next build: save_body_digests)."""
    bundle: str = BUNDLE_DIR
    """The folder of the output it is published in: `pagefind`, or a language's `es/pagefind`."""

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(shard.key for shard in self.shards)

    @property
    def shard_folders(self) -> frozenset[str]:
        """The folders of the older shards in the output (the primary index fills the bundle itself)."""
        return frozenset(f"{self.bundle}/{shard.key}" for shard in self.shards[1:])


@dataclass(frozen=True)
class SearchOutcome:
    """What indexing did: shards indexed by Pagefind, shards copied from the cache, warnings."""

    indexed: int
    reused: int
    warnings: tuple[str, ...]


def pagefind_executable() -> Path:
    """The Pagefind binary from the `pagefind` Python package, else one on PATH."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        found = shutil.which("pagefind_extended") or shutil.which("pagefind")
        path = Path(found) if found else None
    else:
        path = get_executable()
    if path is None or not path.is_file():
        raise NewsgenError("search: Pagefind is not installed; run `pip install 'pagefind[bin]'` "
                           "or set `search: false` in newsgen.yaml")
    return path


def cut_shards(articles: Sequence[Article], shard_words: int) -> list[tuple[Article, ...]]:
    """The articles (oldest first) cut into shards, oldest first (see the module docstring)."""
    shards: list[tuple[Article, ...]] = []
    current: list[Article] = []
    words = 0
    for article in articles:
        length = _indexed_words(article)
        if current and words + length > shard_words:
            shards.append(tuple(current))
            current, words = [], 0
        current.append(article)
        words += length
        if _cuts_after(article, length, shard_words):
            shards.append(tuple(current))
            current, words = [], 0
    if current:
        shards.append(tuple(current))
    return shards


def _indexed_words(article: Article) -> int:
    return article.word_count + len(article.title.split()) + 1


def _cuts_after(article: Article, length: int, shard_words: int) -> bool:
    """Whether a shard ends after this article: true for about `2 * length / shard_words` of articles,
    chosen by a hash of the article's identity."""
    point = int.from_bytes(hashlib.blake2b(article.identity.encode("utf-8", "surrogateescape"),
                                           digest_size=8).digest(), "big")
    return point * shard_words < 2 * length << 64


def plan_search(articles: Sequence[Article], config: SiteConfig, bodies: ArticleBodies | None,
                known: Mapping[str, str], home: str = "") -> SearchPlan:
    """The shards of the site's articles (newest first, as Site holds them), each with its key;
    published under `home` (a language's prefix, `es/`). `known` holds the body digests of the
    previous build (read_body_digests)."""
    engine = _engine_identity(pagefind_executable())
    options = " ".join(_options(config))
    digests = _digest_bodies(articles, config, bodies, known)
    shards = []
    for group in cut_shards(articles[::-1], config.search_shard_words):
        digest = hashlib.blake2b(f"{engine}\n{options}\n{config.timezone}\n".encode(), digest_size=16)
        for article in group:
            digest.update(f"{_indexed_fields(article)!r}\0{digests[_body_name(article, bodies)]}\n"
                          .encode("utf-8", "surrogateescape"))
        shards.append(SearchShard(digest.hexdigest(), group))
    return SearchPlan(tuple(reversed(shards)), digests, home + BUNDLE_DIR)


def _indexed_fields(article: Article) -> tuple:
    """Everything of an article but its body that its slim page shows (the site's language and time
    zone aside)."""
    return (article.url, article.title, article.summary, [tag.name for tag in article.tags],
            article.section and article.section.name, [author.name for author in article.authors],
            article.published.isoformat(), article.precision, article.lang,
            [(correction.date.isoformat(), correction.text) for correction in article.corrections])


def _body_name(article: Article, bodies: ArticleBodies | None) -> str:
    """What names an article's body within one site: its file's cache key and its source."""
    key = bodies.keys.get(article.source) if bodies is not None else None
    return f"{key} {article.source}"


def _digest_bodies(articles: Sequence[Article], config: SiteConfig, bodies: ArticleBodies | None,
                   known: Mapping[str, str]) -> dict[str, str]:
    """The digest of each article's body by its name: from `known`, else from the body itself (read
    from the store BODY_BATCH articles at a time). A digest of the text, not the file's cache key
    (which names the site's folder), so two copies of a site give the same shard keys."""
    found: dict[str, str] = {}
    missing: list[Article] = []
    for article in articles:
        name = _body_name(article, bodies)
        if name in known:
            found[name] = known[name]
        elif article.body_html or bodies is None:
            found[name] = _text_digest(article.body_html)
        else:
            missing.append(article)
    for start in range(0, len(missing), BODY_BATCH):
        for article in with_bodies(bodies, missing[start:start + BODY_BATCH], config):
            found[_body_name(article, bodies)] = _text_digest(article.body_html)
    return found


def _text_digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def read_body_digests(path: Path) -> dict[str, str]:
    """The body digests a previous build saved (save_body_digests); empty when missing or unreadable."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {name: digest for name, digest in data.items() if isinstance(digest, str)}


def save_body_digests(path: Path, digests: Mapping[str, str]) -> None:
    """Keep the body digests of a successful build for the next one (only a cache: failures pass)."""
    try:
        write_atomic(path, json.dumps(digests, sort_keys=True, separators=(",", ":")).encode())
    except OSError:
        pass


@functools.lru_cache(maxsize=4)
def _binary_digest(path: Path, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as binary:
        while chunk := binary.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _engine_identity(path: Path) -> str:
    """What a shard's index is made with: Pagefind's package versions and the digest of its binary,
    the stemmer's version and the best-match index's format."""
    versions = []
    for package in ("pagefind", "pagefind_bin", "PyStemmer"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} none")
    stat = path.stat()
    return (f"{' '.join(versions)} {_binary_digest(path, stat.st_size, stat.st_mtime_ns)} "
            f"best-match {best_match.FORMAT}")


def _options(config: SiteConfig) -> list[str]:
    return ["--force-language", config.language, "--quiet"]


def slim_page(article: Article, config: SiteConfig, body: str) -> str:
    """The page Pagefind reads for an article: the text a reader finds it by (headline, summary
    unless the body holds it, corrections, body) in its data-pagefind-body element, and, ignored as
    text, the filters, the date shown with each result (in the article's language) and the date
    results are sorted by, and the article's language and direction when not the site's."""
    esc = html.escape
    language = article.lang or config.language
    summary = article.summary.rstrip("…").strip()
    parts = [f'<!doctype html><html lang="{esc(config.language)}"><head><meta charset="utf-8">'
             f'<title>{esc(article.title)}</title></head><body><main data-pagefind-body>'
             f'<h1>{esc(article.title)}</h1>']
    if summary not in body:
        parts.append(f"<p>{esc(article.summary)}</p>")
    fields = [f'<span data-pagefind-filter="{name}">{esc(value)}</span>' for name, value in filter_values(article, config)]
    date, own_language = best_match.result_date_and_language(article, config)
    fields.append(f'<span data-pagefind-meta="date">{esc(date)}</span>')
    fields.append(f'<span data-pagefind-sort="date">{isodate(article.published)}</span>')
    if own_language:  # the result's headline and excerpt keep their own
        fields.append(f'<span data-pagefind-meta="lang">{esc(own_language[0])}</span>'
                      f'<span data-pagefind-meta="dir">{own_language[1]}</span>')
    parts.append(f'<div data-pagefind-ignore>{"".join(fields)}</div>')
    for correction in article.corrections:
        parts.append(f"<p>Correction, {esc(formatted_date(correction.date, 'day', config.timezone, language))}: "
                     f"{esc(correction.text)}</p>")
    parts.append(f"{body}</main></body></html>\n")
    return "".join(parts)


def filter_values(article: Article, config: SiteConfig) -> list[tuple[str, str]]:
    """The search filters an article is found by, as (filter, value): its tags, section, authors and
    year (in the site's time zone)."""
    values = [("tag", tag.name) for tag in article.tags]
    if article.section:
        values.append(("section", article.section.name))
    values += [("author", author.name) for author in article.authors]
    values.append(("year", str(article.published.astimezone(config.zone).year)))
    return values


def filter_counts(plan: SearchPlan, config: SiteConfig) -> dict[str, dict[str, int]]:
    """For each filter, each of its values with the number of the plan's articles that have it (as
    Pagefind counts them over every shard)."""
    counts: dict[str, Counter] = {name: Counter() for name in FILTERS}
    for shard in plan.shards:
        for article in shard.articles:
            for name, value in set(filter_values(article, config)):
                counts[name][value] += 1
    return {name: dict(sorted(found.items())) for name, found in counts.items()}


def index_search(site_folder: Path, plan: SearchPlan, cache: Path, config: SiteConfig,
                 bodies: ArticleBodies | None, fresh: bool = False, live: Path | None = None,
                 also_used: frozenset[str] = frozenset()) -> SearchOutcome:
    """Write the plan's index into `site_folder/pagefind/` (its `bundle`): an older shard already
    in its place in `site_folder` (the writer's standby, which published it two builds ago; see
    SearchPlan.shard_folders) and holding the files the cache lists for it is kept there; one that
    the live site (`live`, given when the writer trusts it) publishes as the cache holds it is
    hard-linked from there; any other shard is copied from the cache (every byte checked), else
    indexed by Pagefind (two runs at a time) and kept in the cache. fresh=True (`--clean`) empties
    the cache first. Entries neither the plan nor `also_used` (the other languages' plans' keys)
    use are pruned. Raises BuildFailed."""
    if fresh:
        shutil.rmtree(cache, ignore_errors=True)
    bundle = site_folder / plan.bundle
    bundle.mkdir(parents=True, exist_ok=True)
    warnings: list[str] = []
    missing: list[SearchShard] = []
    tables: dict[str, bytes] = {}
    in_place: set[str] = set()
    for number, shard in enumerate(plan.shards):
        keep = _primary_file if number == 0 else _shard_file
        placed = bundle / shard.key
        try:
            table = read_checked(cache, shard.key, best_match.TERMS_FILE)
            if number > 0 and placed.is_dir():
                if table is not None and live is not None and holds_published(cache, shard.key, placed, keep):
                    tables[shard.key] = table
                    in_place.add(shard.key)
                    continue
                shutil.rmtree(placed)
            if table is not None and (
                    number > 0 and live is not None and link_published(
                        cache, shard.key, live / plan.bundle / shard.key, _incoming(bundle, shard), keep)
                    or copy_entry(cache, shard.key, _incoming(bundle, shard), keep)):
                tables[shard.key] = table
                continue
        except DamagedEntry as damage:
            count = len(shard.articles)
            warnings.append(f"search: the cached index of {count} article{'s' if count != 1 else ''} from "
                            f"{shard.articles[0].url} was damaged ({damage}); indexed again")
        missing.append(shard)
    if missing:
        tables.update(_index_shards(missing, plan.keys[0], bundle, cache, config, bodies))
    for shard in plan.shards:
        if shard.key not in in_place:
            _place(bundle, shard, primary=shard.key == plan.keys[0])
    best_match.write_best_index(bundle, [tables[shard.key] for shard in reversed(plan.shards)],
                                filter_counts(plan, config))
    _prune(cache, set(plan.keys) | also_used)
    return SearchOutcome(len(missing), len(plan.shards) - len(missing), tuple(warnings))


def _primary_file(relative: str) -> bool:
    return not relative.startswith(UI_FILES) and relative != best_match.TERMS_FILE


def _shard_file(relative: str) -> bool:
    return not relative.startswith(UI_FILES + RUNTIME_FILES) and relative != best_match.TERMS_FILE


def _cached_file(relative: str) -> bool:
    return not relative.startswith(UI_FILES)


def _incoming(bundle: Path, shard: SearchShard) -> Path:
    return bundle / f".incoming-{shard.key}"


def _place(bundle: Path, shard: SearchShard, primary: bool) -> None:
    """Move a shard's files from its incoming folder to their place: the bundle itself for the
    primary index, `<key>/` in it for the others."""
    incoming = _incoming(bundle, shard)
    if not primary:
        os.rename(incoming, bundle / shard.key)
        return
    for child in sorted(incoming.iterdir()):
        os.rename(child, bundle / child.name)
    incoming.rmdir()


def _index_shards(shards: list[SearchShard], primary: str, bundle: Path, cache: Path, config: SiteConfig,
                  bodies: ArticleBodies | None) -> dict[str, bytes]:
    """Index each shard with Pagefind, at most PARALLEL_RUNS at once: the slim pages and the term table
    (best_match.shard_terms) of a shard are made (its bodies read from the store) here, while the
    runs of earlier shards go on. Returns each shard's term table by its key."""
    executable = pagefind_executable()
    cache.mkdir(parents=True, exist_ok=True)
    counter = best_match.TermCounter(config.language)
    tables: dict[str, bytes] = {}
    scratch = Path(tempfile.mkdtemp(prefix=".scratch-", dir=cache))
    try:
        with ThreadPoolExecutor(max_workers=PARALLEL_RUNS) as runs:
            pending: set[Future] = set()
            for shard in shards:
                while len(pending) >= PARALLEL_RUNS:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        future.result()
                site = scratch / shard.key
                articles = with_bodies(bodies, shard.articles, config)
                _write_slim_pages(site / "site", articles, config)
                tables[shard.key] = best_match.shard_terms(articles, config, counter)
                keep = _primary_file if shard.key == primary else _shard_file
                pending.add(runs.submit(_index_one, executable, site, shard.key, config, cache,
                                        _incoming(bundle, shard), keep, tables[shard.key]))
            for future in pending:
                future.result()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return tables


def _write_slim_pages(folder: Path, articles: list[Article], config: SiteConfig) -> None:
    for article in articles:
        page = folder / article.url / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(slim_page(article, config, article.body_html), encoding="utf-8", errors="surrogateescape")


def _pagefind_command(executable: Path, config: SiteConfig) -> list[str]:
    """Pagefind over the slim pages in `site/` of its working folder, its index into `out/`."""
    return [str(executable), "--site", "site", "--output-path", "out", *_options(config)]


def _index_one(executable: Path, work: Path, key: str, config: SiteConfig, cache: Path, target: Path,
               keep: Callable[[str], bool], terms: bytes) -> None:
    """Run Pagefind over one shard's slim pages, keep its output and the shard's term table in the
    cache, copy the output to target."""
    try:
        result = subprocess.run(_pagefind_command(executable, config), cwd=work, stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, errors="replace", timeout=TIMEOUT_SECONDS)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BuildFailed([f"search: could not run Pagefind: {exc}"]) from None
    output = _keep_run(work, key, cache, terms, result.returncode, (result.stdout + result.stderr).strip())
    shutil.copytree(output, target, ignore=lambda folder, names: [
        name for name in names if not keep(Path(folder, name).relative_to(output).as_posix())
        and not Path(folder, name).is_dir()])


def _keep_run(work: Path, key: str, cache: Path, terms: bytes, returncode: int, said: str) -> Path:
    """After Pagefind's run in `work` over one shard: check it, keep its output (`work/out`, returned)
    and the shard's term table in the cache entry `key`. Raises BuildFailed, quoting what it said."""
    output = work / "out"
    if returncode != 0:
        raise BuildFailed([f"search: Pagefind failed with exit code {returncode}: {_tail(said)}"])
    if not (output / "pagefind.js").is_file():
        raise BuildFailed([f"search: Pagefind wrote no pagefind.js: {_tail(said)}"])
    shutil.rmtree(work / "site")
    (output / best_match.TERMS_FILE).write_bytes(terms)
    store_entry(cache, key, output, _cached_file)
    return output


@dataclass
class _StartedRun:
    """A Pagefind run over one shard's slim pages, going on in the background."""

    key: str
    work: Path
    process: subprocess.Popen
    terms: bytes = b""
    started: float = field(default_factory=time.monotonic)


class IndexingAhead:
    """Pagefind's runs over the shards a rebuild must index, started before its pages are rendered
    (index_ahead): they use the second core while this process renders the pages. finish() waits for
    them and keeps their output in the cache, where index_search then finds it; abandon() stops
    them."""

    def __init__(self, cache: Path, scratch: Path):
        self.cache, self.scratch = cache, scratch
        self.runs: list[_StartedRun] = []
        self.indexed: frozenset[str] = frozenset()
        """The keys of the shards indexed, once finish() has returned."""
        self.cpu_seconds = 0.0
        """The CPU time of the runs, once finish() has returned."""

    def finish(self) -> None:
        """Wait for every run and keep its output in the cache. Raises BuildFailed if one failed."""
        before = children_cpu_seconds()
        try:
            for run in self.runs:
                try:
                    run.process.wait(timeout=max(1.0, TIMEOUT_SECONDS - (time.monotonic() - run.started)))
                except subprocess.TimeoutExpired:
                    raise BuildFailed([f"search: could not run Pagefind: it ran for over {TIMEOUT_SECONDS} s"]) from None
                said = (run.work / "pagefind.log").read_text(encoding="utf-8", errors="replace").strip()
                _keep_run(run.work, run.key, self.cache, run.terms, run.process.returncode, said)
            self.indexed = frozenset(run.key for run in self.runs)
        finally:
            self.cpu_seconds = children_cpu_seconds() - before
            self.abandon()

    def abandon(self) -> None:
        """Stop the runs still going and remove their working folders (a failed build's)."""
        for run in self.runs:
            if run.process.poll() is None:
                run.process.kill()
                run.process.wait()
        self.runs = []
        shutil.rmtree(self.scratch, ignore_errors=True)


def index_ahead(plans: Sequence[tuple[SiteConfig, SearchPlan]], cache: Path, bodies: ArticleBodies | None,
                limit: int = PARALLEL_RUNS) -> IndexingAhead | None:
    """Start Pagefind over the shards of the plans (each with its language's settings) that the
    cache lacks, when they are at most `limit`: one edited or added article changes one or two
    shards, and their runs then go on while the pages are rendered (a cold build indexes every
    shard after rendering, when its workers' memory is free). The slim pages and term tables are
    made here, as index_search makes them. None when nothing is started."""
    missing = [(config, shard) for config, plan in plans for shard in plan.shards if not (cache / shard.key).is_dir()]
    if not missing or len(missing) > limit:
        return None
    executable = pagefind_executable()
    cache.mkdir(parents=True, exist_ok=True)
    ahead = IndexingAhead(cache, Path(tempfile.mkdtemp(prefix=".scratch-", dir=cache)))
    try:
        for config, shard in missing:
            work = ahead.scratch / shard.key
            articles = with_bodies(bodies, shard.articles, config)
            _write_slim_pages(work / "site", articles, config)
            with open(work / "pagefind.log", "wb") as log:
                process = subprocess.Popen(_pagefind_command(executable, config), cwd=work, stdin=subprocess.DEVNULL,
                                           stdout=log, stderr=subprocess.STDOUT)
            run = _StartedRun(shard.key, work, process)
            ahead.runs.append(run)
            run.terms = best_match.shard_terms(articles, config, best_match.TermCounter(config.language))
    except OSError as exc:
        ahead.abandon()
        raise BuildFailed([f"search: could not run Pagefind: {exc}"]) from None
    except BaseException:
        ahead.abandon()
        raise
    return ahead


def children_cpu_seconds() -> float:
    """CPU time of this process's child processes that have ended and been waited for."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime


def _prune(cache: Path, used: set[str]) -> None:
    """Remove the cache entries a build did not use, and killed builds' scratch and staging folders."""
    try:
        entries = list(cache.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.name in used:
            continue
        if entry.name.startswith("."):
            try:
                if time.time() - entry.stat().st_mtime < LEFTOVER_SECONDS:
                    continue  # another build's, perhaps still running
            except OSError:
                continue
        shutil.rmtree(entry, ignore_errors=True)


def _tail(output: str, lines: int = 8) -> str:
    return " | ".join(output.splitlines()[-lines:]) or "no output"
