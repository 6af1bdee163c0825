"""Power cuts for a real station: its data_dir (custody.db, staging, station.key)
and its file:// archive live on powercutfs (tests/powercut), which drops what was
not synced when told. At random instants the daemon is killed and the un-synced
state dropped at once; what survived is checked from outside against what the
station reported before the cut; then the station restarts on it and finishes.
Used by test_powercut.py (20 cuts) and bench/powercut.py (as many as asked)."""
import collections
import gc
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time

from harness import BUILD, Station, media_files, wait_for
from test_interruptions import assert_custody_complete

POWERCUTFS = os.path.join(BUILD, "tests", "powercut", "powercutfs")
KiB = 1 << 10
MiB = 1 << 20
BUSY = {"detected", "identified", "checking", "offloading", "verifying"}
PHASES = ("startup", "offload", "wipe", "upload", "manifest", "idle", "at a sync", "on a timer")


def skip_reason():
    """Why this machine cannot cut power under a station, or None."""
    if os.geteuid() != 0:
        return "powercutfs needs root to mount a FUSE file system"
    if not os.path.exists("/dev/fuse"):
        return "no /dev/fuse: this kernel or container has no FUSE"
    return None


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Layer:
    """powercutfs over `backing`, mounted on `mountpoint`. With keep=True a cut
    keeps everything (a kill -9, not a power cut): proof that the drop matters."""

    def __init__(self, backing, mountpoint, log_path, keep=False):
        self.backing, self.mountpoint, self.log_path, self.keep = backing, mountpoint, log_path, keep
        self.proc = None

    def mount(self, cut_at_sync=None):
        """cut_at_sync=N: the layer cuts the power by itself as the Nth fsync starts."""
        self.cut_at_sync = None if self.keep else cut_at_sync
        args = ["--cut-at-sync", str(self.cut_at_sync)] if self.cut_at_sync else []
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen([POWERCUTFS, *args, self.backing, self.mountpoint], stdout=log, stderr=log)

        def mounted():
            if self.proc.poll() is not None:
                raise AssertionError(f"powercutfs exited with {self.proc.returncode}; see {self.log_path}")
            return os.path.ismount(self.mountpoint)
        wait_for(mounted, 10, "powercutfs to mount", 0.02)

    def cut_marker(self):
        """What the layer was syncing when it cut the power by itself, or None."""
        try:
            with open(self.backing + ".powercut/cut") as f:
                return f.read().strip() or "?"
        except FileNotFoundError:
            return None

    def cut(self):
        if not self.keep:
            self.proc.send_signal(signal.SIGUSR1)

    def unmount(self):
        """After a cut, powercutfs rolls `backing` back before it exits."""
        for _ in range(50):
            if subprocess.run(["fusermount3", "-u", self.mountpoint], capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        else:
            subprocess.run(["fusermount3", "-u", "-z", self.mountpoint], capture_output=True)
        rc = self.proc.wait(60)
        self.proc = None
        if rc != 0:
            raise AssertionError(f"powercutfs could not roll back (exit {rc}); see {self.log_path}")

    def cleanup(self):
        if self.proc:
            subprocess.run(["fusermount3", "-u", "-z", self.mountpoint], capture_output=True)
            self.proc.kill()
            self.proc.wait()
            self.proc = None


class PowercutStation(Station):
    """A harness Station whose data_dir and archive are on powercutfs."""

    def __init__(self, keep=False, **kwargs):
        super().__init__(**kwargs)
        self.disk = os.path.join(self.dir, "disk")   # the backing directory: what the disk holds
        mnt = os.path.join(self.dir, "mnt")
        os.makedirs(self.disk)
        os.makedirs(mnt)
        with open(self.config) as f:
            text = f.read()
        text = text.replace(f"data_dir: {self.data_dir}", f"data_dir: {mnt}/data")
        text = text.replace(f"file://{self.archive}", f"file://{mnt}/archive")
        with open(self.config, "w") as f:
            f.write(text)
        self.data_dir, self.archive = f"{mnt}/data", f"{mnt}/archive"
        self.staging = os.path.join(self.data_dir, "staging")
        self.layer = Layer(self.disk, mnt, os.path.join(self.dir, "powercutfs.log"), keep)

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.layer.cleanup()
        super().cleanup()


class PowerCutRun:
    """One station through a number of power cuts. Recorders are docked two at
    a time; after `cuts_per_batch` cuts the station finishes the batch and the
    whole custody is checked, then the next two recorders come."""

    def __init__(self, seed, cuts_per_batch=3, keep=False):
        self.rng = random.Random(seed)
        self.cuts_per_batch = cuts_per_batch
        self.st = PowercutStation(keep=keep, bays=2, wipe_after="staged")
        self.originals = {}   # serial -> {device_path: sha256}
        self.docked = {}      # bay -> serial
        self.reported = {}    # file id -> what the API said of it before some cut
        self.phases = collections.Counter()
        self.rounds = self.batches = 0

    def cleanup(self):
        self.st.cleanup()

    def summary(self):
        return (f"{self.rounds} power cuts, {self.batches} batches, {len(self.reported)} files reported; cuts during "
                "(a cut can fall in several): " + ", ".join(f"{p} {self.phases[p]}" for p in PHASES))

    def run(self, rounds, test):
        """`test`: a unittest.TestCase for the end-of-batch custody check. A batch
        ends after `cuts_per_batch` cuts, or at once when a cut found nothing to do."""
        in_batch = 0
        while self.rounds < rounds:
            if not self.docked:
                self.dock_batch()
            doing = self.cut_round()
            in_batch += 1
            if in_batch == self.cuts_per_batch or doing == {"idle"} or self.rounds == rounds:
                self.finish_batch(test)
                in_batch = 0

    def pick_cut_at(self):
        """For the next mount: cut at its Nth fsync, or None: on a timer. A batch's work is ~200 syncs and a
        restart ~20, so cuts within the first 70 walk through all of it over a batch's cuts."""
        return self.rng.randint(1, 70) if self.rng.random() < 0.5 else None

    def dock_batch(self):
        self.batches += 1
        # Bay 1: small files only (committed in groups), ~0.7 s of copying and as much to verify. Bay 2: one
        # file above ingest's 8 MiB small-file bound too (copied alone, with write-behind), ~1.3 s each way.
        extra = {1: ("--read-rate", 3_000_000), 2: ("--read-rate", 9_000_000, "--big-file", 9 * MiB)}
        for bay in (1, 2):
            serial = f"PWR{self.batches:03d}B{bay}"
            d = self.st.build(bay, serial, "--tree", "nested", "--files", 5, "--file-size", 384 * KiB, "--zero-file",
                              *extra[bay], "--seed", self.rng.randrange(1 << 30))
            self.originals[serial] = media_files(d)
            self.st.plug(bay, d)
            self.docked[bay] = serial

    # --- one cut ---
    def cut_round(self):
        """Half the cuts come on a timer, half as the layer's Nth fsync starts
        (so every durability point of offload, upload and manifest can be hit)."""
        st, layer = self.st, self.st.layer
        layer.mount(self.pick_cut_at())
        st.start(wait=False)
        snap, before, checked, idle_polls = None, None, False, 0
        limit = time.monotonic() + (8.0 if layer.cut_at_sync else self.rng.uniform(0, 2.5))
        while time.monotonic() < limit and layer.cut_marker() is None:
            try:
                if not st.api_up():
                    time.sleep(0.05)
                    continue
                if not checked:
                    self.check_restarted()
                    checked = True
                polled = self.poll()
            except (AssertionError, OSError):
                if layer.cut_marker() is None:
                    raise
                break   # the disk went away under the daemon: what it did then is not durable anyway
            if layer.cut_marker() is None:   # only reports made while the power was on count
                before, snap = snap, polled
                idle_polls = idle_polls + 1 if self.activities(snap, None, before) == {"idle"} else 0
                if idle_polls >= 3:   # no sync left to cut at: cut now, on a timer
                    break
            time.sleep(0.1)   # 4 requests a poll: within the API's 50 requests/s
        where = layer.cut_marker()
        doing = self.activities(snap, where, before)
        self.record(snap)
        layer.cut()      # nothing syncs from here on (already so after a cut at a sync) ...
        st.kill9()       # ... and the daemon stops at once
        layer.unmount()
        if self.wiped_since_report():
            doing.add("wipe")
        self.rounds += 1
        self.phases.update(doing)
        self.phases["at a sync" if where else "on a timer"] += 1
        self.check_survivors("+".join(sorted(doing)) + (f", at the sync of {where}" if where else ""))
        return doing

    def wiped_since_report(self):
        """Files gone from a recorder that no report called wiped: a wipe was under way."""
        said = {(r["serial"], r["device_path"]) for r in self.reported.values() if r["wiped"]}
        return any(not os.path.exists(os.path.join(self.st.bay_path(bay), "media", path)) and (serial, path) not in said
                   for bay, serial in self.docked.items() for path in self.originals[serial])

    def poll(self):
        st = self.st
        sigs = os.path.join(st.archive, "manifests", st.station_id)
        return {"files": st.get("/api/v1/files?limit=10000"), "bays": st.get("/api/v1/bays"),
                "station": st.get("/api/v1/station"), "dockings": st.get("/api/v1/dockings?limit=10000"),
                "manifests": sum(n.endswith(".sig") for n in os.listdir(sigs)) if os.path.isdir(sigs) else 0}

    @staticmethod
    def activities(snap, where, before=None):
        """What the station was doing when the power went (often several things): from the
        last report before the cut, what changed since the one before, and the sync cut at."""
        doing = set()
        for part, activity in (("/data/staging", "offload"), ("/archive/media/", "upload"),
                               ("/archive/.incoming/", "upload"), ("/archive/manifests/", "manifest")):
            if where and part in where:
                doing.add(activity)
        if snap is None:
            return doing | {"startup"}
        states = {b["state"] for b in snap["bays"]}
        q = snap["station"]["queue"]
        if states & BUSY:
            doing.add("offload")
        if "wiping" in states:
            doing.add("wipe")
        if q["pending"] or q["files_unarchived"]:
            doing.add("upload")
        if snap["manifests"] < sum(1 for d in snap["dockings"] if d["offload_done_at"]):
            doing.add("manifest")
        if before:
            def count(s, test):
                return sum(1 for f in s["files"] if test(f))
            for activity, test in (("offload", lambda f: True), ("wipe", lambda f: f["wiped_at"]),
                                   ("upload", lambda f: f["state"] == "archived")):
                if count(snap, test) > count(before, test):
                    doing.add(activity)
            if snap["manifests"] > before["manifests"]:
                doing.add("manifest")
        return doing or {"idle"}

    def record(self, snap):
        for f in snap["files"] if snap else []:
            if f["state"] not in ("staged", "archived"):
                continue
            r = self.reported.setdefault(f["id"], {"serial": f["serial"], "device_path": f["device_path"],
                                                   "sha256": f["sha256"], "archived": False, "wiped": False})
            r["archived"] |= f["state"] == "archived"
            r["wiped"] |= f["wiped_at"] is not None

    # --- checks ---
    def check_restarted(self):
        """The restarted station reconciled before serving: nothing lost, the chain verifies."""
        st = self.st
        lost = st.get("/api/v1/files?state=lost")
        if lost:
            raise AssertionError(f"after cut {self.rounds}: files marked lost: {lost}\n{st.log()[-3000:]}")
        served = {f["id"] for f in st.get("/api/v1/files?limit=10000")}
        missing = set(self.reported) - served
        if missing:
            raise AssertionError(f"after cut {self.rounds}: reported files no longer served: {sorted(missing)}")
        st.dockctl("verify")

    def surviving_rows(self):
        """The store as it survived, read from a copy (WAL included) as an expert would."""
        tmp = tempfile.mkdtemp(prefix="dockd-powercut-db-")
        try:
            for name in ("custody.db", "custody.db-wal"):
                src = os.path.join(self.st.disk, "data", name)
                if os.path.exists(src):
                    shutil.copyfile(src, os.path.join(tmp, name))
            if not os.path.exists(os.path.join(tmp, "custody.db")):
                return {}
            db = sqlite3.connect(os.path.join(tmp, "custody.db"))
            db.row_factory = sqlite3.Row
            try:
                return {r["id"]: r for r in db.execute("SELECT * FROM files")}
            finally:
                db.close()
        finally:
            shutil.rmtree(tmp)

    def check_survivors(self, phase):
        """With the daemon dead and the disk rolled back: every report holds."""
        disk = self.st.disk
        rows = self.surviving_rows()
        problems = []
        for fid, r in self.reported.items():
            row = rows.get(fid)
            what = f"file {fid} {r['serial']}:{r['device_path']}"
            if row is None or (row["serial"], row["device_path"], row["sha256"]) != (r["serial"], r["device_path"],
                                                                                     r["sha256"]):
                problems.append(f"{what} was reported staged; its row did not survive")
            elif row["state"] not in ("staged", "archived") or (r["archived"] and row["state"] != "archived"):
                problems.append(f"{what} was reported {'archived' if r['archived'] else 'staged'}; now {row['state']}")
            elif r["wiped"] and not row["wiped_at"]:
                problems.append(f"{what} was reported wiped; the record of the wipe did not survive")
        by_key = {}
        for row in rows.values():
            by_key[(row["serial"], row["device_path"])] = row
            if row["state"] in ("staged", "archived") and row["staging_name"] and not row["purged_at"]:
                problems += self.check_copy(row, os.path.join(disk, "data", "staging", row["staging_name"]), "staging")
            if row["state"] == "archived":
                problems += self.check_copy(row, os.path.join(disk, "archive", row["object_key"]), "archive")
        for bay, serial in self.docked.items():
            on_recorder = media_files(self.st.bay_path(bay))
            for path, digest in self.originals[serial].items():
                row = by_key.get((serial, path))
                durable = row is not None and row["state"] in ("staged", "archived") and row["sha256"] == digest
                if on_recorder.get(path) != digest and not durable:
                    problems.append(f"{serial}:{path} is neither on the recorder nor durably in custody")
        problems += self.check_manifests()
        if problems:
            raise AssertionError(f"power cut {self.rounds} (during {phase}) lost evidence:\n  " + "\n  ".join(problems))

    @staticmethod
    def check_copy(row, path, where):
        if not os.path.isfile(path):
            return [f"file {row['id']}: its {where} copy {path} is missing"]
        if sha256_of(path) != row["sha256"]:
            return [f"file {row['id']}: its {where} copy {path} differs from sha256 {row['sha256']}"]
        return []

    def check_manifests(self):
        """Every manifest that survived is whole, and its signature verifies
        with the station key that survived."""
        d = os.path.join(self.st.disk, "archive", "manifests", self.st.station_id)
        names = sorted(os.listdir(d)) if os.path.isdir(d) else []
        problems = []
        key = os.path.join(self.st.disk, "data", "station.key")
        pub = os.path.join(self.st.dir, "surviving.pub")
        if names and subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-out", pub],
                                    capture_output=True).returncode != 0:
            return [f"manifests were written but the station key {key} did not survive"]
        for name in names:
            path = os.path.join(d, name)
            if name.endswith(".json"):
                try:
                    with open(path, "rb") as f:
                        json.loads(f.read())
                except ValueError as e:
                    problems.append(f"manifest {name} is torn: {e}")
            elif name.endswith(".sig"):
                r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-in",
                                    path[:-4], "-sigfile", path], capture_output=True, text=True)
                if "Signature Verified Successfully" not in r.stdout:
                    problems.append(f"manifest {name[:-4]} does not verify with the surviving key: {r.stderr}")
        return problems

    # --- end of a batch ---
    def finish_batch(self, test):
        st = self.st
        st.layer.mount()   # no cut from here to the end of the batch
        st.start()
        self.check_restarted()
        for bay in self.docked:
            st.wait_bay(bay, "ready", timeout=120)
        st.wait_queue_empty(timeout=120)
        st.wait_files_in_manifests(sum(len(f) for f in self.originals.values()))
        assert_custody_complete(test, st, self.originals)
        gc.collect()   # its sqlite3 connections (through the mount) close only when collected: free the mount
        for bay, serial in self.docked.items():
            held = os.path.join(st.dir, f"held-{serial}")
            st.unplug(bay, held)
            st.wait_bay(bay, "empty", timeout=30)
            shutil.rmtree(held)
        self.docked = {}
        test.assertEqual(st.stop(), 0)
        st.layer.unmount()
