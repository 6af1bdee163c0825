#!/usr/bin/env python3
"""Power-cut long run (issue 12): the e2e power-cut test's rounds, as many as
asked, on fresh stations of 20 cuts each (so the archive checked after every
cut stays small). Prints the rounds done, the cuts per phase and any loss;
exits 1 on a loss, keeping that station's directory.

usage: bench/powercut.py [--rounds 200] [--seed N]
Needs a built tree (scripts/build.sh), root and /dev/fuse."""
import argparse
import collections
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from powercut import PHASES, PowerCutRun, skip_reason  # noqa: E402

ROUNDS_PER_STATION = 20


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=200)
    p.add_argument("--seed", type=int, default=int(time.time()))
    args = p.parse_args()
    reason = skip_reason()
    if reason:
        print(f"powercut: cannot run: {reason}")
        return 2
    checks = unittest.TestCase()   # assertions for the end-of-batch custody check
    phases, done, started = collections.Counter(), 0, time.monotonic()
    print(f"powercut: {args.rounds} rounds, seed {args.seed}", flush=True)
    station = 0
    while done < args.rounds:
        station += 1
        run = PowerCutRun(seed=args.seed * 1000 + station)
        try:
            run.run(min(ROUNDS_PER_STATION, args.rounds - done), checks)
        except AssertionError as e:
            os.environ["DOCKD_KEEP_TEST_DIRS"] = "1"
            print(f"LOSS after {done + run.rounds} rounds (station {station}, seed {args.seed}):\n{e}", flush=True)
            return 1
        finally:
            phases.update(run.phases)
            run.cleanup()
        done += run.rounds
        print(f"  {done} rounds, {time.monotonic() - started:.0f} s: {run.summary()}", flush=True)
    print(f"powercut: {done} rounds done in {time.monotonic() - started:.0f} s, no loss; cuts during (a cut can fall "
          "in several): " + ", ".join(f"{p} {phases[p]}" for p in PHASES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
