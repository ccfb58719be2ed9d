"""Load on the preview server (newsgen serve) while articles change and rebuilds run.

Starts `newsgen serve` on a free loopback port over a generated site, then runs CLIENTS threads
for SECONDS, each fetching pages (article, front, tag, archive pages, CSS, a missing page) one
connection at a time, while another thread edits an article every half second and breaks and
fixes one now and then. Prints requests served, failures (must be 0), latency percentiles,
rebuilds, and the server's resident memory before, during and after. A failure is any
exception, an unexpected status, or an HTML page that does not end with `</html>` (half-written).

    .venv/bin/python benchmarks/serve_load.py [--clients 20] [--seconds 10] [--articles 100]
"""

from __future__ import annotations

import argparse
import http.client
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from serving import Served, start_serve  # noqa: E402

MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_site(root: Path, articles: int) -> Path:
    site = root / "site"
    (site / "content").mkdir(parents=True)
    (site / "newsgen.yaml").write_text("title: Load Test\nbase_url: https://example.org/news/\n", encoding="utf-8")
    subprocess.run([sys.executable, str(MAKE_CORPUS), str(site / "content"), str(articles)], check=True,
                   capture_output=True)
    return site


def page_urls(server: Served, site: Path) -> list[tuple[str, int]]:
    """(path, expected status): every page linked from the front page, plus CSS and a missing page."""
    front = server.page("")
    links = {urllib.parse.urljoin(server.url, link) for link in re.findall(r'href="([^"#]+/)"', front)}
    paths = {urllib.parse.urlsplit(link).path for link in links if link.startswith(server.url)}
    urls = [(path, 200) for path in sorted(paths | {server.base})]
    urls += [(server.base + "static/style.css", 200), (server.base + "no/such/page/", 404)]
    return urls


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.html_checked = 0

    def add(self, seconds: float, failure: str | None, html: bool) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.html_checked += html
            if failure:
                self.failures.append(failure)


def client(server: Served, urls: list[tuple[str, int]], until: float, results: Results, seed: int) -> None:
    chooser = random.Random(seed)
    while time.monotonic() < until:
        path, expected = chooser.choice(urls)
        started = time.perf_counter()
        failure = None
        html = False
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()  # raises IncompleteRead if shorter than Content-Length
            html = response.getheader("Content-Type", "").startswith("text/html")
            if response.status != expected:
                failure = f"{path}: status {response.status}, expected {expected}"
            elif html and not body.rstrip().endswith(b"</html>"):
                failure = f"{path}: HTML response does not end with </html> ({len(body)} bytes)"
        except (OSError, http.client.HTTPException) as exc:
            failure = f"{path}: {type(exc).__name__}: {exc}"
        finally:
            connection.close()
        results.add(time.perf_counter() - started, failure, html)


def editor(site: Path, until: float, counts: dict[str, int]) -> None:
    """Edit an article every half second; every eighth edit breaks one's front matter for 3 s."""
    files = sorted((site / "content").rglob("*.md"))
    chooser = random.Random(7)
    while time.monotonic() < until - 4:
        path = chooser.choice(files)
        text = path.read_text(encoding="utf-8")
        if counts["edits"] % 8 == 7:
            path.write_text(text.replace("---\n", "---\ntitle: [unclosed\n", 1), encoding="utf-8")
            counts["breaks"] += 1
            time.sleep(3)
            path.write_text(text, encoding="utf-8")
        else:
            path.write_text(text + f"\nEdited {counts['edits']}.\n", encoding="utf-8")
        counts["edits"] += 1
        time.sleep(0.5)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--articles", type=int, default=100)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="newsgen-serve-load-"))
    server = None
    try:
        site = make_site(root, args.articles)
        server = start_serve(site, timeout=120)
        urls = page_urls(server, site)
        # warm up: every URL once, so "before" is the server's settled size
        warm = Results()
        client(server, urls, time.monotonic() + 1.0, warm, 0)
        rss_before = rss_mb(server.process.pid)
        results = Results()
        counts = {"edits": 0, "breaks": 0}
        until = time.monotonic() + args.seconds
        threads = [threading.Thread(target=client, args=(server, urls, until, results, n)) for n in range(args.clients)]
        threads.append(threading.Thread(target=editor, args=(site, until, counts)))
        rss_peak = rss_before
        started = time.monotonic()
        for thread in threads:
            thread.start()
        while any(t.is_alive() for t in threads):
            rss_peak = max(rss_peak, rss_mb(server.process.pid))
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        time.sleep(2.5)  # the last rebuild settles
        rss_after = rss_mb(server.process.pid)
        code, out, err = server.stop()
        server = None
        rebuild_times = [float(t) for t in re.findall(r"changed: built .* in (\d+\.\d+) s", out)]
        failed_builds = err.count("the browser shows this error")
        latencies = results.latencies
        print(f"newsgen serve under load: {args.clients} clients x {args.seconds:.0f} s, "
              f"{args.articles} articles, {len(urls)} distinct URLs")
        print(f"requests served: {len(latencies)} ({len(latencies) / elapsed:.0f}/s); "
              f"HTML pages checked complete: {results.html_checked}")
        print(f"failures: {len(results.failures)}")
        for failure in results.failures[:10]:
            print(f"  {failure}")
        print(f"latency: p50 {percentile(latencies, 0.50) * 1000:.1f} ms, p99 {percentile(latencies, 0.99) * 1000:.1f} ms,"
              f" max {max(latencies) * 1000:.1f} ms, mean {statistics.fmean(latencies) * 1000:.1f} ms")
        print(f"edits: {counts['edits']} ({counts['breaks']} broke the front matter); "
              f"rebuilds served: {len(rebuild_times)} (median {statistics.median(rebuild_times or [0]):.2f} s), "
              f"failed builds shown as errors: {failed_builds}")
        print(f"server RSS: before {rss_before:.1f} MB, peak {rss_peak:.1f} MB, after {rss_after:.1f} MB")
        print(f"server exit: code {code}, tracebacks in stderr: {err.count('Traceback')}")
        return 1 if results.failures or code != 0 or "Traceback" in err else 0
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
