"""Recorders that misbehave: the bay says why, the station keeps serving the
other bays, and nothing already on the recorder is lost or wiped."""
import os
import unittest

from harness import Station, edit_device, media_files, wait_for

MiB = 1 << 20


class Faults(unittest.TestCase):
    def station(self, **kw):
        st = Station(**kw)
        self.addCleanup(st.cleanup)
        st.start()
        return st

    def test_malformed_device_json_faults_only_its_bay(self):
        st = self.station(bays=2, wipe_after="staged")
        bad = st.build(1, "ZFY0400", "--files", 2, "--file-size", MiB)
        with open(os.path.join(bad, "device.json"), "w") as f:
            f.write('{"serial": "ZFY0400", "battery_percent": "full"}')
        good = st.build(2, "ZFY0401", "--files", 2, "--file-size", MiB)
        before = media_files(bad)
        st.plug(1, bad)
        st.plug(2, good)
        b1 = st.wait_bay(1, "fault")
        self.assertIn("battery_percent", b1["error"])
        st.wait_bay(2, "ready")
        self.assertEqual(st.bays()[1]["state"], "fault", "a failed step ends the session's steps")
        with st.db() as db:
            self.assertEqual(db.execute("SELECT COUNT(*) FROM files WHERE serial='ZFY0400'").fetchone()[0], 0)
        self.assertEqual(media_files(st.bay_path(1)), before, "a faulted recorder is not touched")
        alerts = st.get("/api/v1/station")["alerts"]
        self.assertTrue(any("bay 1 fault" in a for a in alerts), alerts)
        st.unplug(1, os.path.join(st.dir, "out"))
        st.wait_bay(1, "empty")

    def test_read_error_keeps_the_rest_and_next_docking_completes(self):
        st = self.station(bays=1, wipe_after="staged")
        d = st.build(1, "ZFY0410", "--files", 4, "--file-size", 2 * MiB, "--seed", 9)
        originals = media_files(d)
        victim = sorted(p for p in originals if p.endswith(".mp4"))[0]
        edit_device(d, faults={"io_error": [{"path": victim, "offset": MiB}]})
        st.plug(1, d)
        b = st.wait_bay(1, "fault")
        self.assertIn("could not be copied", b["error"])
        self.assertIn("Input/output error", b["error"])
        st.wait_queue_empty()
        left = media_files(st.bay_path(1))
        self.assertEqual(left, originals, "no wipe while the docking is in fault")
        with st.db() as db:
            staged = {r[0] for r in db.execute("SELECT device_path FROM files WHERE state IN ('staged','archived')")}
        self.assertEqual(staged, set(originals) - {victim})
        self.assertEqual(os.listdir(os.path.join(st.staging, ".tmp")), [])
        # The recorder is taken out, its fault cleared, docked again.
        held = os.path.join(st.dir, "held")
        st.unplug(1, held)
        st.wait_bay(1, "empty")
        edit_device(held, faults={})
        st.plug(1, held)
        st.wait_bay(1, "ready")
        st.wait_queue_empty()
        with st.db() as db:
            rows = db.execute("SELECT device_path, COUNT(*) FROM files WHERE state!='failed' "
                              "GROUP BY device_path").fetchall()
            failed = db.execute("SELECT device_path, reason FROM files WHERE state='failed'").fetchall()
        self.assertEqual({r[0] for r in rows}, set(originals))
        self.assertTrue(all(r[1] == 1 for r in rows))
        # The first docking's failed attempt keeps its own row and reason (issue 9).
        self.assertEqual([r[0] for r in failed], [victim])
        self.assertIn("Input/output error", failed[0][1])
        self.assertEqual(media_files(st.bay_path(1)), {}, "wiped once everything was staged and verified")

    def test_staging_disk_low_pauses_the_copy(self):
        st = self.station(bays=1, wipe_after="staged")
        with open(st.config) as f:
            cfg = f.read()
        st.stop()
        with open(st.config, "w") as f:
            f.write(cfg.replace("min_free_bytes: 64MiB", "min_free_bytes: 900TiB"))
        st.start()
        d = st.build(1, "ZFY0420", "--files", 2, "--file-size", MiB)
        before = media_files(d)
        st.plug(1, d)
        b = wait_for(lambda: (lambda b: b if "staging disk low" in (b["error"] or "") else None)(st.bays()[1]), 60,
                     "the bay to pause on a full disk")
        self.assertEqual(b["state"], "offloading", "paused, not faulted: it resumes when there is room")
        self.assertTrue(b["error"].startswith("disk_low"), b["error"])
        self.assertEqual(media_files(st.bay_path(1)), before)
        with st.db() as db:
            self.assertEqual(db.execute("SELECT COUNT(*) FROM files").fetchone()[0], 0)

    def test_clock_that_cannot_be_set_is_a_fault_after_staging(self):
        st = self.station(bays=1)
        d = st.build(1, "ZFY0430", "--files", 2, "--file-size", MiB, "--clock-offset", "-300")
        edit_device(d, faults={"clock_set_fails": True})
        st.plug(1, d)
        b = st.wait_bay(1, "fault")
        self.assertIn("cannot set device clock", b["error"])
        st.wait_queue_empty()
        with st.db() as db:
            n = db.execute("SELECT COUNT(*) FROM files WHERE state='archived'").fetchone()[0]
            ev = db.execute("SELECT payload FROM audit WHERE kind='clock_set'").fetchall()
        self.assertEqual(n, len(media_files(st.bay_path(1))), "files were staged and archived before the clock step")
        self.assertEqual(len(ev), 1)
        self.assertIn('"ok":false', ev[0][0])

    def test_stalled_recorder_is_reported(self):
        st = self.station(bays=1)
        d = st.build(1, "ZFY0440", "--files", 2, "--file-size", 4 * MiB)
        edit_device(d, faults={"stall_after_bytes": MiB})
        st.plug(1, d)
        wait_for(lambda: "not answering" in (st.bays()[1]["error"] or ""), 60, "the stall to be reported", 0.5)
        self.assertEqual(st.bays()[1]["state"], "offloading")
        st.unplug(1, os.path.join(st.dir, "out"))
        st.wait_bay(1, "empty", timeout=30)
        self.assertEqual(os.listdir(os.path.join(st.staging, ".tmp")), [])


if __name__ == "__main__":
    unittest.main()
