#!/usr/bin/env python3
"""Annual review at scale (issue 14 item 7, seed R12): GET /api/v1/stats by
officer, recorder and unit, and GET /api/v1/undescribed, over a custody store
of 1,000,000 files (20,000 dockings, 400 recorders, 250 officers in 12 units,
half the dockings described), timed through the real daemon; beside it, in
the same run, the baseline: one plain sqlite3 pass over the same files
(COUNT and SUM of size, grouped by docking), the least any per-group figure
over every file costs. Goal: each stats request under 5 s.

The store is made by a real station (so the schema is the daemon's), then
filled with rows by sqlite3 while the station is stopped.

usage: bench/stats.py [--files 1000000] [--dockings 20000]
Needs a built tree (scripts/build.sh)."""
import argparse
import datetime
import os
import random
import sqlite3
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from harness import Station  # noqa: E402


def fill(db_path, files, dockings):
    rng = random.Random(14)
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    db.executemany("INSERT OR REPLACE INTO officers(no, name, unit_no, unit_name, updated_at) VALUES(?,?,?,?,?)",
                   [(f"{o:06d}", f"Officer {o}", f"U{o % 12:02d}", f"Unit {o % 12}", "2025-01-01T00:00:00.000Z")
                    for o in range(250)])
    rows, per = [], files // dockings
    fid = 0
    for d in range(dockings):
        serial = f"ZFY{d % 400:04d}"
        at = start + datetime.timedelta(minutes=26 * d)
        docked = at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        undocked = (at + datetime.timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        rows.append((f"D{d:06d}", 1, serial, f"{rng.randrange(250):06d}", docked, undocked, docked))
    db.executemany("INSERT INTO dockings(id, bay, serial, officer_no, docked_at, undocked_at, offload_done_at) "
                   "VALUES(?,?,?,?,?,?,?)", rows)

    def file_rows():
        nonlocal fid
        for d in range(dockings):
            at = (start + datetime.timedelta(minutes=26 * d + 5)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            for i in range(per):
                fid += 1
                yield (fid, f"D{d:06d}", f"ZFY{d % 400:04d}", f"DCIM/{d}/{i}.mp4", 50_000_000 + i, i, "archived",
                       at, at, at, at)
    # Archived and purged from staging long ago, as a year's files are.
    db.executemany("INSERT INTO files(id, docking_id, serial, device_path, size, device_mtime_ms, state, "
                   "recorded_at, ingested_at, archived_at, purged_at) VALUES(?,?,?,?,?,?,?,?,?,?,?)", file_rows())
    db.executemany("INSERT INTO annotations(docking_id, case_no, by_who, at) VALUES(?,?,?,?)",
                   [(f"D{d:06d}", f"C-{d}", "bench", (start + datetime.timedelta(minutes=26 * d + 6000))
                     .strftime("%Y-%m-%dT%H:%M:%S.000Z")) for d in range(0, dockings, 2)])
    db.commit()
    db.execute("ANALYZE")
    db.close()


def timed_get(st, path):
    t = time.monotonic()
    with urllib.request.urlopen(st.url + path, timeout=600) as r:
        body = r.read()
    return time.monotonic() - t, len(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=1_000_000)
    ap.add_argument("--dockings", type=int, default=20_000)
    args = ap.parse_args()
    st = Station(bays=1)
    try:
        st.start()
        st.stop()
        db_path = os.path.join(st.data_dir, "custody.db")
        t = time.monotonic()
        fill(db_path, args.files, args.dockings)
        print(f"filled {args.files:,} files in {args.dockings:,} dockings in {time.monotonic() - t:.1f} s")
        db = sqlite3.connect(db_path)
        t = time.monotonic()
        db.execute("SELECT docking_id, COUNT(*), SUM(size) FROM files GROUP BY docking_id").fetchall()
        baseline = time.monotonic() - t
        db.close()
        print(f"baseline: sqlite3 COUNT/SUM of every file by docking: {baseline:.2f} s")
        st.start()
        for path in ("/api/v1/stats?by=officer", "/api/v1/stats?by=recorder", "/api/v1/stats?by=unit",
                     "/api/v1/stats?by=officer&from=2025-06-01&to=2025-06-30", "/api/v1/undescribed"):
            took, size = timed_get(st, path)
            print(f"GET {path}: {took:.2f} s ({size:,} bytes; {took / baseline:.1f}x baseline)")
    finally:
        st.stop()
        st.cleanup()


if __name__ == "__main__":
    main()
