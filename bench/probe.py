#!/usr/bin/env python3
"""Media probe benchmark (issue 14): does probing slow ingest? The same real
recordings (an H.264/AAC MP4 made by ffmpeg, copied under many names) are
offloaded from simulated bays with `media.probe: false` and with probing on,
alternately, and the script prints for each run the ingest time (plug ->
every bay staged, "safe to leave") and, with probing on, when the last file
was probed and the probe's mean cost per file. Goal: ingest time with probing
within the run-to-run noise of ingest time without (probing runs on its own
thread, after each commit, never on the copy path).

usage: bench/probe.py [--bays 2] [--files 8] [--seconds 60] [--rounds 2] [--read-rate B/s]
Unthrottled, the sim recorders deliver from the page cache at ~0.8 GB/s and
ingest saturates both cores and the disk: the worst case for anything running
beside it. --read-rate 35000000 paces them like USB 2.0 mass storage.
Needs a built tree (scripts/build.sh) and ffmpeg."""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from harness import Station, wait_for  # noqa: E402


def make_recording(path, seconds):
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=1280x720:rate=25", "-f", "lavfi", "-i", "sine=frequency=440", "-t", str(seconds),
                    "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "4M", "-c:a", "aac", path], check=True)


def run(probe, recording, bays, files, read_rate=0):
    st = Station(bays=bays, verify="none", wipe_after="never", extra=f"media: {{probe: {str(probe).lower()}}}\n",
                 upload="upload:\n  targets: []")
    dirs = []
    for b in range(1, bays + 1):
        d = st.build(b, f"PROBE{b:03d}", "--files", 0, "--seed", b, *(["--read-rate", read_rate] if read_rate else []))
        dcim = os.path.join(d, "media", "DCIM", "100")
        os.makedirs(dcim, exist_ok=True)
        for i in range(files):
            shutil.copyfile(recording, os.path.join(dcim, f"REC{i:04d}.mp4"))
        dirs.append(d)
    subprocess.run(["sync"], check=True)
    st.start()
    try:
        t0 = time.monotonic()
        ingest = st.plug_all_until_staged(dirs)
        probed = None
        if probe:
            def all_probed():
                with st.db() as db:
                    n, left = db.execute("SELECT COUNT(*), SUM(media_probed_at IS NULL) FROM files").fetchone()
                return n == bays * files and left == 0
            wait_for(all_probed, 3600, "every file probed", 0.02)
            probed = time.monotonic() - t0
            with st.db() as db:
                bad = db.execute("SELECT COUNT(*) FROM files WHERE media_integrity != 'ok'").fetchone()[0]
            assert bad == 0, f"{bad} files not ok"
        st.stop()
        return ingest, probed
    finally:
        st.cleanup()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bays", type=int, default=2)
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--seconds", type=int, default=60, help="length of the recording")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--read-rate", type=int, default=0,
                    help="each recorder's read_bytes_per_s (USB 2.0 mass storage: ~35000000); 0 = unthrottled")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="dockd-probe-bench-")
    try:
        rec = os.path.join(work, "rec.mp4")
        make_recording(rec, a.seconds)
        size = os.path.getsize(rec)
        total = size * a.files * a.bays
        print(f"recording: {a.seconds} s 1280x720 H.264/AAC, {size / 1e6:.1f} MB; "
              f"{a.bays} bays x {a.files} files = {total / 1e9:.2f} GB per run")
        off, on, last = [], [], []
        for r in range(a.rounds):
            for probe in (False, True):
                ingest, probed = run(probe, rec, a.bays, a.files, a.read_rate)
                (on if probe else off).append(ingest)
                extra = f", last file probed at {probed:.2f} s" if probed else ""
                if probed:
                    last.append(probed)
                print(f"round {r + 1} probe {'on ' if probe else 'off'}: ingest {ingest:.2f} s "
                      f"({total / ingest / 1e9:.2f} GB/s){extra}", flush=True)
        mo, mn = statistics.median(off), statistics.median(on)
        print(f"median ingest: probe off {mo:.2f} s, probe on {mn:.2f} s ({(mn - mo) / mo * 100:+.1f} %); "
              f"run-to-run spread without probing {max(off) - min(off):.2f} s")
        n = a.bays * a.files
        print(f"probing finished {statistics.median(last) - mn:.2f} s after ingest (median); "
              f"{n} files, the probe's work beside the copy ~{statistics.median(last) / n * 1000:.0f} ms/file wall")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
