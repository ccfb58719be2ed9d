#!/usr/bin/env python3
"""Benchmark newsgen cold and incremental builds, optionally beside Hugo and Pelican.

    python benchmarks/bench.py [--sizes 10000 ...] [--repeat 3] [--peers] [--root /dev/shm/newsgen-bench]

For each size it generates the shared corpus (../shared/bench/make_corpus.py), then runs, in
rounds that alternate between the tools: newsgen cold (no cache, no output), no-change rebuild,
rebuild after editing one article's body (the bench checks the article page shows the edit),
rebuild after adding one article (the newest), and with --peers Hugo (`hugo --quiet`, Debian's
package) and Pelican (in its own virtual environment under benchmarks/out/) cold builds of the
same corpus. Every run is a fresh process; peak memory is the largest sum of the resident
memory of the run's whole process tree, sampled from /proc every 50 ms.
It prints a table of medians, each as a ratio to Hugo's cold build when Hugo ran.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_BENCH = REPO.parent / "shared" / "bench"
OUT = REPO / "benchmarks" / "out"
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def process_tree_rss(root: int) -> int:
    """Resident bytes of root and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        rss[pid] = int(fields[21]) * PAGE_SIZE
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    return sum(rss.get(pid, 0) for pid in tree)


def timed(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak MB of the process tree, stdout) of one run."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, **(env or {})}, text=True)
    peak = 0
    while process.poll() is None:
        peak = max(peak, process_tree_rss(process.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    out, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{err[-3000:]}")
    return seconds, peak / 2**20, out.strip()


def make_corpus(folder: Path, size: int, fmt: str = "yaml") -> None:
    if folder.is_dir() and len(os.listdir(folder)) == size:
        return
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([sys.executable, str(SHARED_BENCH / "make_corpus.py"), str(folder), str(size), "--format", fmt],
                   check=True, stdout=subprocess.DEVNULL)


class Newsgen:
    def __init__(self, root: Path, size: int, newsgen: str, search: bool = True):
        self.site = root / f"newsgen-{size}"
        self.content = self.site / "content"
        self.newsgen = newsgen
        make_corpus(self.content, size)
        # The peers build no search index; --no-search compares like with like.
        (self.site / "newsgen.yaml").write_text(f"search: {'true' if search else 'false'}\n", encoding="utf-8")
        files = sorted(os.listdir(self.content))
        self.edited = self.content / files[len(files) // 2]
        self.original = self.edited.read_bytes()
        newest = self.content / files[-1]
        self.added = self.content / "9999-bench-added-article.md"
        self.added_text = _newest_copy(newest.read_text(encoding="utf-8"))

    def reset(self) -> None:
        self.edited.write_bytes(self.original)
        self.added.unlink(missing_ok=True)

    def run(self) -> tuple[float, float, str]:
        return timed([self.newsgen, "build", str(self.site)], self.site, {"SOURCE_DATE_EPOCH": "1893456000"})

    def cold(self) -> tuple[float, float, str]:
        self.reset()
        shutil.rmtree(self.site / "public", ignore_errors=True)
        shutil.rmtree(self.site / ".newsgen-cache", ignore_errors=True)
        return self.run()

    def edit(self) -> tuple[float, float, str]:
        text = self.original.decode("utf-8")
        body_start = text.index("\n---\n", 4) + 5
        marker = f"Bench edit {time.time_ns()}."
        self.edited.write_text(text[:body_start] + marker + " " + text[body_start:], encoding="utf-8")
        result = self.run()
        if not any(marker in p.read_text(encoding="utf-8") for p in (self.site / "public").rglob("index.html")
                   if p.stat().st_mtime > time.time() - result[0] - 5):
            raise SystemExit("one-edit: no page written by the rebuild shows the edit")
        return result

    def add(self) -> tuple[float, float, str]:
        self.added.write_text(self.added_text, encoding="utf-8")
        return self.run()


def _newest_copy(text: str) -> str:
    """The article with a new title and slug, dated a year after it: the newest of the corpus."""
    lines = text.split("\n")
    for number, line in enumerate(lines):
        if line.startswith("title: "):
            lines[number] = 'title: "Breaking news from the benchmark"'
        elif line.startswith("slug: "):
            lines[number] = "slug: breaking-news-from-the-benchmark"
        elif line.startswith("date: "):
            value = line[6:].strip().strip("'\"")
            lines[number] = f"date: {int(value[:4]) + 1}{value[4:]}"
    return "\n".join(lines)


class Hugo:
    def __init__(self, root: Path, size: int):
        self.site = root / f"hugo-{size}"
        if not (self.site / "config.toml").exists():
            shutil.copytree(SHARED_BENCH / "peers" / "hugo", self.site, dirs_exist_ok=True)
        make_corpus(self.site / "content" / "posts", size)

    def cold(self) -> tuple[float, float, str]:
        for name in ("public", "resources"):
            shutil.rmtree(self.site / name, ignore_errors=True)
        return timed(["hugo", "--quiet"], self.site)


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

    def cold(self) -> tuple[float, float, str]:
        for name in ("output", "cache"):
            shutil.rmtree(self.site / name, ignore_errors=True)
        return timed([self.pelican, "content", "-s", "pelicanconf.py", "-q"], self.site)


def bench_size(root: Path, size: int, repeat: int, peers: str, newsgen: str,
               search: bool = True) -> list[tuple[str, float, float]]:
    ours = Newsgen(root, size, newsgen, search)
    others = [("hugo cold", Hugo(root, size).cold)] if "hugo" in peers and shutil.which("hugo") else []
    if "pelican" in peers:
        others.append(("pelican cold", Pelican(root, size).cold))
    steps = [("newsgen cold", ours.cold), ("newsgen no-change", ours.run),
             ("newsgen one-edit", ours.edit), ("newsgen one-add", ours.add)]
    runs: dict[str, list[tuple[float, float]]] = {}
    for round_number in range(repeat):
        order = others[:1] + steps + others[1:] if round_number % 2 == 0 else steps + others
        for name, step in order:
            seconds, peak, out = step()
            runs.setdefault(name, []).append((seconds, peak))
            detail = f"  {out.splitlines()[-1]}" if name.startswith("newsgen") and out else ""
            print(f"  [{size}] round {round_number + 1}: {name:<18} {seconds:7.2f} s {peak:7.0f} MB{detail}", flush=True)
    ours.reset()
    return [(name, statistics.median(s for s, _ in values), max(p for _, p in values)) for name, values in runs.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peers", nargs="?", const="hugo,pelican", default="",
                        help="also build with these peers (default when given: hugo,pelican)")
    parser.add_argument("--root", type=Path, default=Path("/dev/shm/newsgen-bench"),
                        help="where corpora and sites go (tmpfs by default; use a disk folder to measure disk)")
    parser.add_argument("--newsgen", default=str(Path(sys.executable).parent / "newsgen"))
    parser.add_argument("--no-search", action="store_true",
                        help="build without the Pagefind search index (the peers build none)")
    args = parser.parse_args(argv)
    args.root.mkdir(parents=True, exist_ok=True)
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"root {args.root}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, repeat {args.repeat}", flush=True)
    tables = {size: bench_size(args.root, size, args.repeat, args.peers, args.newsgen, not args.no_search) for size in args.sizes}
    print()
    print("| size | run | median s | x Hugo cold | peak MB (all processes) |")
    print("|---|---|---|---|---|")
    for size, rows in tables.items():
        hugo = next((s for name, s, _ in rows if name == "hugo cold"), None)
        for name, seconds, peak in rows:
            ratio = f"{seconds / hugo:.2f}" if hugo else ""
            print(f"| {size:,} | {name} | {seconds:.2f} | {ratio} | {peak:.0f} |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
