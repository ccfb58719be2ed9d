"""Build real archives with newsgen and print what came out: the Reuters-21578 newswire export and
sample content folders of Jekyll, Hugo and Pelican (test inputs only, read from ../shared/corpora,
never copied into content/).

    .venv/bin/python benchmarks/imports.py reuters [--tmpfs] [-j N]   # the 21,578-article Reuters export
    .venv/bin/python benchmarks/imports.py peers                       # Jekyll, Hugo, Pelican sample folders

Reuters: the export is copied into a temporary site (its terms allow testing only; the site is deleted
afterwards), built with default settings, and the script prints articles built, tag pages, archive
pages, errors, warnings and build time. Peers: each folder is built in place (through a symbolic link) and the
script prints files read, articles built, warnings and skip notices.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from newsgen.build import build
from newsgen.config import load_config
from newsgen.errors import BuildFailed

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"


def count_pages(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("index.html")) if folder.is_dir() else 0


def bench_reuters(tmpfs: bool, jobs: int) -> None:
    source = CORPORA / "reuters21578" / "articles.jsonl"
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    with tempfile.TemporaryDirectory(dir="/dev/shm" if tmpfs else None) as tmp:
        site = Path(tmp)
        (site / "content").mkdir()
        shutil.copyfile(source, site / "content" / "articles.jsonl")
        config = load_config(site, {"workers": jobs})
        started = time.perf_counter()
        try:
            report = build(config)
        except BuildFailed as failed:
            print(f"build fails with {len(failed.errors)} error(s) in {time.perf_counter() - started:.1f} s:")
            for error in failed.errors:
                print(f"  {error}")
            return
        seconds = time.perf_counter() - started
        out = config.output_path
        tag_dirs = [p for p in (out / "tags").iterdir() if p.is_dir()]
        years = [p for p in out.iterdir() if p.is_dir() and p.name.isdigit()]
        months = [m for y in years for m in y.iterdir() if m.is_dir() and m.name.isdigit()]
        days = [d for m in months for d in m.iterdir() if d.is_dir() and d.name.isdigit()]
        article_pages = sum(1 for d in days for a in d.iterdir() if a.is_dir() and a.name != "page")
        print(f"reuters21578, default settings ({'tmpfs' if tmpfs else 'disk'}, workers={jobs or os.cpu_count()}):")
        print(f"  articles built:   {report.articles} ({article_pages} article pages on disk)")
        print(f"  errors:           0; warnings: {len(report.warnings)}: {'; '.join(report.warnings)}")
        print(f"  tag pages:        {len(tag_dirs)} tags, {sum(count_pages(t) for t in tag_dirs)} pages with pagination")
        print(f"  archive pages:    {len(years)} years, {len(months)} months, {len(days)} days; "
              f"{sum(count_pages(p / 'page') for p in years + months + days) + len(years + months + days)} pages with pagination")
        print(f"  files written:    {report.pages_written}")
        print(f"  build time:       {seconds:.1f} s wall")


def bench_peers() -> None:
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    layouts = {"jekyll": "auto", "hugo": "auto", "pelican": "pelican"}
    for name, layout in layouts.items():
        with tempfile.TemporaryDirectory() as tmp:
            site = Path(tmp)
            (site / "content").symlink_to(CORPORA / "peers" / name, target_is_directory=True)
            config = load_config(site, {"workers": 1, "content_layout": layout})
            started = time.perf_counter()
            report = build(config)
            print(f"peers/{name} (content_layout: {layout}): {report.files_read} files read, "
                  f"{report.articles} articles built, {report.skipped_drafts} drafts left out, "
                  f"{len(report.warnings)} warnings, {len(report.notices)} files skipped with a notice, "
                  f"0 errors, {time.perf_counter() - started:.2f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", choices=["reuters", "peers"])
    parser.add_argument("--tmpfs", action="store_true", help="build in /dev/shm (less disk noise)")
    parser.add_argument("-j", "--jobs", type=int, default=0, help="worker processes (default: one per core)")
    args = parser.parse_args(argv)
    if args.corpus == "reuters":
        bench_reuters(args.tmpfs, args.jobs)
    else:
        bench_peers()
    return 0


if __name__ == "__main__":
    sys.exit(main())
