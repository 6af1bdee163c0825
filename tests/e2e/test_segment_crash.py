"""Publishing the audit chain survives kill -9 at any moment (issue 10, DESIGN
§11): right after a segment is fixed in the store, right after its object
reaches the archive (before its .sig), and at random moments while rows keep
coming. After the last restart the published chain recomputes from seq 1
with no gap and no overlap, no segment was ever rewritten, and dockd-verify
passes."""
import os
import random
import threading
import time
import unittest

from harness import Station, chain_from_segments, run_verify, wait_for


class SegmentCrash(unittest.TestCase):
    def setUp(self):
        self.st = Station(bays=1, upload="""upload:
  targets: [{url: "file:archive"}]
  retry: {initial: 100ms, max: 1s}
  segment_interval: 1s""")
        self.addCleanup(self.st.cleanup)
        self.rng = random.Random(1010)

    def busy(self, stop):
        """Audit rows keep coming: every footage-metadata read is registered (seed R6)."""
        while not stop.is_set():
            try:
                self.st.get("/api/v1/files?limit=1")
            except OSError:
                time.sleep(0.01)

    def segments_cut(self):
        with self.st.db() as db:
            return db.execute("SELECT COUNT(*) FROM publications WHERE kind='segment'").fetchone()[0]

    def objects_without_sig(self):
        folder = os.path.join(self.st.archive, "audit", self.st.station_id)
        if not os.path.isdir(folder):
            return False
        names = set(os.listdir(folder))
        return any(n.endswith(".jsonl") and n + ".sig" not in names for n in names)

    def kill_when(self, moment):
        stop = threading.Event()
        worker = threading.Thread(target=self.busy, args=(stop,))
        worker.start()
        try:
            if moment == "after the cut":
                before = self.segments_cut()
                wait_for(lambda: self.segments_cut() > before, 30, "a new segment fixed in the store", 0.005)
            elif moment == "between object and signature":
                try:
                    wait_for(self.objects_without_sig, 5, "a segment object before its .sig", 0.001)
                except AssertionError:
                    pass  # a race lost: the kill below is then at a random moment
            else:
                time.sleep(self.rng.uniform(0.2, 2.5))
            self.st.kill9()
        finally:
            stop.set()
            worker.join()

    def test_kill9_while_publishing_leaves_no_gap_and_no_overlap(self):
        self.st.start()
        keys = self.st.enrol(os.path.join(self.st.dir, "keys"))
        moments = ["after the cut", "between object and signature", "random"] * 3
        for moment in moments:
            self.kill_when(moment)
            self.st.start()
        self.st.wait_published(120)
        self.st.stop()

        names, rows = chain_from_segments(self.st.archive, self.st.station_id)
        with self.st.db() as db:
            head = db.execute("SELECT MAX(seq) FROM audit").fetchone()[0]
            cut = db.execute("SELECT first_seq, last_seq FROM publications WHERE kind='segment' "
                             "ORDER BY first_seq").fetchall()
            conflicts = db.execute("SELECT COUNT(*) FROM audit WHERE kind='upload_conflict'").fetchone()[0]
        self.assertEqual(len(rows), head, "every row published exactly once")
        self.assertEqual([tuple(r) for r in cut], [tuple(int(x) for x in n[:-6].split("-")) for n in names])
        self.assertEqual(conflicts, 0, "no segment was ever offered with other bytes")
        self.assertGreaterEqual(len(names), len(moments), "segments were being published throughout")
        code, report = run_verify("--keys", keys, f"file://{self.st.archive}")
        self.assertEqual((code, report["discrepancies"]), (0, []))


if __name__ == "__main__":
    unittest.main()
