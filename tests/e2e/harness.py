"""A real dockd station in a temp directory, driven from outside as a user would:
simulated recorders are created with simgen.py and renamed into bays, the daemon
is asked over its API and dockctl, and the archive is checked with stock tools."""
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("DOCKD_BUILD", os.path.join(ROOT, "build"))
DOCKD = os.path.join(BUILD, "daemon", "main", "dockd")
DOCKCTL = os.path.join(BUILD, "daemon", "dockctl", "dockctl")
VERIFY = os.path.join(BUILD, "daemon", "verify", "dockd-verify")
SIMGEN = os.path.join(ROOT, "drivers", "sim", "simgen.py")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sha256_file(path):
    """sha256sum, the stock tool a central archive would use."""
    with open(path, "rb") as f:
        out = subprocess.run(["sha256sum"], stdin=f, check=True, capture_output=True, text=True).stdout
    return out.split()[0]


def wait_for(predicate, timeout, what, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Station:
    def __init__(self, bays=4, wipe_after="never", verify="reread", extra="", upload=None):
        """upload: optional YAML text of a whole `upload:` section (default: one file:// target)."""
        self.dir = tempfile.mkdtemp(prefix="dockd-e2e-")
        self.bays_dir = os.path.join(self.dir, "bays")
        self.data_dir = os.path.join(self.dir, "data")
        self.archive = os.path.join(self.dir, "archive")
        self.staging = os.path.join(self.data_dir, "staging")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.station_id = "E2E-ST01"
        self.proc = None
        self.log_path = os.path.join(self.dir, "dockd.log")
        os.makedirs(self.bays_dir)
        ports = "\n".join(f'  - {{id: {i}, usb_path: "1-1.{i}"}}' for i in range(1, bays + 1))
        self.config = os.path.join(self.dir, "dockd.yaml")
        default_upload = f"""upload:
  targets: [{{url: "file://{self.archive}"}}]
  retry: {{initial: 500ms, max: 5s}}"""
        # Seed R8 asks two copies of long-term footage (--check-config refuses
        # fewer targets); the one-target stations of most tests say they accept one.
        copies = "" if "retention:" in extra else "retention: {long_term_copies: 1}\n"
        with open(self.config, "w") as f:
            f.write(f"""station: {{id: {self.station_id}, data_dir: {self.data_dir}}}
ports:
{ports}
drivers:
  - {{type: sim, bays_dir: {self.bays_dir}}}
charge: {{ready_percent: 80}}
clock: {{max_drift: 2s}}
ingest: {{verify: {verify}, wipe_after: {wipe_after}, min_free_bytes: 64MiB}}
{upload or default_upload}
{copies}api: {{listen: "127.0.0.1:{self.port}"}}
{extra}""")

    # --- process ---
    def start(self, wait=True, wrapper=()):
        """wrapper: a command the daemon runs under (e.g. a seccomp filter)."""
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen([*wrapper, DOCKD, "--config", self.config, "--foreground"], stdout=log,
                                         stderr=log)
        if wait:
            wait_for(self.api_up, 30, "dockd API")

    def api_up(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"dockd exited with {self.proc.returncode}:\n{self.log()}")
        try:
            self.get("/api/v1/station")
            return True
        except OSError:
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("dockd did not stop within 30 s of SIGINT")
        return self.proc.returncode if self.proc else None

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if os.environ.get("DOCKD_KEEP_TEST_DIRS"):
            print(f"kept {self.dir}", file=sys.stderr)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    # --- API and CLI ---
    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=10) as r:
            return json.loads(r.read())

    def metric(self, name):
        """The value of one /metrics sample, e.g. 'dockd_alerts_by_code{code="overdue"}'; None if absent."""
        with urllib.request.urlopen(self.url + "/metrics", timeout=10) as r:
            for line in r.read().decode().splitlines():
                if line.startswith(name + " "):
                    return float(line.split(" ")[1])
        return None

    def bays(self):
        return {b["id"]: b for b in self.get("/api/v1/bays")}

    def dockctl(self, *args, check=True):
        r = subprocess.run([DOCKCTL, "--url", self.url, *args], capture_output=True, text=True)
        if check and r.returncode != 0:
            raise AssertionError(f"dockctl {' '.join(args)} exited {r.returncode}: {r.stderr}")
        return r

    def wait_bay(self, bay, states, timeout=120):
        states = {states} if isinstance(states, str) else set(states)

        def reached():
            b = self.bays()[bay]
            if b["state"] == "fault" and not states & {"fault", "empty"}:
                raise AssertionError(f"bay {bay} in fault: {b['error']}\n{self.log()[-3000:]}")
            return b if b["state"] in states else None
        return wait_for(reached, timeout, f"bay {bay} to reach {states}", 0.2)

    def wait_queue_empty(self, timeout=120):
        def empty():
            s = self.get("/api/v1/station")
            q = s["queue"]
            # The queue the API shows counts files; publications (audit segments,
            # amendments, keys) ride along and are waited for here too.
            with self.db() as db:
                publishing = db.execute("SELECT COUNT(*) FROM uploads WHERE state='pending' "
                                        "AND publication_id IS NOT NULL").fetchone()[0]
            return q["pending"] == 0 and q["failing"] == 0 and q["files_unarchived"] == 0 and publishing == 0
        wait_for(empty, timeout, "the upload queue to drain", 0.2)

    def wait_manifests(self, count, timeout=60):
        """Manifests come after every file of their docking is archived."""
        wait_for(lambda: len(self.manifests()) >= count, timeout, f"{count} manifest(s)", 0.2)

    def wait_files_in_manifests(self, count, timeout=60):
        wait_for(lambda: sum(len(m["files"]) for m in self.manifests().values()) >= count, timeout,
                 f"{count} files in signed manifests", 0.2)

    def reconfigure(self, old, new):
        """Restarts the daemon with `old` replaced by `new` in its configuration."""
        with open(self.config) as f:
            text = f.read()
        assert old in text, old
        self.stop()
        with open(self.config, "w") as f:
            f.write(text.replace(old, new))
        self.start()

    def published(self):
        """Everything in the chain is cut into segments and every upload (media,
        manifests' files, segments, amendments, keys) is done (DESIGN §11)."""
        with self.db() as db:
            head = db.execute("SELECT COALESCE(MAX(seq), 0) FROM audit").fetchone()[0]
            cut = db.execute("SELECT COALESCE(MAX(last_seq), 0) FROM publications WHERE kind='segment'").fetchone()[0]
            pending = db.execute("SELECT COUNT(*) FROM uploads WHERE state='pending'").fetchone()[0]
            owed = db.execute("SELECT COUNT(*) FROM pending_amendments").fetchone()[0]
        return head > 0 and head == cut and pending == 0 and owed == 0

    def wait_published(self, timeout=90):
        try:
            wait_for(self.published, timeout, "the audit chain published to every target", 0.3)
        except AssertionError as e:
            raise AssertionError(f"{e}\n--- dockd log ---\n{self.log()[-4000:]}") from None

    def enrol(self, directory):
        """An archive operator enrols the station's key 1 out of band: `dockctl
        pubkey` saved as DIR/<station_id>.pem (DESIGN §11). Returns DIR."""
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, self.station_id + ".pem"), "w") as f:
            f.write(self.dockctl("pubkey").stdout)
        return directory

    # --- recorders ---
    def insert(self, bay, serial, *args):
        subprocess.run([sys.executable, SIMGEN, "--bays-dir", self.bays_dir, "--bay", str(bay), "--serial", serial,
                        *map(str, args)], check=True, capture_output=True)

    def build(self, bay, serial, *args):
        """Builds a recorder without inserting it; returns its directory."""
        out = subprocess.run([sys.executable, SIMGEN, "--bays-dir", self.bays_dir, "--bay", str(bay), "--serial",
                              serial, "--no-insert", *map(str, args)], check=True, capture_output=True, text=True)
        return out.stdout.strip().splitlines()[-1]

    def bay_path(self, bay):
        return os.path.join(self.bays_dir, str(bay))

    def unplug(self, bay, keep_as):
        """Removal by renaming the bay directory away (DESIGN §6)."""
        os.rename(self.bay_path(bay), keep_as)

    def plug(self, bay, recorder_dir):
        os.rename(recorder_dir, self.bay_path(bay))

    def plug_all_until_staged(self, recorder_dirs, timeout=3600):
        """Plugs recorder_dirs[i] into bay i+1 and returns the seconds until
        every one of them is safe to leave (staged or ready)."""
        t0 = time.monotonic()
        for b, d in enumerate(recorder_dirs, 1):
            self.plug(b, d)
        for b in range(1, len(recorder_dirs) + 1):
            wait_for(lambda b=b: self.bays()[b]["state"] in ("staged", "ready"), timeout, f"bay {b} staged", 0.02)
        return time.monotonic() - t0

    # --- outside checks ---
    def db(self):
        conn = sqlite3.connect(f"file:{os.path.join(self.data_dir, 'custody.db')}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        return conn

    def manifests(self):
        d = os.path.join(self.archive, "manifests", self.station_id)
        if not os.path.isdir(d):
            return {}
        out = {}
        for name in sorted(os.listdir(d)):
            if name.endswith(".json"):
                with open(os.path.join(d, name), "rb") as f:
                    out[os.path.join(d, name)] = json.loads(f.read())
        return out

    def verify_signatures(self):
        pub = os.path.join(self.dir, "station.pub")
        with open(pub, "w") as f:
            f.write(self.dockctl("pubkey").stdout)
        for path in self.manifests():
            r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-in", path,
                                "-sigfile", path + ".sig"], capture_output=True, text=True)
            if r.returncode != 0 or "Signature Verified Successfully" not in r.stdout:
                raise AssertionError(f"signature of {path} does not verify: {r.stdout} {r.stderr}")
        return len(self.manifests())


def edit_device(recorder_dir, **changes):
    """Changes fields of a simulated recorder's device.json (None writes null)."""
    p = os.path.join(recorder_dir, "device.json")
    with open(p) as f:
        d = json.load(f)
    d.update(changes)
    with open(p, "w") as f:
        json.dump(d, f)


def media_files(recorder_dir):
    """{device_path: sha256} of every regular file under media/."""
    media = os.path.join(recorder_dir, "media")
    out = {}
    for base, _, files in os.walk(media):
        for name in files:
            p = os.path.join(base, name)
            if os.path.isfile(p) and not os.path.islink(p):
                out[os.path.relpath(p, media)] = sha256_file(p)
    return out


def run_verify(*args, json_out=True):
    """dockd-verify as an archive operator runs it; returns (exit code, report)."""
    r = subprocess.run([VERIFY, *(["--json"] if json_out else []), *map(str, args)], capture_output=True, text=True)
    if r.returncode == 2:
        raise AssertionError(f"dockd-verify usage error: {r.stderr}")
    return r.returncode, (json.loads(r.stdout) if json_out else r.stdout)


def archive_keys(root):
    """Every object key of a file:// archive (its .incoming temp files aside)."""
    out = set()
    for base, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not (base == root and d == ".incoming")]
        out |= {os.path.relpath(os.path.join(base, f), root) for f in files}
    return out


def chain_from_segments(archive, station):
    """The published chain read back with stock Python, as a court expert
    would: segments in order from seq 1, each row's hash recomputed (§8)."""
    folder = os.path.join(archive, "audit", station)
    names = sorted(n for n in os.listdir(folder) if n.endswith(".jsonl"))
    prev, expected, rows = "0" * 64, 1, []
    for name in names:
        first, last = (int(x) for x in name[:-len(".jsonl")].split("-"))
        assert first == expected, f"{name}: expected a segment starting at {expected}"
        assert os.path.exists(os.path.join(folder, name + ".sig")), f"{name} has no signature"
        with open(os.path.join(folder, name), "rb") as f:
            for line in f.read().decode().splitlines():
                row = json.loads(line)
                assert row["seq"] == expected, f"{name}: row {row['seq']} where {expected} was due"
                prev = hashlib.sha256((prev + "\n" + row["payload"]).encode()).hexdigest()
                assert row["hash"] == prev, f"{name}: row {row['seq']} does not recompute"
                rows.append(row)
                expected += 1
        assert expected == last + 1, f"{name}: ends at {expected - 1}, named {last}"
    return names, rows
