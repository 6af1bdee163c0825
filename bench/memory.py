#!/usr/bin/env python3
"""Memory benchmark (issue 12 item 3): dockd's peak RSS (VmHWM) with 8 bays
offloading at once, 4 uploads in flight (upload.concurrency 4, file://
target) and a store of 1,000,000 file rows (bench/scale.py's store). Printed
beside the same daemon idle on an empty store, measured in the same run.
Goal: <= 64 MiB.

The recorders are simulated (sim driver), each holding --files files of
--file-mib MiB; RSS is sampled every 50 ms from /proc while they offload and
upload, and the kernel's own high-water mark (VmHWM) is reported.

usage: bench/memory.py [--store DIR] [--files 4] [--file-mib 128]
Needs a built tree (scripts/build.sh); builds the store with bench/scale.py
when --store has none."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "e2e"))
sys.path.insert(0, HERE)
from harness import Station, wait_for  # noqa: E402
import scale  # noqa: E402


def status_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith(field + ":"))


def station(store, data=None):
    st = Station(bays=8, upload=f"""upload:
  targets: [{{url: "{scale.target_url(store)}"}}]
  concurrency: 4
  retry: {{initial: 200ms, max: 2s}}""")
    if data:
        shutil.rmtree(st.data_dir, ignore_errors=True)
        shutil.copytree(data, st.data_dir)
    return st


def busy_peak(st, files, file_mib):
    """Peak RSS while 8 bays offload and 4 uploads run; also the most seen at once."""
    st.start()
    pid = st.proc.pid
    seen = {"rss": 0, "offloading": 0}
    done = threading.Event()

    def sample():
        while not done.is_set():
            seen["rss"] = max(seen["rss"], status_kib(pid, "VmRSS"))
            time.sleep(0.05)

    t = threading.Thread(target=sample)
    t.start()
    for b in range(1, 9):
        st.insert(b, f"MEM{b:03d}", "--files", files, "--file-size", file_mib << 20, "--seed", b)
    wait_for(lambda: sum(x["state"] == "offloading" for x in st.bays().values()) >= 6, 300, "bays offloading")
    seen["offloading"] = sum(x["state"] == "offloading" for x in st.bays().values())
    for b in range(1, 9):
        st.wait_bay(b, "ready", timeout=3600)
    st.wait_queue_empty(timeout=3600)
    done.set()
    t.join()
    hwm = status_kib(pid, "VmHWM")
    st.stop()
    return hwm / 1024, seen


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", help="bench/scale.py's store (built there when missing)")
    ap.add_argument("--files", type=int, default=4)
    ap.add_argument("--file-mib", type=int, default=128)
    args = ap.parse_args()
    store = args.store or tempfile.mkdtemp(prefix="dockd-scale-")
    data = scale.fill(store, 10_000, 100)

    idle = station(store)
    idle.start()
    time.sleep(2)
    idle_hwm = status_kib(idle.proc.pid, "VmHWM") / 1024
    idle.stop()
    idle.cleanup()

    busy = station(store, data)
    try:
        hwm, seen = busy_peak(busy, args.files, args.file_mib)
    finally:
        busy.cleanup()
        if not args.store:
            shutil.rmtree(store, ignore_errors=True)
    print(f"\n{'':52} {'dockd':>10} {'baseline':>10}  goal")
    print(f"{'peak RSS, 8 bays + 4 uploads + 1M-row store':52} {hwm:>6.1f} MiB {idle_hwm:>6.1f} MiB  <= 64 MiB"
          f"  (baseline: idle, empty store)")
    print(f"bays offloading at once: {seen['offloading']} of 8; {args.files} x {args.file_mib} MiB per recorder")


if __name__ == "__main__":
    main()
