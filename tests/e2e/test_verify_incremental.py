"""dockd-verify over time (issue 10, DESIGN §11): with --cache a second run
reads (and counts) only the objects added since the first; --full reads all
again; --max-silence reports a station whose newest published row is older;
the human summary and the Prometheus textfile say the same."""
import os
import time
import unittest

from harness import Station, archive_keys, run_verify


class VerifyOverTime(unittest.TestCase):
    def setUp(self):
        self.st = Station(bays=2, upload="""upload:
  targets: [{url: "file:archive"}]
  retry: {initial: 200ms, max: 2s}
  segment_interval: 1s""")
        self.addCleanup(self.st.cleanup)
        self.st.start()
        self.keys = self.st.enrol(os.path.join(self.st.dir, "keys"))
        self.cache = os.path.join(self.st.dir, "verify-cache.db")
        self.target = f"file://{self.st.archive}"

    def dock(self, bay, serial, seed):
        self.st.insert(bay, serial, "--files", 4, "--file-size", 100000, "--seed", seed)
        self.st.wait_bay(bay, "ready")
        self.st.unplug(bay, os.path.join(self.st.dir, serial))
        self.st.wait_published()

    def verify(self, *extra):
        code, report = run_verify("--keys", self.keys, "--cache", self.cache, *extra, self.target)
        return code, report, report["counts"]["objects_read"]

    def test_second_run_reads_only_what_was_added(self):
        self.dock(1, "ZFY0401", 41)
        first = archive_keys(self.st.archive)
        code, report, read = self.verify()
        self.assertEqual((code, report["discrepancies"]), (0, []))
        self.assertEqual(read, len(first), "a first run reads every object once")
        self.assertEqual(self.verify()[2], 0, "nothing new, nothing read")

        self.dock(2, "ZFY0402", 42)
        added = archive_keys(self.st.archive) - first
        self.assertTrue(any(k.startswith("media/") for k in added) and any(k.startswith("audit/") for k in added))
        code, report, read = self.verify()
        self.assertEqual((code, report["discrepancies"]), (0, []))
        self.assertEqual(read, len(added), "exactly the objects added since the first run")
        code, report, read = self.verify("--full")
        self.assertEqual(code, 0)
        self.assertEqual(read, len(archive_keys(self.st.archive)))

    def test_max_silence_reports_a_station_gone_quiet(self):
        self.dock(1, "ZFY0403", 43)
        self.st.stop()
        metrics = os.path.join(self.st.dir, "verify.prom")
        code, report, _ = self.verify("--max-silence", "1h", "--metrics-file", metrics)
        self.assertEqual(code, 0, report)
        with open(metrics) as f:
            self.assertIn(f'dockd_verify_discrepancies{{station="{self.st.station_id}"}} 0\n', f.read())
        time.sleep(2.5)
        code, report, _ = self.verify("--max-silence", "2s", "--metrics-file", metrics)
        self.assertEqual(code, 1)
        self.assertEqual([(d["check"], d["station"]) for d in report["discrepancies"]],
                         [("silence", self.st.station_id)])
        self.assertTrue(report["discrepancies"][0]["object"].startswith(f"audit/{self.st.station_id}/"))
        with open(metrics) as f:
            text = f.read()
        self.assertIn(f'dockd_verify_discrepancies{{station="{self.st.station_id}"}} 1\n', text)
        self.assertIn("dockd_verify_last_run_timestamp_seconds ", text)
        code, human = run_verify("--keys", self.keys, "--max-silence", "2s", self.target, json_out=False)
        self.assertEqual(code, 1)
        self.assertIn("silence", human)
        self.assertIn("1 discrepancies", human)


if __name__ == "__main__":
    unittest.main()
