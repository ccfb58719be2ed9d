"""A long fuzz campaign over every reader (the CI run in tests/test_fuzz_readers.py is short).

    .venv/bin/python benchmarks/fuzz_campaign.py [EXAMPLES_PER_READER] [--seed N]

Feeds each reader EXAMPLES_PER_READER generated files (default 5000) through
`newsgen.content.load.parse_article_file` and prints, per reader, how many inputs were tried and how
many broke the rule (an article or a `path:line: message` error; no other exception, no parse
over 5 s, no code run by a YAML tag). Failures do not stop the run; the first few are printed,
and every failing input is saved under $TMPDIR/newsgen-fuzz-failures/.
Exit status 1 when any failed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from fuzz_inputs import EXPORT_READERS, HAS_EXPORT_READERS, READERS, SENTINEL, check_file  # noqa: E402
from newsgen.config import load_config  # noqa: E402


FAILURES = Path(tempfile.gettempdir()) / "newsgen-fuzz-failures"


def run_reader(reader: str, examples: int, site: Path, config, seed_value: int) -> tuple[int, list[str]]:
    names, contents = READERS[reader]
    tried = 0
    failures: list[str] = []

    @seed(seed_value)
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(name=names, data=contents)
    def body(name, data):
        nonlocal tried
        tried += 1
        path = site / "content" / name
        path.write_bytes(data)
        try:
            problem = check_file(path, config)
        except Exception as exc:  # noqa: BLE001 - counting, not hiding: every one is reported
            problem = "".join(traceback.format_exception_only(exc)).strip()
        if problem:
            saved = FAILURES / f"{reader}-{len(failures) + 1}-{name}"
            FAILURES.mkdir(exist_ok=True)
            saved.write_bytes(data)
            failures.append(f"{name} ({len(data)} bytes, saved as {saved}): {problem}")

    body()
    return tried, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("examples", nargs="?", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--readers", default=",".join(sorted(READERS)), help="comma-separated (default: all)")
    args = parser.parse_args()
    SENTINEL.unlink(missing_ok=True)
    site = Path(tempfile.mkdtemp(prefix="newsgen-fuzz-"))
    (site / "content").mkdir()
    config = load_config(site, {"workers": 1, "timezone": "Pacific/Kiritimati"})
    total_tried = total_failed = 0
    started = time.perf_counter()
    print(f"seed {args.seed}, {args.examples} examples per reader")
    for reader in args.readers.split(","):
        if reader in EXPORT_READERS and not HAS_EXPORT_READERS:
            print(f"{reader:9} skipped: this newsgen has no JSON Lines / CSV readers")
            continue
        began = time.perf_counter()
        tried, failures = run_reader(reader, args.examples, site, config, args.seed)
        total_tried += tried
        total_failed += len(failures)
        print(f"{reader:9} tried {tried:7}  failures {len(failures):4}  {time.perf_counter() - began:7.1f} s", flush=True)
        for failure in failures[:5]:
            print(f"    {failure[:400]}")
    print(f"total: {total_tried} inputs tried, {total_failed} failures, {time.perf_counter() - started:.1f} s")
    return 1 if total_failed else 0


if __name__ == "__main__":
    sys.exit(main())
