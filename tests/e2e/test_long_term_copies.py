"""A target added later (issue 10, seed R8): it receives the whole published
audit chain and the station's keys, and a file retained after it was
archived reaches it too, although its staging copy is long purged: the
station copies it back from a target that holds it, checked against its
sha256. Standard files stay where they were."""
import os
import shutil
import subprocess
import unittest

from harness import DOCKD, Station, chain_from_segments, sha256_file, wait_for



class LongTermCopies(unittest.TestCase):
    def test_file_retained_after_archiving_reaches_a_target_added_later(self):
        st = Station(bays=1, upload="""upload:
  targets: [{url: "file:archive"}]
  retry: {initial: 200ms, max: 2s}
  segment_interval: 1s""")
        self.addCleanup(st.cleanup)
        st.start()
        st.insert(1, "ZFY0501", "--files", 3, "--file-size", 120000, "--seed", 51)
        st.wait_bay(1, "ready")
        st.unplug(1, os.path.join(st.dir, "gone"))
        st.wait_published()
        with st.db() as db:
            file_id, key, sha, purged = db.execute(
                "SELECT id, object_key, sha256, purged_at FROM files ORDER BY id LIMIT 1").fetchone()
        self.assertIsNotNone(purged, "the staging copy is gone once archived")
        st.stop()

        second = os.path.join(st.dir, "second")
        with open(st.config) as f:
            config = f.read()
        with open(st.config, "w") as f:
            f.write(config.replace('targets: [{url: "file:archive"}]',
                                   'targets: [{url: "file:archive"}, {url: "file:second"}]'))
        st.start()
        st.dockctl("retain", str(file_id), "--reason", "court order 5")
        copy = os.path.join(second, key)
        wait_for(lambda: os.path.exists(copy), 60, "the retained file on the added target", 0.2)
        self.assertEqual(sha256_file(copy), sha)
        st.wait_published()
        st.stop()
        # The added target holds the whole chain from seq 1, the key and the amendment ...
        names, _ = chain_from_segments(second, st.station_id)
        self.assertEqual(names, chain_from_segments(st.archive, st.station_id)[0])
        self.assertTrue(os.path.exists(os.path.join(second, "keys", st.station_id, "1.pem")))
        self.assertTrue(os.listdir(os.path.join(second, "amendments", st.station_id)))
        # ... and of the footage only the long_term file.
        media = [os.path.join(b, n) for b, _, ns in os.walk(os.path.join(second, "media")) for n in ns]
        self.assertEqual([os.path.relpath(m, second) for m in media], [key])
        self.assertFalse(os.listdir(os.path.join(st.staging, ".tmp")), "the copy-back temp file is gone")


class TwoCopies(unittest.TestCase):
    """Issue 14 item 4 (seed R8: two copies): the configuration must name
    enough targets, and a long-term file short of copies is not archived,
    raises an alert and shows in a metric until the second copy lands."""

    def test_check_config_refuses_fewer_targets_than_long_term_copies(self):
        st = Station(bays=1)
        self.addCleanup(st.cleanup)
        with open(st.config) as f:
            text = f.read()
        with open(st.config, "w") as f:
            f.write(text.replace("retention: {long_term_copies: 1}\n", ""))
        line = next(n for n, l in enumerate(text.splitlines(), 1) if l.strip().startswith("targets:"))
        r = subprocess.run([DOCKD, "--config", st.config, "--check-config"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn(f"{st.config}:{line}: retention.long_term_copies is 2 but upload.targets lists 1 target",
                      r.stdout + r.stderr)
        with open(st.config, "w") as f:
            f.write(text)
        r = subprocess.run([DOCKD, "--config", st.config, "--check-config"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_a_long_term_file_short_of_a_copy_is_not_archived_and_is_alerted(self):
        st = Station(bays=1, upload="""upload:
  targets: [{url: "file:archive"}, {url: "file:second/archive"}]
  retry: {initial: 200ms, max: 1s}""", extra="retention: {upload_deadline: 1s}")
        self.addCleanup(st.cleanup)
        second = os.path.join(st.dir, "second")
        st.start()
        # The second target breaks: a file where its directory should be.
        shutil.rmtree(second, ignore_errors=True)
        with open(second, "w") as f:
            f.write("a file where the second target's directory should be\n")
        st.insert(1, "ZFY0801", "--files", 2, "--file-size", 60000, "--seed", 81)
        st.wait_bay(1, "ready")
        with st.db() as db:
            fid = db.execute("SELECT id FROM files ORDER BY id LIMIT 1").fetchone()[0]
        st.dockctl("retain", str(fid), "--reason", "dispute 12")
        wait_for(lambda: st.metric("dockd_long_term_short_of_copies") == 1, 30, "the copies metric", 0.3)
        alerts = st.get("/api/v1/station")["alerts"]
        self.assertTrue(any(a.startswith("long_term_copies: 1 long-term file") for a in alerts), alerts)
        self.assertEqual(st.metric('dockd_alerts_by_code{code="long_term_copies"}'), 1)
        with st.db() as db:
            state, done = db.execute("SELECT state, (SELECT COUNT(*) FROM uploads WHERE file_id=? AND state='done') "
                                     "FROM files WHERE id=?", (fid, fid)).fetchone()
        self.assertEqual((state, done), ("staged", 1), "one copy is not archived")
        os.remove(second)  # the second target comes back
        wait_for(lambda: st.metric("dockd_long_term_short_of_copies") == 0, 60, "the second copy", 0.3)
        with st.db() as db:
            self.assertEqual(db.execute("SELECT state FROM files WHERE id=?", (fid,)).fetchone()[0], "archived")
        self.assertTrue(os.path.exists(os.path.join(second, "archive", "media")))

    def test_each_file_goes_to_each_target_once(self):
        # Uploads of one file to two targets run side by side; the first to
        # finish must not let the queue start the other again (the uploader
        # once tracked running uploads by file id alone).
        st = Station(bays=1, upload="""upload:
  targets: [{url: "file:archive"}, {url: "file:second/archive"}]
  concurrency: 4
  retry: {initial: 200ms, max: 1s}""")
        self.addCleanup(st.cleanup)
        st.start()
        st.insert(1, "ZFY0802", "--files", 8, "--file-size", 3_000_000, "--seed", 82)
        st.wait_bay(1, "ready")
        st.wait_queue_empty()
        with st.db() as db:
            files = db.execute("SELECT COUNT(*) FROM files WHERE state='archived'").fetchone()[0]
            per_copy = db.execute("SELECT json_extract(payload,'$.file_id'), json_extract(payload,'$.target'), "
                                  "COUNT(*) FROM audit WHERE kind='archived' GROUP BY 1, 2").fetchall()
        self.assertEqual(files, 8)
        self.assertEqual(len(per_copy), 16, per_copy)
        self.assertEqual([r for r in per_copy if r[2] != 1], [], "uploaded twice to the same target")


if __name__ == "__main__":
    unittest.main()
