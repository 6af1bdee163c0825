"""The HTTP API (DESIGN §9) of a real daemon with a tokens file: every endpoint,
roles, bad input, the ledger CSV field by field, the access register, metrics
parsed as Prometheus text, the event stream and dockctl."""
import csv
import http.client
import io
import json
import os
import re
import socket
import subprocess
import unittest

from api_client import MANAGER, VIEWER, api_refuses_anonymous, get_json, request, with_tokens
from harness import DOCKCTL, Station, wait_for

MiB = 1 << 20


def parse_prometheus(text):
    """Exposition format 0.0.4 as promtool reads it: returns {family: (type, [(name, labels, value)])};
    raises on any line that does not parse, samples without TYPE, or types declared twice."""
    name_re = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
    sample_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
    label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')
    families, helps = {}, set()
    for n, line in enumerate(text.splitlines(), 1):
        if not line:
            continue
        if line.startswith("# HELP "):
            name = line.split(" ", 3)[2]
            assert name_re.match(name) and name not in helps, f"line {n}: {line}"
            helps.add(name)
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert name_re.match(name), f"line {n}: bad name {name}"
            assert kind in ("counter", "gauge", "histogram", "summary", "untyped"), f"line {n}: {kind}"
            assert name not in families, f"line {n}: TYPE of {name} given twice"
            families[name] = (kind, [])
        elif line.startswith("#"):
            continue
        else:
            m = sample_re.match(line)
            assert m, f"line {n} does not parse: {line!r}"
            name, _, label_text, value = m.groups()
            labels = {}
            if label_text:
                pos = 0
                for lm in label_re.finditer(label_text):
                    assert lm.start() == pos, f"line {n}: bad labels {label_text!r}"
                    labels[lm.group(1)] = lm.group(2)
                    pos = lm.end()
                assert pos == len(label_text), f"line {n}: bad labels {label_text!r}"
            float(value)  # raises on a bad value
            assert name in families, f"line {n}: sample {name} has no TYPE"
            families[name][1].append((name, labels, float(value)))
    for name in families:
        assert name in helps, f"{name} has no HELP"
        if families[name][0] == "counter":
            assert name.endswith("_total"), f"counter {name} does not end in _total"
    return families


class ApiEndpoints(unittest.TestCase):
    """One station for the whole class: a recorder is docked once, then asked about."""

    @classmethod
    def setUpClass(cls):
        cls.st = st = Station(bays=2)
        with_tokens(st)
        st.start(wait=False)
        wait_for(lambda: api_refuses_anonymous(st), 30, "the API")
        st.insert(1, "ZFY0101", "--officer-no", "004213", "--officer-name", "张伟", "--unit-name", "城关派出所",
                  "--files", 3, "--file-size", MiB, "--battery", 70, "--charge-rate", 6000, "--clock-offset", "-93.5", "--seed", 7)
        wait_for(lambda: get_json(st, "/api/v1/bays/1")["state"] == "ready", 120, "bay 1 ready", 0.3)
        wait_for(lambda: get_json(st, "/api/v1/station")["queue"]["files_unarchived"] == 0, 120, "archive", 0.3)
        cls.docking = get_json(st, "/api/v1/dockings")[0]
        cls.files = get_json(st, "/api/v1/files?docking=" + cls.docking["id"])

    @classmethod
    def tearDownClass(cls):
        cls.st.cleanup()

    def test_station_and_bays_have_the_documented_shape(self):
        s = get_json(self.st, "/api/v1/station", VIEWER)
        for key in ("id", "version", "uptime_s", "disk", "network", "queue", "public_key", "oldest_unarchived_age_s",
                    "alerts", "overdue_recorders", "host_clock_synced"):
            self.assertIn(key, s)
        self.assertEqual(s["id"], self.st.station_id)
        self.assertIn("BEGIN PUBLIC KEY", s["public_key"])
        self.assertEqual(s["network"]["state"], "idle")
        bays = get_json(self.st, "/api/v1/bays", VIEWER)
        self.assertEqual([b["id"] for b in bays], [1, 2])
        b1 = get_json(self.st, "/api/v1/bays/1", VIEWER)
        self.assertEqual(b1["recorder"]["serial"], "ZFY0101")
        self.assertEqual(b1["officer"], {"no": "004213", "name": "张伟"})
        self.assertTrue(b1["safe_to_leave"])
        self.assertEqual(b1["progress"]["files_done"], 3)
        self.assertEqual(b1["progress"]["bytes_done"], 3 * MiB)
        self.assertEqual(get_json(self.st, "/api/v1/bays/9", VIEWER, expect=404)["error"], "no_such_bay")

    def test_dockings_files_uploads(self):
        d = self.docking
        self.assertEqual((d["serial"], d["bay"], d["officer_no"], d["files"], d["bytes"]), ("ZFY0101", 1, "004213", 3, 3 * MiB))
        self.assertEqual(get_json(self.st, "/api/v1/dockings?since=2100-01-01"), [])
        one = get_json(self.st, "/api/v1/dockings/" + d["id"], VIEWER)
        self.assertEqual(len(one["file_list"]), 3)
        self.assertEqual({f["state"] for f in self.files}, {"archived"})
        f = get_json(self.st, f"/api/v1/files/{self.files[0]['id']}", VIEWER)
        self.assertRegex(f["sha256"], "^[0-9a-f]{64}$")
        self.assertEqual(get_json(self.st, "/api/v1/files?state=staged"), [])
        uploads = get_json(self.st, "/api/v1/uploads", VIEWER)
        self.assertEqual(len(uploads), 3)
        self.assertEqual({u["state"] for u in uploads}, {"done"})
        self.assertEqual(get_json(self.st, "/api/v1/files/999999", expect=404)["error"], "no_such_file")
        self.assertEqual(get_json(self.st, "/api/v1/dockings/nope", expect=404)["error"], "no_such_docking")

    def test_roles_and_tokens(self):
        st = self.st
        for token in (None, "not-a-token"):
            status, headers, data = request(st, "GET", "/api/v1/station", token)
            self.assertEqual(status, 401)
            self.assertEqual(json.loads(data)["error"], "unauthorized")
            self.assertIn("bearer", headers["www-authenticate"].lower())
        for method, path, body in (("GET", "/api/v1/ledger", None), ("GET", "/api/v1/access-log", None),
                                   ("GET", "/api/v1/export/dockings/" + self.docking["id"], None),
                                   ("POST", "/api/v1/bays/1/power", {"action": "cycle"}),
                                   ("POST", "/api/v1/assignments", {"serial": "X", "officer_no": "1"}),
                                   ("POST", f"/api/v1/files/{self.files[0]['id']}/retain", {"reason": "x"}),
                                   ("POST", f"/api/v1/files/{self.files[0]['id']}/annotations", {"note": "x"})):
            status, _, data = request(st, method, path, VIEWER, body)
            self.assertEqual((status, json.loads(data)["error"]), (403, "forbidden"), f"{method} {path}")
        self.assertEqual(request(st, "GET", "/metrics", VIEWER)[0], 200)
        self.assertEqual(request(st, "GET", "/metrics")[0], 401)
        # The page carries no station data and is served without a token.
        status, headers, data = request(st, "GET", "/")
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/html"))
        self.assertIn(b"/assets/app.js", data)
        self.assertEqual(request(st, "GET", "/assets/app.js")[0], 200)
        self.assertEqual(request(st, "GET", "/assets/nope.js")[0], 404)

    def test_errors_are_json_with_stable_codes(self):
        st = self.st
        fid = self.files[0]["id"]
        cases = [
            ("POST", f"/api/v1/files/{fid}/retain", "{", 400, "bad_json"),
            ("POST", f"/api/v1/files/{fid}/retain", "[1]", 400, "bad_json"),
            ("POST", f"/api/v1/files/{fid}/retain", {"reason": 5}, 400, "bad_field"),
            ("POST", f"/api/v1/files/{fid}/annotations", {}, 400, "empty_annotation"),
            ("POST", f"/api/v1/files/{fid}/annotations", {"colour": "red"}, 400, "bad_field"),
            ("POST", "/api/v1/assignments", {"officer_no": "1"}, 400, "bad_field"),
            ("POST", "/api/v1/bays/1/power", {"action": "explode"}, 400, "bad_action"),
            ("POST", "/api/v1/bays/1/power", {"action": "cycle"}, 409, "power_unavailable"),
            ("POST", "/api/v1/bays/77/power", {"action": "on"}, 404, "no_such_bay"),
            ("GET", "/api/v1/ledger?from=yesterday", None, 400, "bad_date"),
            ("GET", "/api/v1/files?state=shredded", None, 400, "bad_parameter"),
            ("GET", "/api/v1/files?colour=red", None, 400, "bad_parameter"),
            ("GET", "/api/v1/dockings?limit=0", None, 400, "bad_parameter"),
            ("GET", "/api/v1/nothing-here", None, 404, "not_found"),
            ("DELETE", "/api/v1/station", None, 405, "method_not_allowed"),
            ("POST", "/api/v1/ledger", "{}", 405, "method_not_allowed"),
        ]
        for method, path, body, status, code in cases:
            got, headers, data = request(st, method, path, MANAGER, body)
            self.assertEqual(got, status, f"{method} {path}: {data!r}")
            doc = json.loads(data)
            self.assertEqual(doc["error"], code, f"{method} {path}")
            self.assertTrue(doc["message"])
            if status == 405:
                self.assertIn("GET", headers["allow"])

    def test_oversized_body_and_headers_are_refused(self):
        status, _, data = request(self.st, "POST", "/api/v1/assignments", MANAGER, "x" * (65 * 1024 + 1))
        self.assertEqual((status, json.loads(data)["error"]), (413, "body_too_large"))
        status, _, data = request(self.st, "GET", "/api/v1/station", MANAGER, headers={"X-Junk": "y" * 10000})
        self.assertEqual((status, json.loads(data)["error"]), (431, "headers_too_large"))
        with socket.create_connection(("127.0.0.1", self.st.port), timeout=5) as s:
            s.sendall(b"GARBAGE / HTTP/9\r\n\r\n")
            self.assertIn(b" 400 ", s.recv(4096).split(b"\r\n")[0] + b" ")
        self.assertEqual(request(self.st, "GET", "/api/v1/station", VIEWER)[0], 200, "station still serves")

    def test_retain_annotate_assign_are_audited_and_exported(self):
        st = self.st
        fid = self.files[1]["id"]
        status, _, data = request(st, "POST", f"/api/v1/files/{fid}/retain", MANAGER, {"reason": "投诉纠纷 dispute"})
        self.assertEqual(status, 200, data)
        self.assertEqual(json.loads(data)["changed"], 1)
        self.assertEqual(get_json(st, f"/api/v1/files/{fid}")["retention"], "long_term")
        self.assertEqual(get_json(st, f"/api/v1/files/{fid}")["retain_reason"], "投诉纠纷 dispute")
        status, _, data = request(st, "POST", f"/api/v1/files/{fid}/annotations", MANAGER,
                                  {"case_no": "A2026-0042", "category": "traffic", "note": "路口 checkpoint"})
        self.assertEqual(status, 201, data)
        status, _, data = request(st, "POST", f"/api/v1/dockings/{self.docking['id']}/annotations", MANAGER,
                                  {"note": "whole shift"})
        self.assertEqual(status, 201, data)
        standard = [f for f in get_json(st, "/api/v1/files?docking=" + self.docking["id"]) if f["retention"] == "standard"]
        status, _, data = request(st, "POST", f"/api/v1/dockings/{self.docking['id']}/retain", MANAGER, {})
        self.assertEqual((status, json.loads(data)["changed"]), (200, len(standard)))
        status, _, data = request(st, "POST", "/api/v1/assignments", MANAGER,
                                  {"serial": "ZFY0777", "officer": {"no": "009999", "name": "李娜"}})
        self.assertEqual(status, 201, data)

        export = get_json(st, "/api/v1/export/dockings/" + self.docking["id"])
        m = export["manifest"]
        self.assertEqual(json.loads(export["manifest_text"]), m)
        self.assertRegex(export["signature_hex"], "^[0-9a-f]{128}$")
        by_id = {f["id"]: f["device_path"] for f in self.files}
        entry = next(f for f in m["files"] if f["device_path"] == by_id[fid])
        self.assertEqual(entry["retention"], "long_term")
        self.assertEqual(entry["annotations"][0]["case_no"], "A2026-0042")
        self.assertEqual(m["annotations"][0]["note"], "whole shift")
        self.assertEqual({f["retention"] for f in m["files"]}, {"long_term"})

        with st.db() as db:
            kinds = [r["kind"] for r in db.execute("SELECT kind FROM audit ORDER BY seq")]
            payloads = [json.loads(r["payload"]) for r in db.execute("SELECT payload FROM audit WHERE kind='retain'")]
            assigned = db.execute("SELECT officer_no, source FROM assignments WHERE serial='ZFY0777'").fetchall()
        self.assertGreaterEqual(kinds.count("retain"), 2)
        self.assertGreaterEqual(kinds.count("annotated"), 2)
        self.assertEqual(payloads[0]["by"], "alice")
        self.assertEqual([tuple(a) for a in assigned], [("009999", "manual")])
        self.assertTrue(get_json(st, "/api/v1/audit/verify", VIEWER)["ok"])

    def test_ledger_csv_field_by_field(self):
        st = self.st
        status, headers, data = request(st, "GET", "/api/v1/ledger", MANAGER, headers={"Accept": "text/csv"})
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/csv"))
        self.assertTrue(data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM for spreadsheet programs")
        rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))
        self.assertEqual(rows[0], ["docking_id", "bay", "serial", "vendor", "model", "officer_no", "officer_name",
                                   "unit_name", "docked_at", "undocked_at", "files", "bytes", "refused", "recorded_from",
                                   "recorded_to", "recorded_span_s", "battery_in", "battery_out", "clock_offset_ms",
                                   "close_reason", "kind", "at", "recorded_duration_s", "truncated_files",
                                   "previous_officer_no", "assigned_by"])
        # Assignments made by other tests are rows of their own (issue 14).
        dockings = [r for r in rows[1:] if r[rows[0].index("kind")] == "docking"]
        self.assertEqual(len(dockings), 1)
        row = dict(zip(rows[0], dockings[0]))
        with st.db() as db:
            d = db.execute("SELECT * FROM dockings").fetchone()
            rec = db.execute("SELECT MIN(recorded_at) a, MAX(recorded_at) b, SUM(size) s FROM files").fetchone()
        self.assertEqual(row["docking_id"], d["id"])
        self.assertEqual(row["bay"], "1")
        self.assertEqual((row["serial"], row["vendor"], row["model"]), ("ZFY0101", "Sim", "S1"))
        self.assertEqual((row["officer_no"], row["officer_name"], row["unit_name"]), ("004213", "张伟", "城关派出所"))
        self.assertEqual(row["docked_at"], d["docked_at"])
        self.assertEqual(row["undocked_at"], "")  # still docked
        self.assertEqual((row["files"], row["bytes"], row["refused"]), ("3", str(3 * MiB), "0"))
        self.assertEqual(row["bytes"], str(rec["s"]))
        self.assertEqual((row["recorded_from"], row["recorded_to"]), (rec["a"], rec["b"]))
        self.assertGreater(int(row["recorded_span_s"]), 0)
        self.assertEqual(row["battery_in"], str(d["battery_in"]))
        self.assertTrue(70 <= int(row["battery_in"]) < 80, row["battery_in"])  # docked at 70 %, charging fast
        self.assertEqual(row["clock_offset_ms"], str(d["clock_offset_ms"]))
        self.assertAlmostEqual(int(row["clock_offset_ms"]), -93500, delta=1500)
        # The JSON form says the same; whole days include the "to" day.
        j = [r for r in get_json(st, "/api/v1/ledger?from=2000-01-01&to=" + d["docked_at"][:10])
             if r["kind"] == "docking"]
        self.assertEqual((j[0]["docking_id"], j[0]["officer_name"], j[0]["files"]), (d["id"], "张伟", 3))
        self.assertEqual(get_json(st, "/api/v1/ledger?to=2000-01-01"), [])
        # dockctl prints the same CSV.
        r = subprocess.run([DOCKCTL, "--url", st.url, "--token-file", self.token_file(MANAGER), "ledger", "--csv"],
                           capture_output=True, check=True)
        self.assertEqual(r.stdout, data)

    def token_file(self, token):
        path = os.path.join(self.st.dir, f"{token[:6]}.token")
        with open(path, "w") as f:
            f.write(token + "\n")
        return path

    def test_access_register_filled_by_requests(self):
        st = self.st
        fid = self.files[2]["id"]
        request(st, "GET", f"/api/v1/files/{fid}", VIEWER)
        request(st, "GET", "/api/v1/ledger", MANAGER, headers={"X-Approval-Ref": "审批-2026-117".encode()})
        request(st, "GET", "/api/v1/station", MANAGER)  # not footage metadata: not registered
        log = get_json(st, "/api/v1/access-log?limit=50")
        self.assertEqual(log[0]["what"], "access register")
        self.assertEqual(log[0]["who"], "alice")
        ledger = next(e for e in log if e["what"].startswith("ledger export"))
        self.assertEqual((ledger["who"], ledger["role"], ledger["approval_ref"], ledger["remote"]),
                         ("alice", "manager", "审批-2026-117", "127.0.0.1"))
        viewed = next(e for e in log if e["what"].startswith(f"file {fid} "))
        self.assertEqual((viewed["who"], viewed["role"], viewed["approval_ref"]), ("wall-screen", "viewer", None))
        self.assertIn("ZFY0101:", viewed["what"])
        self.assertFalse(any("station" in e["what"] for e in log))
        with st.db() as db:
            rows = db.execute("SELECT who, what, approval_ref FROM access_register ORDER BY id").fetchall()
            audited = db.execute("SELECT COUNT(*) FROM audit WHERE kind='api_access'").fetchone()[0]
        self.assertIn(("alice", ledger["what"], "审批-2026-117"), [tuple(r) for r in rows])
        self.assertEqual(audited, len(rows), "every register row is also an audit event")
        status, headers, data = request(st, "GET", "/api/v1/access-log", MANAGER, headers={"Accept": "text/csv"})
        self.assertTrue(data.startswith(b"\xef\xbb\xbf"))
        table = list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"), newline="")))
        self.assertIn("审批-2026-117", [r["approval_ref"] for r in table])

    def test_metrics_are_named_typed_and_true(self):
        status, headers, data = request(self.st, "GET", "/metrics", VIEWER)
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith("text/plain; version=0.0.4"))
        families = parse_prometheus(data.decode("utf-8"))
        expected = {
            "dockd_ingested_files_total": "counter", "dockd_ingested_bytes_total": "counter",
            "dockd_uploaded_files_total": "counter", "dockd_uploaded_bytes_total": "counter",
            "dockd_bay_state": "gauge", "dockd_upload_queue_depth": "gauge",
            "dockd_upload_oldest_unarchived_age_seconds": "gauge", "dockd_upload_failing": "gauge",
            "dockd_ingest_throughput_bytes_per_second": "gauge", "dockd_upload_throughput_bytes_per_second": "gauge",
            "dockd_disk_free_bytes": "gauge", "dockd_audit_chain_length": "gauge", "dockd_api_replies_total": "counter",
        }
        for name, kind in expected.items():
            self.assertEqual(families.get(name, (None,))[0], kind, name)

        def value(name, **labels):
            return next(v for n, l, v in families[name][1] if all(l.get(k) == x for k, x in labels.items()))
        self.assertEqual(value("dockd_ingested_files_total"), 3)
        self.assertEqual(value("dockd_ingested_bytes_total"), 3 * MiB)
        self.assertEqual(value("dockd_uploaded_files_total"), 3)
        self.assertEqual(value("dockd_bay_state", bay="1", state="ready"), 1)
        self.assertEqual(value("dockd_bay_state", bay="2", state="empty"), 1)
        for bay in ("1", "2"):
            self.assertEqual(sum(v for _, l, v in families["dockd_bay_state"][1] if l["bay"] == bay), 1)
        self.assertEqual(value("dockd_upload_queue_depth", state="pending"), 0)
        self.assertGreater(value("dockd_disk_free_bytes", path="staging"), 0)
        with self.st.db() as db:
            seq = db.execute("SELECT MAX(seq) FROM audit").fetchone()[0]
        self.assertGreaterEqual(value("dockd_audit_chain_length"), seq - 5)
        self.assertGreater(value("dockd_api_replies_total", code="200"), 0)

    def test_events_stream_status(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.st.port, timeout=10)
        conn.request("GET", "/api/v1/events?access_token=" + VIEWER)
        r = conn.getresponse()
        self.assertEqual(r.status, 200)
        self.assertTrue(r.getheader("Content-Type").startswith("text/event-stream"))
        event, data = None, None
        while data is None:
            line = r.fp.readline().decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
        conn.close()
        self.assertEqual(event, "status")
        self.assertEqual(data["station"]["id"], self.st.station_id)
        self.assertEqual(data["bays"][0]["state"], "ready")
        self.assertEqual(request(self.st, "GET", "/api/v1/events?access_token=wrong")[0], 401)

    def test_dockctl_commands(self):
        st = self.st
        m, v = self.token_file(MANAGER), self.token_file(VIEWER)
        r = st.dockctl("--token-file", v, "status")
        self.assertIn("ZFY0101", r.stdout)
        self.assertRegex(r.stdout, r"1\s+ready\s+ZFY0101\s+004213\s+yes")
        ports = json.loads(st.dockctl("--token-file", v, "--json", "ports").stdout)
        self.assertEqual(ports[0]["recorder"]["serial"], "ZFY0101")
        self.assertIn("张伟", st.dockctl("--token-file", v, "ports").stdout)
        self.assertIn("done", st.dockctl("--token-file", v, "queue").stdout)
        self.assertEqual(st.dockctl("--token-file", m, "verify").returncode, 0)
        self.assertIn("BEGIN PUBLIC KEY", st.dockctl("--token-file", v, "pubkey").stdout)
        fid = str(self.files[0]["id"])
        self.assertIn("long_term", st.dockctl("--token-file", m, "retain", fid, "--reason", "incident").stdout)
        self.assertIn("annotation", st.dockctl("--token-file", m, "annotate", fid, "--case", "C-1").stdout)
        self.assertIn("assigned to officer 004213",
                      st.dockctl("--token-file", m, "assign", "ZFY0101", "--officer", "004213").stdout)
        exported = json.loads(st.dockctl("--token-file", m, "export", self.docking["id"],
                                         "--approval-ref", "REF-9").stdout)
        self.assertEqual(exported["docking"]["id"], self.docking["id"])
        self.assertIn("REF-9", st.dockctl("--token-file", m, "access-log").stdout)
        self.assertIn("ZFY0101", st.dockctl("--token-file", m, "ledger").stdout)
        # Exit codes: power on a sim bay is refused by the station (1); a viewer
        # may not act, a wrong token or bad arguments are usage errors (2).
        r = st.dockctl("--token-file", m, "power", "1", "cycle", check=False)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("HTTP 409", r.stderr)
        r = st.dockctl("--token-file", v, "retain", fid, check=False)
        self.assertEqual((r.returncode, "may not" in r.stderr), (2, True))
        r = st.dockctl("status", check=False)
        self.assertEqual(r.returncode, 2)
        self.assertIn("refused the token", r.stderr)
        self.assertEqual(st.dockctl("--token-file", m, "power", "1", "sideways", check=False).returncode, 2)
        self.assertEqual(st.dockctl("--token-file", m, "frobnicate", check=False).returncode, 2)
        r = subprocess.run([DOCKCTL, "--url", "http://127.0.0.1:1", "status"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertIn("is the daemon running", r.stderr)


if __name__ == "__main__":
    unittest.main()
