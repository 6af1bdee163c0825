"""Reload (SIGHUP, `systemctl reload dockd`): a running station takes a new
configuration whole, or refuses it whole and keeps the one in force; a copy in
progress is never interrupted, a removed bay finishes its docking first."""
import hashlib
import json
import os
import signal
import unittest

from api_client import MANAGER, VIEWER, api_refuses_anonymous, request, with_tokens
from harness import Station, edit_device, media_files, sha256_file, wait_for

MiB = 1 << 20


def audit(st, kind):
    with st.db() as db:
        return [json.loads(r[0]) for r in db.execute("SELECT payload FROM audit WHERE kind=? ORDER BY seq", (kind,))]


class Reload(unittest.TestCase):
    def setUp(self):
        self.st = Station(bays=2)
        self.addCleanup(self.st.cleanup)

    # --- helpers ---
    def config_text(self):
        with open(self.st.config) as f:
            return f.read()

    def write_config(self, text):
        # Replaced by rename, as editors and config management do.
        tmp = self.st.config + ".new"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.st.config)

    def hangup(self, outcome):
        """SIGHUP, then waits for the daemon's verdict: 'reloaded' or 'refused'."""
        marker = {"reloaded": "configuration reloaded from", "refused": "reload refused"}[outcome]
        before = self.st.log().count(marker)
        self.st.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: self.st.log().count(marker) > before, 30, f"the reload to be {outcome}")
        self.assertIsNone(self.st.proc.poll(), "dockd must survive SIGHUP")

    def slow_recorder(self, bay, serial):
        """Six 2 MiB files read at 1 MiB/s: a copy of about 12 s."""
        d = self.st.build(bay, serial, "--files", 6, "--file-size", 2 * MiB, "--read-rate", MiB, "--battery", 100,
                          "--seed", bay)
        originals = media_files(d)
        self.st.plug(bay, d)
        wait_for(lambda: self.st.bays()[bay]["state"] == "offloading", 60, f"bay {bay} to start copying")
        return originals

    def archived(self, serial, target_root):
        """{device_path: sha256sum of the archived object} of a recorder's files on one target."""
        url = "file://" + target_root
        with self.st.db() as db:
            rows = db.execute("SELECT f.device_path, f.object_key FROM files f JOIN uploads u ON u.file_id=f.id "
                              "WHERE f.serial=? AND u.target=? AND u.state='done'", (serial, url)).fetchall()
        return {r["device_path"]: sha256_file(os.path.join(target_root, r["object_key"])) for r in rows}

    # --- tests ---
    def test_new_bay_and_target_while_a_copy_runs(self):
        st = self.st
        st.start()
        originals = self.slow_recorder(1, "ZFYRL01")
        archive2 = os.path.join(st.dir, "archive2")
        text = self.config_text()
        text = text.replace('  - {id: 2, usb_path: "1-1.2"}\n',
                            '  - {id: 2, usb_path: "1-1.2"}\n  - {id: 3, usb_path: "1-1.3"}\n')
        text = text.replace(f'targets: [{{url: "file://{st.archive}"}}]',
                            f'targets: [{{url: "file://{st.archive}"}}, {{url: "file://{archive2}"}}]')
        self.write_config(text)
        self.hangup("reloaded")
        self.assertEqual(st.bays()[1]["state"], "offloading", "the copy goes on through the reload")
        self.assertEqual(set(st.bays()), {1, 2, 3})
        # Bay 3 is new: a recorder docked there is ingested and goes to both targets.
        st.insert(3, "ZFYRL03", "--files", 3, "--file-size", MiB, "--battery", 100, "--seed", 33)
        st.wait_bay(3, "ready")
        edit_device(st.bay_path(1), read_bytes_per_s=0)  # the reload has been seen mid-copy; finish now
        st.wait_bay(1, "ready")
        st.wait_queue_empty()

        # The copy that ran through the reload is whole and unchanged, in one docking.
        self.assertEqual(self.archived("ZFYRL01", st.archive), originals)
        with st.db() as db:
            dockings = db.execute("SELECT id, fault FROM dockings WHERE serial='ZFYRL01'").fetchall()
            bad = db.execute("SELECT COUNT(*) FROM files WHERE serial='ZFYRL01' AND state NOT IN "
                             "('staged','archived')").fetchone()[0]
        self.assertEqual(len(dockings), 1, "never interrupted, never re-docked")
        self.assertIsNone(dockings[0]["fault"])
        self.assertEqual(bad, 0)
        # The new bay's files reached the new target, byte for byte.
        bay3 = media_files(os.path.join(st.bay_path(3)))
        self.assertEqual(len(bay3), 3)
        self.assertEqual(self.archived("ZFYRL03", archive2), bay3)
        self.assertEqual(self.archived("ZFYRL03", st.archive), bay3)
        # The audit chain's segments (cut after each manifest) reach the new
        # target too, from seq 1: events from before the reload included.
        segments = os.path.join(archive2, "audit", st.station_id)
        wait_for(lambda: os.path.isdir(segments) and any(n.startswith("000000000001-") for n in os.listdir(segments)),
                 60, "the whole audit chain on the new target")
        # Audited with the new file's hash.
        loaded = audit(st, "config_loaded")
        self.assertEqual([e["reason"] for e in loaded], ["start", "reload"])
        self.assertEqual(loaded[-1]["sha256"], hashlib.sha256(text.encode()).hexdigest())
        self.assertNotEqual(loaded[0]["sha256"], loaded[-1]["sha256"])

    def test_broken_or_restart_only_config_is_refused_and_tokens_reload(self):
        st = self.st
        with_tokens(st)
        st.start(wait=False)
        wait_for(lambda: api_refuses_anonymous(st), 30, "the API")
        good = self.config_text()

        # A bad value: refused with FILE:LINE, nothing changes.
        lines = good.splitlines(keepends=True)
        bad_line = next(i for i, l in enumerate(lines) if l.startswith("ingest:"))
        lines[bad_line] = lines[bad_line].replace("verify: reread", "verify: sometimes")
        lines.insert(0, "# edited by hand\n")
        self.write_config("".join(lines))
        self.hangup("refused")
        self.assertIn(f"{st.config}:{bad_line + 2}: ingest.verify: 'sometimes' is not one of", st.log())
        # A file that is no YAML at all.
        self.write_config(good.replace("ports:\n", "ports: [\n"))
        self.hangup("refused")
        self.assertRegex(st.log(), rf"{st.config}:\d+: YAML syntax error")
        # A key that needs a restart is named, never silently ignored.
        self.write_config(good.replace(f"127.0.0.1:{st.port}", "127.0.0.1:1"))
        self.hangup("refused")
        listen_line = next(i for i, l in enumerate(good.splitlines()) if l.startswith("api:")) + 1
        self.assertIn(f"{st.config}:{listen_line}: api.listen changed", st.log())
        self.assertIn("needs a restart", st.log())
        self.assertEqual(len(audit(st, "config_loaded")), 1, "a refused reload is not a loaded config")

        # The old configuration is still in force: a docking ingests, tokens apply.
        st.insert(1, "ZFYRL11", "--files", 2, "--file-size", MiB, "--battery", 100, "--seed", 11)
        wait_for(lambda: self.bay(1, MANAGER)["state"] == "ready", 120, "bay 1 ready", 0.3)
        self.assertEqual(request(st, "GET", "/api/v1/station", VIEWER)[0], 200)
        self.assertEqual(request(st, "GET", "/api/v1/station")[0], 401)

        # The tokens file is re-read: a new token works, a withdrawn one no longer does.
        fresh = "fresh-token-0123456789abcdef"
        tokens = os.path.join(st.dir, "api.tokens")
        with open(tokens, "w") as f:
            f.write(f"{MANAGER} manager alice\n{fresh} viewer night-desk\n")
        self.assertEqual(request(st, "GET", "/api/v1/station", fresh)[0], 401, "not before the reload")
        self.write_config(good)
        self.hangup("reloaded")
        self.assertEqual(request(st, "GET", "/api/v1/station", fresh)[0], 200)
        self.assertEqual(request(st, "GET", "/api/v1/station", VIEWER)[0], 401)
        self.assertEqual(request(st, "GET", "/api/v1/station", MANAGER)[0], 200)
        # A tokens file that became unsafe (group-readable) is refused too.
        os.chmod(tokens, 0o640)
        self.hangup("refused")
        self.assertIn(f"{st.config}:", st.log().split("SIGHUP")[-1])
        self.assertEqual(request(st, "GET", "/api/v1/station", fresh)[0], 200)

    def bay(self, bay, token):
        status, _, data = request(self.st, "GET", f"/api/v1/bays/{bay}", token)
        self.assertEqual(status, 200, data)
        return json.loads(data)

    def test_removed_bay_finishes_its_docking(self):
        st = self.st
        st.start()
        originals = self.slow_recorder(2, "ZFYRL22")
        self.write_config(self.config_text().replace('  - {id: 2, usb_path: "1-1.2"}\n', ""))
        self.hangup("reloaded")
        self.assertEqual(st.bays()[2]["state"], "offloading", "a removed bay keeps copying")
        edit_device(st.bay_path(2), read_bytes_per_s=0)
        st.wait_bay(2, "ready")
        st.wait_queue_empty()
        self.assertEqual(self.archived("ZFYRL22", st.archive), originals)
        self.assertIn(2, st.bays(), "retired only once its docking is over")
        st.unplug(2, os.path.join(st.dir, "away"))
        wait_for(lambda: 2 not in st.bays(), 30, "bay 2 to be retired")
        with st.db() as db:
            d = db.execute("SELECT undocked_at, close_reason, fault FROM dockings WHERE serial='ZFYRL22'").fetchall()
        self.assertEqual(len(d), 1)
        self.assertIsNotNone(d[0]["undocked_at"])
        self.assertEqual(d[0]["close_reason"], "removed")
        self.assertIsNone(d[0]["fault"])
        self.assertIn("bay 2 retired", st.log())
        # The bay is gone: a recorder put there is not taken.
        st.plug(2, os.path.join(st.dir, "away"))
        st.insert(1, "ZFYRL21", "--files", 1, "--file-size", MiB, "--battery", 100, "--seed", 21)
        st.wait_bay(1, "ready")
        with st.db() as db:
            self.assertEqual(db.execute("SELECT COUNT(*) FROM dockings WHERE serial='ZFYRL22'").fetchone()[0], 1)


if __name__ == "__main__":
    unittest.main()
