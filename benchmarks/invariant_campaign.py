"""A long campaign for the incremental build's invariant (the test run in
tests/test_incremental_invariant.py tries a few fixed sequences; this tries many random ones).

    .venv/bin/python benchmarks/invariant_campaign.py [SEQUENCES] [--seed N] [--steps N]
        [--skip KIND,KIND] [--round N] [--shrink-seconds S] [--keep-going]

Draws SEQUENCES (default 500) random tiny sites and sequences of up to --steps changes (default
8), in rounds of --round sequences, each round with its own seed (--seed, then --seed + 1, ...).
After every change it builds the site incrementally and a copy of it with `--clean`, and
compares the outputs and the reports. Prints the sequences and steps checked after each round;
on a failure, the shortest failing sequence hypothesis found within --shrink-seconds (default
600) and how it failed, then stops, unless --keep-going, which goes on with the next round.
--skip leaves operation kinds out (`--skip hugo-bundle,static-page`; `hugo` stands for every
`hugo-` kind; --help lists them). Exit status 1 when any sequence failed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hypothesis import seed  # noqa: E402

import test_incremental_invariant as invariant  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     epilog=f"operation kinds: {', '.join(invariant.OPERATION_KINDS)}")
    parser.add_argument("sequences", nargs="?", type=int, default=500)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--steps", type=int, default=8, help="most changes in a sequence (default 8)")
    parser.add_argument("--skip", default="", help="operation kinds to leave out, comma-separated")
    parser.add_argument("--round", type=int, default=50, help="sequences per seed (default 50)")
    parser.add_argument("--shrink-seconds", type=float, default=600.0)
    parser.add_argument("--keep-going", action="store_true", help="go on after a failure, with the next seed")
    args = parser.parse_args()
    skip = {kind.strip() for kind in args.skip.split(",") if kind.strip()}
    try:
        invariant.check_skip(skip)
    except ValueError as exc:
        parser.error(str(exc))

    os.environ["SOURCE_DATE_EPOCH"] = str(invariant.EPOCH)
    print(f"seed {args.seed}, {args.sequences} sequences of up to {args.steps} changes"
          + (f", leaving out {', '.join(sorted(skip))}" if skip else ""), flush=True)
    started = time.perf_counter()
    tried = failures = 0
    round_number = 0
    try:
        while tried < args.sequences:
            examples = min(args.round, args.sequences - tried)
            round_seed = args.seed + round_number
            test = seed(round_seed)(invariant.invariant_test(examples=examples, steps=args.steps, skip=skip, random=True,
                                                             shrink=True, shrink_seconds=args.shrink_seconds))
            before = invariant.TALLY["sequences"]
            try:
                test()
            except Exception as exc:  # noqa: BLE001 - every failure is printed in full
                failures += 1
                print(f"\nFAILURE (seed {round_seed}):\n{exc}", flush=True)
                for found in getattr(exc, "exceptions", None) or [exc]:  # hypothesis groups distinct failures
                    if found is not exc:
                        print(f"\n{found}", flush=True)
                    for note in getattr(found, "__notes__", []):
                        print(note, flush=True)
                print(flush=True)
                if not args.keep_going:
                    break
            tried += examples
            round_number += 1
            print(f"round {round_number} (seed {round_seed}): {invariant.TALLY['sequences'] - before} sequences; "
                  f"total {invariant.TALLY['sequences']} sequences, {invariant.TALLY['steps']} steps checked, "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
    except KeyboardInterrupt:
        print("\ninterrupted", flush=True)
    print(f"total: {invariant.TALLY['sequences']} sequences, {invariant.TALLY['steps']} steps checked "
          f"(shrinking's tries included), {failures} failure{'s' if failures != 1 else ''}, "
          f"{time.perf_counter() - started:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
