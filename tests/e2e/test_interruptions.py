"""Removal mid-copy and kill -9 at random instants: nothing lost, nothing
counted twice, nothing left behind."""
import os
import random
import time
import unittest

from harness import Station, media_files, sha256_file, wait_for

MiB = 1 << 20


def staged_rows(st):
    with st.db() as db:
        return db.execute("SELECT serial, device_path, size, sha256, state, staging_name, docking_id "
                          "FROM files WHERE state != 'refused'").fetchall()


def assert_custody_complete(test, st, originals_by_serial):
    """Every original file exactly once in the store, archived, byte-identical in the archive;
    no partial or orphaned copies anywhere; audit chain intact; manifests verify."""
    rows = staged_rows(st)
    seen = {}
    for r in rows:
        key = (r["serial"], r["device_path"])
        test.assertNotIn(key, seen, f"{key} counted twice")
        seen[key] = r
    expected = {(s, p): h for s, files in originals_by_serial.items() for p, h in files.items()}
    test.assertEqual(set(seen), set(expected), "store holds exactly the recorders' files")
    for key, digest in expected.items():
        r = seen[key]
        test.assertEqual(r["state"], "archived", key)
        test.assertEqual(r["sha256"], digest, key)
    manifests = st.manifests()
    in_manifests = {}
    for m in manifests.values():
        for f in m["files"]:
            k = (m["recorder"]["serial"], f["device_path"])
            test.assertNotIn(k, in_manifests, f"{k} in two manifests")
            in_manifests[k] = f
            test.assertEqual(sha256_file(os.path.join(st.archive, f["object"])), expected[k])
    test.assertEqual(set(in_manifests), set(expected), "every file in exactly one signed manifest")
    st.verify_signatures()
    test.assertEqual(os.listdir(os.path.join(st.staging, ".tmp")), [], "no partial copies in staging")
    incoming = os.path.join(st.archive, ".incoming", st.station_id)
    test.assertEqual(os.listdir(incoming) if os.path.isdir(incoming) else [], [], "no temp files in the archive")
    with st.db() as db:
        live = {r[0] for r in db.execute("SELECT staging_name FROM files WHERE staging_name IS NOT NULL "
                                         "AND purged_at IS NULL")}
    on_disk = set()
    for d in os.listdir(st.staging):
        if d != ".tmp":
            on_disk |= {f"{d}/{f}" for f in os.listdir(os.path.join(st.staging, d))}
    test.assertEqual(on_disk - live, set(), "no uncommitted copies left in staging")
    test.assertEqual(st.dockctl("verify").returncode, 0)


class Interruptions(unittest.TestCase):
    def test_unplug_mid_copy_resumes_on_next_docking(self):
        st = Station(bays=2, wipe_after="never")
        self.addCleanup(st.cleanup)
        st.start()
        # 10 files of 4 MiB at 16 MB/s: about 2.6 s of copying to interrupt.
        d = st.build(1, "ZFY0200", "--files", "10", "--file-size", 4 * MiB, "--read-rate", 16_000_000, "--seed", 7)
        originals = media_files(d)
        st.plug(1, d)
        wait_for(lambda: st.bays()[1]["progress"]["files_done"] >= 3, 60, "three files copied")
        held = os.path.join(st.dir, "held-ZFY0200")
        st.unplug(1, held)
        st.wait_bay(1, "empty", timeout=30)
        with st.db() as db:
            first = db.execute("SELECT id, undocked_at, close_reason FROM dockings").fetchall()
            staged_first = db.execute("SELECT COUNT(*) FROM files WHERE docking_id=?", (first[0]["id"],)).fetchone()[0]
        self.assertEqual(len(first), 1)
        self.assertEqual(first[0]["close_reason"], "removed")
        self.assertIsNotNone(first[0]["undocked_at"])
        self.assertGreaterEqual(staged_first, 3)
        self.assertLess(staged_first, 10, "the removal really interrupted the copy")
        self.assertEqual(os.listdir(os.path.join(st.staging, ".tmp")), [], "the partial copy was discarded")

        st.plug(1, held)
        st.wait_bay(1, "ready", timeout=120)
        st.wait_queue_empty()
        st.wait_files_in_manifests(len(originals))
        with st.db() as db:
            dockings = db.execute("SELECT id FROM dockings ORDER BY docked_at").fetchall()
            second = db.execute("SELECT COUNT(*) FROM files WHERE docking_id=?", (dockings[1]["id"],)).fetchone()[0]
        self.assertEqual(len(dockings), 2)
        self.assertEqual(second, 10 - staged_first, "the next docking copies only what is missing")
        assert_custody_complete(self, st, {"ZFY0200": originals})
        self.assertEqual(st.stop(), 0)

    def test_kill9_at_random_instants_loses_nothing(self):
        st = Station(bays=3, wipe_after="never")
        self.addCleanup(st.cleanup)
        originals = {}
        # Different speeds, so kills land in every phase: copy, verify, upload, manifest.
        rates = {1: 60_000_000, 2: 4_000_000, 3: 10_000_000}
        for bay in (1, 2, 3):
            serial = f"ZFY03{bay:02d}"
            d = st.build(bay, serial, "--tree", "nested", "--files", 12, "--file-size", 3 * MiB, "--zero-file",
                         "--read-rate", rates[bay], "--seed", 100 + bay)
            originals[serial] = media_files(d)
            st.plug(bay, d)
        rng = random.Random(int(os.environ.get("DOCKD_KILL_SEED", "20261125")))
        kills = 0
        # Recorders stay docked: each restart re-detects them and copies what is missing.
        while kills < 24:
            st.start(wait=False)
            time.sleep(rng.uniform(0.02, 0.8))
            if st.proc.poll() is not None:
                self.fail(f"dockd exited on its own ({st.proc.returncode}):\n{st.log()[-3000:]}")
            st.kill9()
            kills += 1
        st.start()
        for bay in (1, 2, 3):
            st.wait_bay(bay, "ready", timeout=240)
        st.wait_queue_empty(timeout=240)
        st.wait_files_in_manifests(sum(len(f) for f in originals.values()))
        assert_custody_complete(self, st, originals)
        self.assertEqual(st.stop(), 0)
        print(f"\nkill -9 test: {kills} kills", flush=True)


if __name__ == "__main__":
    unittest.main()
