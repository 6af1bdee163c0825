"""A target added later (issue 10, seed R8): it receives the whole published
audit chain and the station's keys, and a file retained after it was
archived reaches it too, although its staging copy is long purged: the
station copies it back from a target that holds it, checked against its
sha256. Standard files stay where they were."""
import os
import unittest

from harness import Station, chain_from_segments, sha256_file, wait_for


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


if __name__ == "__main__":
    unittest.main()
