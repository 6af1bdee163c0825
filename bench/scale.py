#!/usr/bin/env python3
"""Scale benchmark (issue 12 item 2): a station with 1,000,000 file rows and
10,000 dockings in its store. Prints, beside the same figures for an empty
store measured in the same run (the baseline: what the HTTP round trip and
start-up cost with nothing to read):
- start-up: exec to the first API answer (open, reconcile, config_loaded);
- the median and 95th percentile of every API route a page or dockctl reads
  (50 requests each over one keep-alive connection, 25 ms apart: the API's
  budget is 50 requests/s per client), and GET /api/v1/events'
  first status event;
- the daemon's peak RSS (VmHWM) after all of it.
Goals: every route's median <= 10 ms, start-up <= 3 s. GET /api/v1/audit/verify
is the full proof of the chain (every row re-hashed): reported in rows/s, not
held to 10 ms; it runs on the pool and delays no other request.

The store's first 100 dockings are written by bench/scale_fill through the
real custody store (schema, audit chain, upload queue, manifests, signed
segments) on tmpfs; the store API costs ~2 ms of CPU per file over its life
(staged, verified, wiped, archived, purged: ~5 audit rows), so the rest is
that history replicated in SQL (new ids, keys and seqs; the audit chain
re-hashed, so it verifies) rather than 35 minutes of fill. The dockings are
then spread over the past 365 days (docked_at/undocked_at/ingested_at; audit
rows keep their own times). --store DIR keeps the result for later runs.

usage: bench/scale.py [--dockings 10000] [--files-per-docking 100] [--store DIR]
Needs a built tree (scripts/build.sh)."""
import argparse
import hashlib
import http.client
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from harness import Station, wait_for  # noqa: E402

BUILD = os.path.join(ROOT, "build")
FILL = os.path.join(BUILD, "bench", "scale_fill")
STATION_ID = "E2E-ST01"  # the harness's station id: rows and config must agree


def fill(store, dockings, per_docking):
    """Writes store/data (custody.db, station.key) and store/archive once."""
    data = os.path.join(store, "data")
    if os.path.exists(os.path.join(data, "custody.db")):
        return data
    subprocess.run(["cmake", "--build", BUILD, "--target", "scale_fill"], check=True, stdout=subprocess.DEVNULL)
    os.makedirs(os.path.join(store, "archive"), exist_ok=True)
    with tempfile.TemporaryDirectory(dir="/dev/shm") as shm:
        t0 = time.monotonic()
        base = min(dockings, 100)
        subprocess.run([FILL, shm, target_url(store), STATION_ID, str(base), str(per_docking)], check=True)
        replicate(os.path.join(shm, "custody.db"), -(-dockings // base))
        print(f"filled {dockings} dockings x {per_docking} files in {time.monotonic() - t0:.0f} s")
        spread_over_a_year(os.path.join(shm, "custody.db"))
        shutil.copytree(shm, data)
    return data


def target_url(store):
    return f"file://{os.path.abspath(store)}/archive"


def columns(db, table):
    return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]


def copy_rows(db, table, changed, where=""):
    """INSERT INTO table SELECT ... with some columns replaced by expressions."""
    cols = columns(db, table)
    exprs = ", ".join(changed.get(c, c) for c in cols)
    db.execute(f"INSERT INTO {table}({', '.join(cols)}) SELECT {exprs} FROM {table} {where}")


def replicate(db_file, times):
    """The first dockings' whole history, `times` times over, under new ids."""
    db = sqlite3.connect(db_file)
    f_max = db.execute("SELECT MAX(id) FROM files").fetchone()[0]
    a_max = db.execute("SELECT MAX(seq) FROM audit").fetchone()[0]
    p_max = db.execute("SELECT MAX(id) FROM publications").fetchone()[0]
    db.execute("CREATE TEMP TABLE base AS SELECT id FROM dockings")
    for r in range(1, times):
        s = f"'.r{r}'"
        copy_rows(db, "dockings", {"id": f"id || {s}"}, "WHERE id IN (SELECT id FROM temp.base)")
        copy_rows(db, "files", {"id": f"id + {r * f_max}", "docking_id": f"docking_id || {s}",
                                "device_path": f"device_path || {s}", "staging_name": f"staging_name || {s}",
                                "object_key": f"object_key || {s}"}, f"WHERE id <= {f_max}")
        copy_rows(db, "uploads", {"file_id": f"file_id + {r * f_max}"}, f"WHERE file_id <= {f_max}")
        copy_rows(db, "publications", {"id": f"id + {r * p_max}", "object_key": f"object_key || {s}",
                                       "first_seq": f"first_seq + {r * a_max}", "last_seq": f"last_seq + {r * a_max}"},
                  f"WHERE kind = 'segment' AND id <= {p_max}")
        copy_rows(db, "uploads", {"publication_id": f"publication_id + {r * p_max}"},
                  f"WHERE publication_id IN (SELECT id FROM publications WHERE kind = 'segment' AND id <= {p_max})")
        copy_rows(db, "manifest_docs", {"docking_id": f"docking_id || {s}", "object_key": f"object_key || {s}"},
                  "WHERE docking_id IN (SELECT id FROM temp.base)")
        copy_rows(db, "manifests", {"docking_id": f"docking_id || {s}"}, "WHERE docking_id IN (SELECT id FROM temp.base)")
        copy_rows(db, "audit", {"seq": f"seq + {r * a_max}"}, f"WHERE seq <= {a_max}")
    # The chain: hash_seq = SHA-256(hash_{seq-1} "\n" payload), re-hashed from the first copy on.
    prev = db.execute("SELECT hash FROM audit WHERE seq = ?", (a_max,)).fetchone()[0]
    updates = []
    for seq, payload in db.execute(f"SELECT seq, payload FROM audit WHERE seq > {a_max} ORDER BY seq").fetchall():
        prev = hashlib.sha256((prev + "\n" + payload).encode()).hexdigest()
        updates.append((prev, seq))
    db.executemany("UPDATE audit SET hash = ? WHERE seq = ?", updates)
    db.commit()
    db.close()


def spread_over_a_year(db_file):
    db = sqlite3.connect(db_file)
    n = db.execute("SELECT COUNT(*) FROM dockings").fetchone()[0]
    step = 365 * 86400 / max(n, 1)
    db.execute("CREATE TEMP TABLE ord AS SELECT id, ROW_NUMBER() OVER (ORDER BY rowid) - 1 AS k FROM dockings")
    db.execute(f"""UPDATE dockings SET
        docked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-365 days',
                             '+' || CAST((SELECT k FROM ord WHERE ord.id = dockings.id) * {step} AS INTEGER) || ' seconds'),
        undocked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-365 days',
                             '+' || CAST((SELECT k FROM ord WHERE ord.id = dockings.id) * {step} + 900 AS INTEGER) || ' seconds')""")
    db.execute("UPDATE files SET ingested_at = (SELECT docked_at FROM dockings d WHERE d.id = files.docking_id)")
    db.commit()
    db.close()


def started(st):
    t0 = time.monotonic()
    st.start(wait=False)
    wait_for(st.api_up, 120, "dockd API", interval=0.01)
    return time.monotonic() - t0


def timings(st, path, n=50):
    conn = http.client.HTTPConnection("127.0.0.1", st.port, timeout=600)
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        out.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.025)  # within the API's budget of 50 requests/s per client
        if r.status != 200:
            raise SystemExit(f"GET {path}: {r.status} {body[:200]!r}")
    conn.close()
    out.sort()
    return statistics.median(out), out[int(len(out) * 0.95) - 1]


def first_event_ms(st):
    conn = http.client.HTTPConnection("127.0.0.1", st.port, timeout=60)
    t0 = time.perf_counter()
    conn.request("GET", "/api/v1/events")
    r = conn.getresponse()
    while b"event: status" not in r.fp.readline():
        pass
    ms = (time.perf_counter() - t0) * 1000
    conn.close()
    return ms


def routes(st):
    dockings = st.get("/api/v1/dockings?limit=50")
    dockings = dockings.get("dockings", []) if isinstance(dockings, dict) else dockings
    docking = (dockings or [{}])[0].get("id")
    files = st.get("/api/v1/files?limit=50")
    files = files.get("files", []) if isinstance(files, dict) else files
    file_id = (files or [{}])[0].get("id")
    today = time.strftime("%Y-%m-%d", time.gmtime())
    month_ago = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 30 * 86400))
    week_ago = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 7 * 86400))
    out = ["/api/v1/station", "/api/v1/bays", "/api/v1/bays/1", "/metrics", "/api/v1/dockings?limit=50",
           "/api/v1/files?limit=50", "/api/v1/uploads?limit=200", f"/api/v1/ledger?from={today}&to={today}",
           f"/api/v1/ledger?from={week_ago}&to={today}", f"/api/v1/ledger?from={month_ago}&to={today}",
           "/api/v1/access-log", "/api/v1/keys"]
    if docking:
        out += [f"/api/v1/dockings/{docking}", f"/api/v1/export/dockings/{docking}"]
    if file_id:
        out.append(f"/api/v1/files/{file_id}")
    return out


def measure(st, label, paths):
    startup = started(st)
    figures = {"startup": startup, "first_event": first_event_ms(st)}
    for p in paths:
        figures[p] = timings(st, p)
    t0 = time.monotonic()
    with urllib.request.urlopen(st.url + "/api/v1/audit/verify", timeout=3600) as r:
        verdict = json.loads(r.read())
    figures["verify_s"] = time.monotonic() - t0
    figures["audit_rows"] = verdict.get("length") or verdict.get("rows") or 0
    with open(f"/proc/{st.proc.pid}/status") as f:
        figures["rss_mib"] = next(int(l.split()[1]) for l in f if l.startswith("VmHWM")) / 1024
    print(f"measured {label}", file=sys.stderr)
    st.stop()
    return figures


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dockings", type=int, default=10_000)
    ap.add_argument("--files-per-docking", type=int, default=100)
    ap.add_argument("--store", help="keep the filled store here (reused when it exists)")
    args = ap.parse_args()
    store = args.store or tempfile.mkdtemp(prefix="dockd-scale-")
    data = fill(store, args.dockings, args.files_per_docking)

    upload = f"""upload:
  targets: [{{url: "{target_url(store)}"}}]"""
    empty = Station(bays=8, upload=upload)
    big = Station(bays=8, upload=upload)
    shutil.rmtree(big.data_dir, ignore_errors=True)
    shutil.copytree(data, big.data_dir)
    # Routes are named from the big store's own ids; a first start warms the
    # page cache, as on a station that has been running.
    big.start()
    paths = routes(big)
    big.stop()
    big_figures = measure(big, "the big store", paths)
    empty_figures = measure(empty, "empty", [p for p in paths if "/dockings/" not in p and "/files/" not in p])
    for st in (empty, big):
        st.cleanup()
    if not args.store:
        shutil.rmtree(store, ignore_errors=True)

    with sqlite3.connect(os.path.join(data, "custody.db")) as db:
        files = db.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        dockings = db.execute("SELECT COUNT(*) FROM dockings").fetchone()[0] if files else 0
    print(f"\nstore: {files:,} file rows, {dockings:,} dockings, {big_figures['audit_rows']:,} audit rows")
    print(f"{'':44} {f'{files:,} files':>18} {'empty store':>18}  goal")
    print(f"{'start-up (exec to first API answer)':44} {big_figures['startup']:>16.2f} s "
          f"{empty_figures['startup']:>16.2f} s  <= 3 s")
    print(f"{'events: first status event':44} {big_figures['first_event']:>15.1f} ms "
          f"{empty_figures['first_event']:>15.1f} ms")
    worst = 0.0
    for p in paths:
        med, p95 = big_figures[p]
        base = empty_figures.get(p)
        worst = max(worst, med)
        base_text = f"{base[0]:>7.2f}/{base[1]:>6.2f} ms" if base else f"{'-':>18}"
        print(f"{p[:44]:44} {med:>7.2f}/{p95:>6.2f} ms {base_text}  median <= 10 ms")
    print(f"{'audit/verify (full proof)':44} {big_figures['verify_s']:>16.2f} s "
          f"{empty_figures['verify_s']:>16.2f} s  "
          f"({big_figures['audit_rows'] / max(big_figures['verify_s'], 1e-9):,.0f} rows/s)")
    print(f"{'peak RSS (VmHWM)':44} {big_figures['rss_mib']:>13.1f} MiB {empty_figures['rss_mib']:>13.1f} MiB"
          f"  <= 64 MiB")
    print(f"\nslowest route median {worst:.2f} ms (goal 10 ms); start-up {big_figures['startup']:.2f} s (goal 3 s)")


if __name__ == "__main__":
    main()
