"""Power cut at random instants of offload, wipe, upload and manifest writing:
nothing the station reported as staged, archived or wiped is missing or
different afterwards, the store reconciles, the audit chain verifies, and the
recorder keeps every file that was not durably staged (powercut.py)."""
import os
import sys
import unittest

from powercut import PowerCutRun, skip_reason


class PowerCut(unittest.TestCase):
    def test_power_cut_at_random_instants_loses_nothing_reported(self):
        reason = skip_reason()
        if reason:
            print(f"power-cut test skipped: {reason}", file=sys.stderr, flush=True)
            self.skipTest(reason)
        run = PowerCutRun(seed=int(os.environ.get("DOCKD_POWERCUT_SEED", "20261202")),
                          keep=os.environ.get("DOCKD_POWERCUT_KEEP") == "1")
        self.addCleanup(run.cleanup)
        run.run(int(os.environ.get("DOCKD_POWERCUT_ROUNDS", "20")), self)
        print(f"\npower-cut test: {run.summary()}", flush=True)


if __name__ == "__main__":
    unittest.main()
