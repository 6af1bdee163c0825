#!/usr/bin/env python3
"""Create or remove simulated body-worn recorders for dockd (DESIGN §6).

  simgen.py --bays-dir DIR --bay N --serial S [options]   build and insert
  simgen.py remove --bays-dir DIR --bay N                 remove (unplug)

A recorder is built in DIR/.incoming-N-<random> (same filesystem) and then
renamed to DIR/N: that rename is the insertion. Removal renames DIR/N away to
DIR/.removed-N-<random> and deletes it. File contents are pseudo-random and
deterministic for a given --seed.
"""

import argparse
import ctypes
import errno
import json
import os
import random
import secrets
import shutil
import sys
import time

CHUNK_BYTES = 4 << 20
RENAME_NOREPLACE = 1  # linux/fs.h


def rename_noreplace(src, dst):
    """Atomic rename that fails if dst exists (a plain rename would replace an empty dir)."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        at_fdcwd = -100
        if renameat2(at_fdcwd, os.fsencode(src), at_fdcwd, os.fsencode(dst), RENAME_NOREPLACE) == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOSYS):  # filesystem without RENAME_NOREPLACE
            raise OSError(err, os.strerror(err), dst)
    if os.path.lexists(dst):
        raise FileExistsError(errno.EEXIST, "bay already occupied", dst)
    os.rename(src, dst)


def write_random(path, size, rng):
    with open(path, "wb") as f:
        left = size
        while left > 0:
            n = min(left, CHUNK_BYTES)
            f.write(rng.randbytes(n))
            left -= n


def layout(count, nested, rng, now):
    """(relative path, mtime) for each ordinary media file, oldest first."""
    exts = ("mp4", "jpg", "wav")
    out = []
    for i in range(count):
        mtime = now - (count - i) * 600 - rng.randint(0, 300)
        stamp = time.strftime("%Y%m%d_%H%M%S", time.localtime(mtime))
        ext = exts[i % len(exts)]
        name = f"{stamp}_{i + 1:04d}.{ext}"
        if not nested:
            folder = "DCIM/100MEDIA"
        elif ext == "wav":
            folder = time.strftime("RECORD/%Y/%m/%d", time.localtime(mtime))
        else:
            folder = f"DCIM/{100 + i % 3}MEDIA"
        out.append((f"{folder}/{name}", mtime))
    return out


def device_json(a):
    dev = {"serial": a.serial, "vendor": a.vendor, "model": a.model, "firmware": a.firmware,
           "battery_percent": a.battery, "charge_percent_per_min": a.charge_rate,
           "clock_offset_s": a.clock_offset, "read_bytes_per_s": a.read_rate}
    if a.officer_no:
        dev["officer"] = {"no": a.officer_no, "name": a.officer_name or "",
                          "unit_no": a.unit_no or "", "unit_name": a.unit_name or ""}
    if a.storage_total is not None:
        dev["storage_total_bytes"] = a.storage_total
    return json.dumps(dev, ensure_ascii=False, indent=2) + "\n"


def create(a):
    bays = os.path.abspath(a.bays_dir)
    os.makedirs(bays, exist_ok=True)
    target = os.path.join(bays, str(a.bay))
    if not a.no_insert and os.path.lexists(target):
        sys.exit(f"simgen: {target} exists: bay {a.bay} is occupied")
    rng = random.Random(a.seed)
    now = time.time()
    staging = os.path.join(bays, f".incoming-{a.bay}-{secrets.token_hex(4)}")
    os.mkdir(staging)
    try:
        media = os.path.join(staging, "media")
        files = [(p, m, a.file_size) for p, m in layout(a.files, a.tree == "nested", rng, now)]
        if a.zero_file:
            files.append(("DCIM/100MEDIA/EMPTY_0000.mp4", now - 60, 0))
        if a.big_file:
            files.append(("DCIM/100MEDIA/BIG_0000.mp4", now - 120, a.big_file))
        for rel, mtime, size in files:
            path = os.path.join(media, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            write_random(path, size, rng)
            os.utime(path, (mtime, mtime))
        os.makedirs(media, exist_ok=True)
        with open(os.path.join(staging, "device.json"), "w", encoding="utf-8") as f:
            f.write(device_json(a))
        if a.no_insert:
            print(staging)
            return
        rename_noreplace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    print(target)


def remove(a):
    bays = os.path.abspath(a.bays_dir)
    target = os.path.join(bays, str(a.bay))
    if not os.path.isdir(target):
        sys.exit(f"simgen: {target}: no recorder in bay {a.bay}")
    gone = os.path.join(bays, f".removed-{a.bay}-{secrets.token_hex(4)}")
    os.rename(target, gone)  # the removal: one atomic step, like pulling the recorder
    shutil.rmtree(gone)
    print(target)


def create_parser():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bays-dir", required=True, help="the sim driver's bays_dir")
    p.add_argument("--bay", type=int, required=True, help="bay number N (creates DIR/N)")
    p.add_argument("--serial", required=True)
    p.add_argument("--vendor", default="Sim")
    p.add_argument("--model", default="S1")
    p.add_argument("--firmware", default="1.0")
    p.add_argument("--officer-no")
    p.add_argument("--officer-name")
    p.add_argument("--unit-no")
    p.add_argument("--unit-name")
    p.add_argument("--battery", type=int, default=100, help="battery_percent at docking")
    p.add_argument("--charge-rate", type=float, default=0, help="charge_percent_per_min")
    p.add_argument("--clock-offset", type=float, default=0, help="clock_offset_s (device - host)")
    p.add_argument("--read-rate", type=int, default=0, help="read_bytes_per_s, 0 = unthrottled")
    p.add_argument("--storage-total", type=int, help="storage_total_bytes (default: driver's 64 GiB)")
    p.add_argument("--files", type=int, default=6, help="number of ordinary media files")
    p.add_argument("--file-size", type=int, default=1 << 20, help="bytes per ordinary file")
    p.add_argument("--tree", choices=("flat", "nested"), default="flat",
                   help="flat: DCIM/100MEDIA only; nested: DCIM/10xMEDIA and RECORD/YYYY/MM/DD")
    p.add_argument("--zero-file", action="store_true", help="add a 0-byte .mp4")
    p.add_argument("--big-file", type=int, default=0, metavar="BYTES", help="add one file of BYTES")
    p.add_argument("--seed", type=int, default=1, help="seed for contents and times")
    p.add_argument("--no-insert", action="store_true", help="build only; print the staging path")
    return p


def remove_parser():
    p = argparse.ArgumentParser(prog="simgen.py remove",
                                description="Unplug the recorder in bay N: rename DIR/N away, then delete it.")
    p.add_argument("--bays-dir", required=True)
    p.add_argument("--bay", type=int, required=True)
    return p


def main(argv):
    try:
        if argv and argv[0] == "remove":
            remove(remove_parser().parse_args(argv[1:]))
        else:
            create(create_parser().parse_args(argv))
    except OSError as e:
        sys.exit(f"simgen: {e}")


if __name__ == "__main__":
    main(sys.argv[1:])
