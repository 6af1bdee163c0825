"""The whole path of a file, end to end, checked from outside the daemon."""
import os
import unittest

from harness import Station, media_files, sha256_file

MiB = 1 << 20


class DockHashCustodyArchive(unittest.TestCase):
    def setUp(self):
        self.st = Station(bays=4, wipe_after="archived")
        self.addCleanup(self.st.cleanup)

    def test_three_recorders_end_to_end(self):
        st = self.st
        st.start()
        recorders = {
            1: ("ZFY0001", ["--officer-no", "004213", "--officer-name", "张伟", "--unit-name", "城关派出所",
                            "--tree", "nested", "--files", "5", "--file-size", 3 * MiB, "--zero-file",
                            "--big-file", 200 * MiB, "--clock-offset", "-93.5", "--battery", 60,
                            "--charge-rate", 600, "--seed", 1]),
            2: ("ZFY0002", ["--officer-no", "004377", "--tree", "nested", "--files", "7", "--file-size", 1 * MiB,
                            "--zero-file", "--clock-offset", "40", "--seed", 2]),
            3: ("ZFY0003", ["--tree", "nested", "--files", "4", "--file-size", 2 * MiB, "--seed", 3]),
        }
        originals, dirs = {}, {}
        for bay, (serial, args) in recorders.items():
            d = st.build(bay, serial, *args)
            # Files the station must not take (extension not ingested) or must refuse.
            with open(os.path.join(d, "media", "README.TXT"), "w") as f:
                f.write("not media")
            os.symlink("/etc/passwd", os.path.join(d, "media", "DCIM", "escape.mp4"))
            with open(os.path.join(d, "media", "DCIM", "ctl\x01\x1bname.mp4"), "wb") as f:
                f.write(b"hostile name")
            with open(os.path.join(d, "media", "DCIM", "bad\xff.mp4".encode("latin-1").decode("utf-8", "surrogateescape")), "wb") as f:
                f.write(b"not utf-8")
            originals[bay] = {p: h for p, h in media_files(d).items()
                              if not p.endswith(".TXT") and "ctl" not in p and "bad" not in p}
            dirs[bay] = d
        for bay, d in dirs.items():
            st.plug(bay, d)
        for bay in recorders:
            st.wait_bay(bay, "ready", timeout=240)
        st.wait_queue_empty(timeout=240)
        st.wait_manifests(len(recorders))

        manifests = st.manifests()
        wait_count = len(recorders)
        self.assertEqual(len(manifests), wait_count, "one manifest per docking")
        self.assertEqual(st.verify_signatures(), wait_count)
        by_serial = {m["recorder"]["serial"]: m for m in manifests.values()}
        for bay, (serial, _) in recorders.items():
            m = by_serial[serial]
            self.assertEqual(m["schema"], "dockd.manifest/1")
            self.assertEqual(m["station"]["id"], st.station_id)
            self.assertEqual(m["docking"]["bay"], bay)
            entries = {f["device_path"]: f for f in m["files"]}
            self.assertEqual(set(entries), set(originals[bay]), f"{serial}: manifest lists exactly the media files")
            for path, digest in originals[bay].items():
                e = entries[path]
                self.assertEqual(e["sha256"], digest, f"{serial}:{path} manifest hash")
                self.assertEqual(sha256_file(os.path.join(st.archive, e["object"])), digest,
                                 f"{serial}:{path} archived object")
            refused = {f["device_path"]: f["reason"] for f in m["not_ingested"]}
            self.assertIn("symbolic link", refused.get("DCIM/escape.mp4", ""))
            self.assertIn("control byte", refused.get("DCIM/ctl\\x01\\x1Bname.mp4", ""))
            self.assertTrue(any("UTF-8" in r for r in refused.values()), refused)

        # Clock: measured offset in the manifest, recorded_at corrected by it.
        m1 = by_serial["ZFY0001"]
        self.assertAlmostEqual(m1["clock"]["offset_ms"], -93500, delta=1500)
        self.assertEqual(m1["custodian"]["officer_no"], "004213")
        self.assertEqual(m1["custodian"]["name"], "张伟")
        with open(os.path.join(st.bay_path(1), "device.json")) as f:
            self.assertIn('"clock_offset_s": 0', f.read().replace(" ", "").replace('"clock_offset_s":0', '"clock_offset_s": 0'))

        # Sizes: the 0-byte file and the 200 MiB one came through whole.
        sizes = {f["device_path"]: f["size"] for f in m1["files"]}
        self.assertIn(0, sizes.values())
        self.assertIn(200 * MiB, sizes.values())

        # wipe_after: archived -> media files gone from the recorder, everything else left.
        for bay in recorders:
            left = media_files(st.bay_path(bay))
            self.assertFalse(set(left) & set(originals[bay]), f"bay {bay}: archived media wiped")
            self.assertIn("README.TXT", left, "files the station did not take stay on the recorder")
            self.assertTrue(os.path.islink(os.path.join(st.bay_path(bay), "media", "DCIM", "escape.mp4")))

        self.assertEqual(st.dockctl("verify").returncode, 0)
        csv = st.dockctl("ledger", "--csv").stdout
        self.assertTrue(csv.startswith("\ufeff"), "ledger CSV starts with a BOM")
        self.assertEqual(len(csv.strip().splitlines()), 1 + len(recorders))
        # No temp litter in staging or in the archive.
        self.assertEqual(os.listdir(os.path.join(st.staging, ".tmp")), [])
        self.assertEqual(os.listdir(os.path.join(st.archive, ".incoming", st.station_id)), [])
        self.assertEqual(st.stop(), 0)

    def test_wipe_never_leaves_recorder_untouched(self):
        st = Station(bays=1, wipe_after="never")
        self.addCleanup(st.cleanup)
        st.start()
        d = st.build(1, "ZFY0100", "--files", "3", "--file-size", MiB, "--zero-file")
        before = media_files(d)
        st.plug(1, d)
        st.wait_bay(1, "ready")
        st.wait_queue_empty()
        self.assertEqual(media_files(st.bay_path(1)), before)
        st.wait_manifests(1)
        self.assertEqual(st.verify_signatures(), 1)


class ConfigCheck(unittest.TestCase):
    def test_check_config_exit_codes(self):
        st = Station()
        self.addCleanup(st.cleanup)
        import subprocess
        from harness import DOCKD
        self.assertEqual(subprocess.run([DOCKD, "--config", st.config, "--check-config"]).returncode, 0)
        with open(st.config, "a") as f:
            f.write("bogus_key: 1\n")
        r = subprocess.run([DOCKD, "--config", st.config, "--check-config"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertRegex(r.stderr, r"dockd\.yaml:\d+: .*bogus_key")

    def test_check_config_reads_the_tokens_file(self):
        import subprocess
        from harness import DOCKD
        st = Station()
        self.addCleanup(st.cleanup)
        tokens = os.path.join(st.dir, "tokens")
        with open(tokens, "w") as f:
            f.write("0123456789abcdef0123 superuser bob\n")
        os.chmod(tokens, 0o600)
        with open(st.config) as f:
            cfg = f.read()
        with open(st.config, "w") as f:
            f.write(cfg.replace("api: {listen:", f"api: {{tokens_file: {tokens}, listen:"))
        r = subprocess.run([DOCKD, "--config", st.config, "--check-config"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn(f"{tokens}:1:", r.stderr)


if __name__ == "__main__":
    unittest.main()
