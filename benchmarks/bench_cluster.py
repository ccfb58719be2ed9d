#!/usr/bin/env python3
"""A cold build on a Dask cluster beside the same build on the local process pool.

    python benchmarks/bench_cluster.py [--sizes 10000 ...] [--workers 2] [--root /dev/shm/newsgen-cluster]

For each size it generates the shared corpus (../shared/bench/make_corpus.py, search off) and
runs, each in a fresh process: a cold build with a process pool of --workers processes, then a
cold build on a Dask cluster on this machine: `dask scheduler` and `dask worker` with --workers
worker processes of one thread, as on a real cluster (started, and connected to, before the clock
starts). It prints wall seconds, the CPU seconds of the main process alone, and their
ratio: the share of the build the main process is busy (scan, index, keys, writing), which bounds
what any number of workers can give (a build cannot take less than the main process's part). The
cluster's overhead per article is the difference of the wall times over the article count.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import make_corpus, run_environment  # noqa: E402

def child(site: str, workers: int, where: str) -> None:
    """One cold build in this process; prints its figures as JSON. where: `pool`, or a
    scheduler file to connect to."""
    from newsgen.build import build
    from newsgen.config import load_config, reference_time

    config = load_config(site, {"workers": workers, "output_dir": "public-pool" if where == "pool" else "public-cluster"})
    started, cpu = time.perf_counter(), time.process_time()
    if where == "pool":
        report = build(config, reference_time(), clean=True)
    else:
        from newsgen.cluster import cluster_executor

        with cluster_executor(json.loads(Path(where).read_text())["address"]) as executor:
            started, cpu = time.perf_counter(), time.process_time()
            report = build(config, reference_time(), executor, clean=True)
    wall, main_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"wall": wall, "main_cpu": main_cpu, "pages": report.pages_written}))


def run(site: Path, workers: int, where: str) -> dict:
    for folder in ("public-pool", "public-cluster"):
        shutil.rmtree(site / folder, ignore_errors=True)
    done = subprocess.run([sys.executable, __file__, "--child", str(site), str(workers), where],
                          capture_output=True, text=True, env=run_environment({"SOURCE_DATE_EPOCH": "1893456000"}))
    if done.returncode:
        sys.exit(f"build failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cluster(root: Path, workers: int) -> tuple[Path, list[subprocess.Popen]]:
    """A scheduler and `workers` worker processes of one thread, started as `dask scheduler` and
    `dask worker` are on a real cluster; their connection file."""
    dask = str(Path(sys.executable).parent / "dask")
    address_file = root / "scheduler.json"
    address_file.unlink(missing_ok=True)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen([dask, "scheduler", "--port", "0", "--no-dashboard",
                                  "--scheduler-file", str(address_file)], **quiet)
    while not address_file.exists():
        time.sleep(0.1)
    time.sleep(0.5)
    worker = subprocess.Popen([dask, "worker", "--scheduler-file", str(address_file), "--nworkers", str(workers),
                               "--nthreads", "1", "--no-dashboard"], **quiet)
    return address_file, [worker, scheduler]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--root", type=Path, default=Path("/dev/shm/newsgen-cluster"))
    args = parser.parse_args()
    print(f"{'articles':>8} {'where':<13} {'wall s':>7} {'main CPU s':>10} {'main busy':>9} {'pages':>7}")
    for size in args.sizes:
        site = args.root / f"site-{size}"
        make_corpus(site / "content", size)
        (site / "newsgen.yaml").write_text("search: false\n", encoding="utf-8")
        results = {"process-pool": run(site, args.workers, "pool")}
        address_file, processes = cluster(args.root, args.workers)
        try:
            results["cluster"] = run(site, args.workers, str(address_file))
        finally:
            for process in processes:
                process.terminate()
                process.wait()
        for where, result in results.items():
            print(f"{size:>8} {where:<13} {result['wall']:>7.1f} {result['main_cpu']:>10.1f} "
                  f"{result['main_cpu'] / result['wall']:>9.0%} {result['pages']:>7}", flush=True)
        pool, on_cluster = results["process-pool"], results["cluster"]
        print(f"{size:>8} cluster overhead {1000 * (on_cluster['wall'] - pool['wall']) / size:.2f} ms an article; "
              f"no number of workers can make this build faster than the main process's "
              f"{on_cluster['main_cpu']:.1f} s (at most {on_cluster['wall'] / on_cluster['main_cpu']:.1f}x)")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(main())
