"""Issue 12 (5): staging on a small tmpfs that fills during an offload. The bay
pauses with disk_low, nothing on the recorder is wiped, no partial file is ever
committed, and the offload resumes once uploads have purged staging."""
import os
import subprocess
import unittest

from harness import Station, media_files, sha256_file, wait_for

MiB = 1 << 20


class FullDisk(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("mounting a small tmpfs for staging needs root")

    def test_a_full_staging_disk_pauses_and_resumes_without_loss(self):
        st = Station(bays=1, wipe_after="staged")
        self.addCleanup(st.cleanup)
        staging = os.path.join(st.dir, "small-staging")
        os.makedirs(staging)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", staging], check=True)
        self.addCleanup(subprocess.run, ["umount", "-l", staging])
        with open(st.config) as f:
            text = f.read()
        with open(st.config, "w") as f:
            f.write(text.replace(f"data_dir: {st.data_dir}}}", f"data_dir: {st.data_dir}, staging_dir: {staging}}}")
                    .replace("min_free_bytes: 64MiB", "min_free_bytes: 2MiB"))
        st.staging = staging
        st.start()
        # 48 MiB through a 24 MiB staging disk; reads slowed so the pause is seen.
        d = st.build(1, "ZFY0980", "--files", 12, "--file-size", 4 * MiB, "--read-rate", 40_000_000)
        originals = media_files(d)
        st.plug(1, d)
        paused = wait_for(lambda: (lambda b: b if (b["error"] or "").startswith("disk_low") else None)(st.bays()[1]),
                          120, "the bay to pause on the full staging disk")
        self.assertEqual(paused["state"], "offloading")
        alerts = st.get("/api/v1/station")["alerts"]
        self.assertTrue(any(a.startswith("disk_low") for a in alerts), alerts)
        self.assertEqual(media_files(st.bay_path(1)), originals, "nothing wiped while the offload is paused")
        b = st.wait_bay(1, "ready", timeout=180)
        self.assertIsNone(b["error"])
        st.wait_queue_empty()
        with st.db() as db:
            rows = db.execute("SELECT device_path, sha256, object_key, state FROM files").fetchall()
        self.assertEqual({r["device_path"]: r["sha256"] for r in rows}, originals, "every file, each once")
        self.assertTrue(all(r["state"] == "archived" for r in rows))
        for r in rows:
            self.assertEqual(sha256_file(os.path.join(st.archive, r["object_key"])), r["sha256"])
        self.assertEqual(os.listdir(os.path.join(staging, ".tmp")), [], "no partial file left")
        self.assertEqual(st.dockctl("verify").returncode, 0)


if __name__ == "__main__":
    unittest.main()
