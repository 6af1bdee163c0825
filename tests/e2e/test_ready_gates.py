"""Issue 9: "ready" only when every gate holds (charge, clock, free storage,
firmware), each unmet gate named on the bay; object keys that fit every
target; a file no target can take does not hold its bay forever."""
import os
import unittest

from harness import Station, edit_device, media_files, wait_for

MiB = 1 << 20


def gate(bay, name):
    return next((g for g in bay["gates"] if g["name"] == name), None)


class ReadyGates(unittest.TestCase):
    def station(self, **kw):
        st = Station(**kw)
        self.addCleanup(st.cleanup)
        st.start()
        return st

    def test_firmware_and_free_storage_gates_are_named_until_met(self):
        st = self.station(bays=2, extra="""checks:
  min_free_storage: 10MiB
  firmware:
    - {model: S1, min_version: "2.0"}
""")
        old = st.build(1, "ZFY0950", "--files", 1, "--file-size", MiB, "--firmware", "1.9.7")
        full = st.build(2, "ZFY0951", "--files", 2, "--file-size", MiB, "--firmware", "2.0.1",
                        "--storage-total", 3 * MiB)
        st.plug(1, old)
        st.plug(2, full)
        for bay, name, words in ((1, "firmware", "1.9.7 < 2.0"), (2, "storage", "free")):
            wait_for(lambda: gate(st.bays()[bay], "charge") is not None, 60, f"bay {bay} to weigh its gates")
            b = st.bays()[bay]
            self.assertEqual(b["state"], "staged", b)
            g = gate(b, name)
            self.assertFalse(g["met"], b["gates"])
            self.assertIn(words, g["detail"])
            others = [x for x in b["gates"] if x["name"] != name]
            self.assertTrue(all(x["met"] for x in others), b["gates"])
        # wipe_after never: the full recorder stays full, and not ready.
        self.assertEqual(st.bays()[2]["state"], "staged")

    def test_free_storage_is_read_after_the_wipe(self):
        st = self.station(bays=1, wipe_after="staged", extra="checks: {min_free_storage: 2MiB}\n")
        d = st.build(1, "ZFY0955", "--files", 2, "--file-size", MiB, "--storage-total", 3 * MiB)
        st.plug(1, d)
        b = st.wait_bay(1, "ready")
        self.assertTrue(gate(b, "storage")["met"], b["gates"])
        self.assertEqual(media_files(st.bay_path(1)), {})

    def test_a_stall_without_a_switchable_port_is_shown_on_the_bay(self):
        st = self.station(bays=1)
        st.reconfigure("charge: {ready_percent: 80}", "charge: {ready_percent: 80, stall_power_cycle_after: 1s}")
        d = st.build(1, "ZFY0965", "--files", 1, "--file-size", 4 * MiB)
        edit_device(d, faults={"stall_after_bytes": MiB})
        st.plug(1, d)
        b = wait_for(lambda: (lambda b: b if "port not power-cycled" in (b["error"] or "") else None)(st.bays()[1]),
                     30, "the stall to be shown")
        self.assertEqual(b["state"], "offloading")
        self.assertIn("not answering", b["error"])
        with st.db() as db:
            self.assertEqual(db.execute("SELECT COUNT(*) FROM audit WHERE kind='power'").fetchone()[0], 0)
        st.unplug(1, os.path.join(st.dir, "out"))
        st.wait_bay(1, "empty", timeout=30)

    def test_255_byte_name_is_archived_under_a_key_that_fits(self):
        st = self.station(bays=1)
        d = st.build(1, "ZFY0960", "--files", 1, "--file-size", 1000)
        long_name = "长" * 40 + "A" * 131 + ".mp4"  # 120 + 131 + 4 = 255 bytes in UTF-8
        self.assertEqual(len(long_name.encode()), 255)
        with open(os.path.join(d, "media", long_name), "wb") as f:
            f.write(b"long name footage")
        st.plug(1, d)
        st.wait_bay(1, "ready")
        st.wait_queue_empty()
        st.wait_manifests(1)
        (m,) = st.manifests().values()
        f = next(x for x in m["files"] if x["device_path"] == long_name)
        name = f["object"].rsplit("/", 1)[1]
        self.assertLessEqual(len(name.encode()), 255)
        self.assertTrue(name.endswith(".mp4") and name.startswith(f["sha256"][:16] + "-"), name)
        self.assertTrue(all(len(c.encode()) <= 255 for c in f["object"].split("/")))
        with open(os.path.join(st.archive, f["object"]), "rb") as obj:
            self.assertEqual(obj.read(), b"long name footage")

    def test_a_permanent_refusal_is_alerted_and_does_not_hold_the_bay(self):
        st = self.station(bays=1, wipe_after="archived")
        # A target whose media/ is a file: no retry can create a directory there.
        os.makedirs(st.archive, exist_ok=True)
        with open(os.path.join(st.archive, "media"), "w") as f:
            f.write("not a directory")
        d = st.build(1, "ZFY0970", "--files", 2, "--file-size", MiB)
        before = media_files(d)
        st.plug(1, d)
        b = wait_for(lambda: (lambda b: b if any("kept on the recorder" in n for n in b["notes"]) else None)(
            st.bays()[1]), 60, "the bay to give up waiting for the archive")
        self.assertIn(b["state"], ("staged", "ready"), b)
        self.assertEqual(media_files(st.bay_path(1)), before, "nothing unarchived is wiped")
        alerts = st.get("/api/v1/station")["alerts"]
        self.assertTrue(any(a.startswith("upload_refused") for a in alerts), alerts)
        uploads = st.get("/api/v1/uploads")
        self.assertTrue(all(u["reason"] == "permanent" for u in uploads if u["state"] != "done"), uploads)
        with st.db() as db:
            self.assertGreater(db.execute("SELECT COUNT(*) FROM audit WHERE kind='upload_refused'").fetchone()[0], 0)


if __name__ == "__main__":
    unittest.main()
