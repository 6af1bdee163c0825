"""Issue 14 items 1 and 2 (DESIGN §13): media facts from the sandboxed probe,
through the real daemon, on real media made here by Debian's ffmpeg: a valid
MP4, the same MP4 cut in half (a recording that ended abnormally), a WAV, a
JPEG, random bytes named .mp4, and files that make the helper hang or crash
(test hooks). Checked from outside: API, bay notes, station alerts, the
custody store, the signed manifest, the ledger (JSON, CSV, dockctl) and the
recorder's own storage (never wiped before a file was probed)."""
import csv
import io
import json
import os
import random
import shutil
import subprocess
import time
import unittest
import urllib.request

from harness import Station, wait_for

MP4 = ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440", "-t", "3",
       "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"]


def ffmpeg(out, args):
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *args, out], check=True)


def make_media(media_dir):
    """The recorder's DCIM/100: each kind of file the probe must tell apart."""
    d = os.path.join(media_dir, "DCIM", "100")
    os.makedirs(d, exist_ok=True)
    ffmpeg(os.path.join(d, "a_ok.mp4"), MP4)
    with open(os.path.join(d, "a_ok.mp4"), "rb") as f:
        whole = f.read()
    with open(os.path.join(d, "b_cut.mp4"), "wb") as f:
        f.write(whole[: len(whole) // 2])
    ffmpeg(os.path.join(d, "c_voice.wav"), ["-f", "lavfi", "-i", "sine=frequency=440", "-t", "2"])
    ffmpeg(os.path.join(d, "d_photo.jpg"), ["-f", "lavfi", "-i", "testsrc=size=64x48", "-frames:v", "1"])
    with open(os.path.join(d, "e_noise.mp4"), "wb") as f:
        f.write(random.Random(14).randbytes(200_000))
    # Helper hooks (DOCKD_MEDIA_PROBE_TEST_HOOKS=1): what a hostile file
    # exploiting a demuxer bug could make the helper do.
    with open(os.path.join(d, "f_hang.mp4"), "w") as f:
        f.write("DOCKD-PROBE-TEST:hang")
    with open(os.path.join(d, "g_crash.mp4"), "w") as f:
        f.write("DOCKD-PROBE-TEST:crash")


@unittest.skipUnless(shutil.which("ffmpeg"), "ffmpeg (Debian package ffmpeg) makes the test media")
class MediaFacts(unittest.TestCase):
    def station(self, **kw):
        st = Station(**kw)
        self.addCleanup(st.cleanup)
        os.environ["DOCKD_MEDIA_PROBE_TEST_HOOKS"] = "1"
        self.addCleanup(os.environ.pop, "DOCKD_MEDIA_PROBE_TEST_HOOKS", None)
        st.start()
        return st

    def files(self, st):
        return {f["device_path"]: f for f in st.get("/api/v1/files?limit=100")}

    def test_probe_verdicts_note_alert_manifest_ledger_and_wipe_order(self):
        st = self.station(bays=2, wipe_after="staged", extra="media: {probe_timeout: 3s}\n")
        rec = st.build(1, "ZFY1401", "--files", 0, "--battery", 3, "--officer-no", "004213")
        make_media(os.path.join(rec, "media"))
        originals = sorted(os.listdir(os.path.join(rec, "media", "DCIM", "100")))
        st.plug(1, rec)

        # While the hanging file waits for its deadline, every file is copied
        # and verified, yet the recorder still holds every original.
        def verified_while_probing():
            with st.db() as db:
                rows = db.execute("SELECT verified_at, media_probed_at FROM files").fetchall()
            return len(rows) == 7 and all(r[0] for r in rows) and any(r[1] is None for r in rows)
        wait_for(verified_while_probing, 60, "all files verified while a probe is still running", interval=0.05)
        self.assertEqual(sorted(os.listdir(os.path.join(st.bay_path(1), "media", "DCIM", "100"))), originals,
                         "nothing wiped before every file was probed")

        def wiped():
            return not os.listdir(os.path.join(st.bay_path(1), "media", "DCIM", "100"))
        wait_for(wiped, 90, "the recorder wiped once every probe ran")
        with st.db() as db:
            for path, probed, wiped_at in db.execute("SELECT device_path, media_probed_at, wiped_at FROM files"):
                self.assertTrue(probed and wiped_at and probed <= wiped_at, f"{path} probed before it was wiped")

        f = self.files(st)
        verdict = {p.rsplit("/", 1)[-1]: f[p]["media"]["integrity"] for p in f}
        self.assertEqual(verdict, {"a_ok.mp4": "ok", "b_cut.mp4": "truncated", "c_voice.wav": "ok",
                                   "d_photo.jpg": "ok", "e_noise.mp4": "not_media", "f_hang.mp4": "unreadable",
                                   "g_crash.mp4": "unreadable"})
        ok = f["DCIM/100/a_ok.mp4"]["media"]
        self.assertEqual((ok["container"], ok["duration_ms"], ok["video"], ok["audio"]),
                         ("mp4", 3000, {"codec": "h264", "width": 320, "height": 240}, {"codec": "aac"}))
        self.assertIsNone(f["DCIM/100/d_photo.jpg"]["media"]["duration_ms"], "a photo has no duration")
        self.assertIn("killed after 3000 ms", f["DCIM/100/f_hang.mp4"]["media"]["detail"])
        self.assertIn("signal 11", f["DCIM/100/g_crash.mp4"]["media"]["detail"])

        # The officer's note on the bay, and the station's alert.
        notes = st.bays()[1]["notes"]
        self.assertIn("recording ended abnormally: DCIM/100/b_cut.mp4 (battery 3 % at docking)", notes)
        alerts = st.get("/api/v1/station")["alerts"]
        self.assertTrue(any(a.startswith("truncated_recording: recorder ZFY1401: DCIM/100/b_cut.mp4") for a in alerts),
                        alerts)
        with urllib.request.urlopen(st.url + "/metrics", timeout=10) as r:
            self.assertIn('dockd_alerts_by_code{code="truncated_recording"} 1', r.read().decode())

        # The crash and the hang faulted nothing else: bay 2 docks and copies.
        st.insert(2, "ZFY1402", "--files", 2, "--file-size", 4096)
        st.wait_bay(2, ("staged", "ready"), timeout=60)

        # Signed manifest: every file's media facts.
        st.wait_files_in_manifests(9, timeout=90)
        self.assertGreaterEqual(st.verify_signatures(), 1)
        docking = f["DCIM/100/a_ok.mp4"]["docking_id"]
        manifest = next(m for m in st.manifests().values() if m["docking"]["id"] == docking)
        by_path = {x["device_path"]: x["media"] for x in manifest["files"]}
        self.assertEqual(by_path["DCIM/100/b_cut.mp4"]["integrity"], "truncated")
        self.assertEqual(by_path["DCIM/100/a_ok.mp4"]["duration_ms"], 3000)

        # Ledger: recorded duration is the sum of the probed durations (MP4
        # 3 s + WAV 2 s; the cut MP4 lost its index, so it has none).
        ledger = {r["docking_id"]: r for r in st.get("/api/v1/ledger") if r["kind"] == "docking"}
        self.assertEqual(ledger[docking]["recorded_duration_s"], 5.0)
        self.assertEqual(ledger[docking]["truncated_files"], 1)
        self.assertEqual(st.dockctl("verify").returncode, 0)

    def test_assignments_are_ledger_rows_in_json_csv_and_dockctl(self):
        st = self.station(bays=1)
        st.dockctl("assign", "ZFY1403", "--officer", "004213", "--officer-name", "Li Lei")
        st.dockctl("assign", "ZFY1403", "--officer", "004214", "--officer-name", "Han Meimei")
        rows = [r for r in st.get("/api/v1/ledger") if r["kind"] == "assignment"]
        self.assertEqual([(r["serial"], r["officer_no"], r["previous_officer_no"]) for r in rows],
                         [("ZFY1403", "004213", None), ("ZFY1403", "004214", "004213")])
        self.assertTrue(all(r["assigned_by"] for r in rows), rows)
        self.assertIsNone(rows[0]["docking_id"])
        text = st.dockctl("ledger", "--csv").stdout.lstrip("\ufeff")
        csv_rows = [r for r in csv.DictReader(io.StringIO(text)) if r["kind"] == "assignment"]
        self.assertEqual([(r["officer_no"], r["previous_officer_no"]) for r in csv_rows],
                         [("004213", ""), ("004214", "004213")])
        self.assertIn("assigned", st.dockctl("ledger").stdout)

    def test_probing_off_keeps_media_null_and_does_not_hold_the_wipe(self):
        st = self.station(bays=1, wipe_after="staged", extra="media: {probe: false}\n")
        rec = st.build(1, "ZFY1404", "--files", 0)
        make_media(os.path.join(rec, "media"))
        st.plug(1, rec)
        wait_for(lambda: not os.listdir(os.path.join(st.bay_path(1), "media", "DCIM", "100")), 60, "wiped")
        self.assertTrue(all(f["media"] is None for f in self.files(st).values()), "not probed: null, not a guess")
        ledger = [r for r in st.get("/api/v1/ledger") if r["kind"] == "docking"]
        self.assertIsNone(ledger[0]["recorded_duration_s"])


if __name__ == "__main__":
    unittest.main()
