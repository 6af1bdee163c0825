#!/usr/bin/env python3
"""Ingest benchmark (DESIGN §10, issue 12): dockd's offload from simulated bays
against the machine's own limits measured in the same run on the same disk:
  - cp -r + sync + sha256sum of the same tree,
  - durable writes: dd conv=fsync of the same bytes, and O_DIRECT writes
    (dd oflag=direct) -- the disk's own pace,
  - hashing: openssl speed -evp sha256 (one core),
and dockd's peak RSS (VmHWM). Scenarios: 1 bay (16 files), 8 bays at once, 8
bays throttled to USB 2.0 mass-storage speed (read_bytes_per_s: 40000000),
and 5,000 files of 16 KiB on one bay. Each prints its goal from issue 12.

usage: bench/ingest.py [--gib 2.0] [--scenarios one,eight,eight-usb2,small]
Needs a built tree (scripts/build.sh)."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from harness import Station  # noqa: E402

MiB = 1 << 20


def gbps(nbytes, seconds):
    return nbytes / seconds / 1e9


def tree_bytes(d):
    return sum(os.path.getsize(os.path.join(b, f)) for b, _, fs in os.walk(d) for f in fs)


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def run_dockd(bays, total_bytes, read_rate, files=16):
    # No targets: this measures the offload only.
    st = Station(bays=bays, verify="none", wipe_after="never", upload="upload:\n  targets: []")
    with open(st.config) as f:
        cfg = f.read().replace("ingest: {", "ingest: {workers: 8, ")
    with open(st.config, "w") as f:
        f.write(cfg)
    per_bay = total_bytes // bays
    dirs = []
    for b in range(1, bays + 1):
        args = ["--files", files, "--file-size", per_bay // files, "--seed", b]
        if read_rate:
            args += ["--read-rate", read_rate]
        dirs.append(st.build(b, f"BENCH{b:03d}", *args))
    size = sum(tree_bytes(os.path.join(d, "media")) for d in dirs)
    trees = [os.path.join(d, "media") for d in dirs]
    st.start()
    seconds = st.plug_all_until_staged(dirs)
    rss = peak_rss_kib(st.proc.pid)
    st.stop()
    return st, size, seconds, rss, [os.path.join(st.bay_path(b), "media") for b in range(1, bays + 1)]


def baseline_cp(trees, workdir):
    dest = os.path.join(workdir, "cp")
    os.makedirs(dest)
    t0 = time.monotonic()
    for i, t in enumerate(trees):
        subprocess.run(["cp", "-r", t, os.path.join(dest, str(i))], check=True)
    subprocess.run(["sync"], check=True)
    files = [os.path.join(b, f) for b, _, fs in os.walk(dest) for f in fs]
    subprocess.run(["sha256sum", *files], check=True, stdout=subprocess.DEVNULL)
    seconds = time.monotonic() - t0
    shutil.rmtree(dest)
    return seconds


def baseline_dd(total_bytes, workdir):
    out = os.path.join(workdir, "dd.out")
    t0 = time.monotonic()
    subprocess.run(["dd", "if=/dev/zero", f"of={out}", "bs=1M", f"count={total_bytes // MiB}", "conv=fsync"],
                   check=True, capture_output=True)
    seconds = time.monotonic() - t0
    os.unlink(out)
    return seconds


def baseline_direct(total_bytes, workdir):
    """The disk's pace without the page cache: O_DIRECT writes, then fsync."""
    out = os.path.join(workdir, "direct.out")
    t0 = time.monotonic()
    subprocess.run(["dd", "if=/dev/zero", f"of={out}", "bs=4M", f"count={max(1, total_bytes // (4 * MiB))}",
                    "oflag=direct", "conv=fsync"], check=True, capture_output=True)
    seconds = time.monotonic() - t0
    os.unlink(out)
    return seconds


def baseline_sha256():
    r = subprocess.run(["openssl", "speed", "-evp", "sha256", "-bytes", str(MiB), "-seconds", "3"],
                       capture_output=True, text=True, check=True)
    line = [l for l in r.stdout.splitlines() if l.startswith("sha256")][-1]
    return float(line.split()[-1].rstrip("k")) * 1000 / 1e9  # 'k' = 1000 bytes/s


def goal(name, size, secs, cp, direct, sha_gbps, device_rate):
    """The issue's goal for the scenario, as measured in this run."""
    if name == "one":
        limit = max(direct, size / (sha_gbps * 1e9))
        print(f"  goal: within 1.5x of max(O_DIRECT, SHA-256) = {limit:.2f} s -> {secs / limit:.2f}x")
    elif name == "small":
        print(f"  goal: within 2x of cp+sync+sha256sum -> {secs / cp:.2f}x")
    elif name == "eight":
        print(f"  goal: >= 0.8x the O_DIRECT write speed -> {direct / secs:.2f}x")
    elif device_rate:
        print(f"  reads limit the pace: {gbps(size, secs) * 1e9 / device_rate:.2f}x of the devices' rate")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gib", type=float, default=2.0)
    ap.add_argument("--scenarios", default="one,eight,eight-usb2,small")
    a = ap.parse_args()
    total = int(a.gib * (1 << 30))
    sha = baseline_sha256()
    print(f"machine: sha256 (openssl speed -evp sha256, 1 MiB blocks, one core): {sha:.2f} GB/s")
    scenarios = {"one": (1, 0, 16), "eight": (8, 0, 16), "eight-usb2": (8, 40_000_000, 16),
                 "small": (1, 0, 5000)}
    for name in a.scenarios.split(","):
        bays, rate, files = scenarios[name]
        nbytes = 5000 * 16 * 1024 if name == "small" else total if not rate else min(total, bays * 40_000_000 * 3)
        st, size, secs, rss, trees = run_dockd(bays, nbytes, rate, files)
        work = tempfile.mkdtemp(dir=st.dir)
        cp = baseline_cp(trees, work) if not rate else None
        dd = baseline_dd(size, work)
        direct = baseline_direct(size, work)
        print(f"{name}: {bays} bay(s), {files} files per bay, {size / 1e9:.3f} GB"
              f"{'' if not rate else f', reads throttled to {rate / 1e6:.0f} MB/s per bay'}")
        print(f"  dockd offload (copy+sha256+fsync+commit): {secs:.2f} s = {gbps(size, secs):.2f} GB/s, "
              f"{bays * files / secs:.0f} files/s, peak RSS {rss / 1024:.1f} MiB")
        if cp:
            print(f"  baseline cp -r + sync + sha256sum:          {cp:.2f} s = {gbps(size, cp):.2f} GB/s")
        print(f"  limit: dd conv=fsync of the same bytes:     {dd:.2f} s = {gbps(size, dd):.2f} GB/s")
        print(f"  limit: O_DIRECT writes (dd oflag=direct):   {direct:.2f} s = {gbps(size, direct):.2f} GB/s")
        if rate:
            print(f"  limit: {bays} x {rate / 1e6:.0f} MB/s device reads:            {bays * rate / 1e9:.2f} GB/s")
        goal(name, size, secs, cp, direct, sha, bays * rate)
        st.cleanup()


if __name__ == "__main__":
    main()
