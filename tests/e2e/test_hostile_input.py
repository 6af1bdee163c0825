"""Hostile input from outside (issue 12): date filters over years 0001..9999,
configuration files that are not one small UTF-8 YAML document, bytes that
are not UTF-8 in requests, and idle sockets that must not lock the operator out."""
import json
import os
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse

from api_client import request
from harness import DOCKD, Station

BAD_DATES = ["9999-99-99", "2027-02-31", "2026-01-01T25:61:61Z", "T25:61:61Z", "2026-02-29", "0000-01-01",
             "2026-01-01T00:00:00", "+2026-01-01", "2026-1-1"]


def strict_json(data):
    """The reply as JSON, failing on any byte sequence that is not UTF-8 (RFC 8259 §8.1)."""
    return json.loads(data.decode("utf-8", errors="strict"))


class HostileRequests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.st = Station(bays=1)
        cls.st.start()
        cls.st.insert(1, "ZFY7001", "--files", 2, "--file-size", 4096)
        cls.st.wait_bay(1, ("staged", "ready"))
        cls.docking = cls.st.bays()[1]["docking_id"]

    @classmethod
    def tearDownClass(cls):
        cls.st.cleanup()

    def get(self, path):
        status, _, data = request(self.st, "GET", path)
        return status, strict_json(data)

    def test_date_filters_cover_years_0001_to_9999(self):
        for query in ("from=2000-01-01&to=9999-12-31", "from=0001-01-01", "to=9999-12-31",
                      "from=1600-01-01T00:00:00Z&to=9999-12-31T23:59:59.999Z"):
            status, rows = self.get("/api/v1/ledger?" + query)
            self.assertEqual(status, 200, query)
            self.assertEqual([r["docking_id"] for r in rows], [self.docking], query)
        self.assertEqual(self.get("/api/v1/ledger?from=9999-12-31")[1], [])
        self.assertEqual(self.get("/api/v1/ledger?to=1600-01-01")[1], [])
        self.assertEqual([d["id"] for d in self.get("/api/v1/dockings?since=0001-01-01")[1]], [self.docking])
        self.assertEqual(self.get("/api/v1/dockings?since=9999-12-31T23:59:59.999Z")[1], [])

    def test_dockctl_ledger_over_the_whole_range(self):
        out = json.loads(self.st.dockctl("--json", "ledger", "--from", "2000-01-01", "--to", "9999-12-31").stdout)
        self.assertEqual([r["docking_id"] for r in out], [self.docking])
        r = self.st.dockctl("ledger", "--from", "2027-02-31", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("from must be YYYY-MM-DD or RFC 3339", r.stderr)

    def test_dates_that_do_not_exist_are_bad_date(self):
        for bad in BAD_DATES:
            q = urllib.parse.quote(bad)
            for path in (f"/api/v1/ledger?from={q}", f"/api/v1/ledger?to={q}", f"/api/v1/dockings?since={q}"):
                status, doc = self.get(path)
                self.assertEqual((status, doc["error"]), (400, "bad_date"), path)

    def test_replies_are_utf8_whatever_the_request_holds(self):
        # Percent-decoded paths and parameter names are echoed in error messages.
        for path in ("/api/v1/dockings/%FF%FE", "/api/v1/nothing/%C3%28", "/assets/%ED%A0%80.js",
                     "/api/v1/ledger?%FF=1", "/api/v1/files/%F0%28%8C%BC"):
            status, _, data = request(self.st, "GET", path)
            self.assertIn(status, (400, 404), path)
            doc = strict_json(data)
            self.assertIn("\ufffd", doc["message"], path)
        # Header bytes go into the access register (and the audit chain).
        status, _, _ = request(self.st, "GET", "/api/v1/ledger", headers={"X-Approval-Ref": b"ref-\xff\xfe-" + "审".encode() * 80})
        self.assertEqual(status, 200)
        status, log = self.get("/api/v1/access-log")
        self.assertEqual(status, 200)
        ref = next(e["approval_ref"] for e in log if e["what"].startswith("ledger export"))
        self.assertTrue(ref.startswith("ref-\ufffd\ufffd-审"), ref)
        self.assertLessEqual(len(ref.encode()), 200)

    def test_idle_sockets_cannot_lock_out_the_operator(self):
        st = self.st
        events = socket.create_connection(("127.0.0.1", st.port), timeout=10)
        events.sendall(b"GET /api/v1/events HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertIn(b" 200 ", events.recv(4096))
        idle = []
        try:
            for i in range(300):  # more than the 256 overall and 64 per address
                s = socket.create_connection(("127.0.0.1", st.port), timeout=10)
                if i % 10 == 0:
                    s.sendall(b"GET /api/v1/station HTTP/1.1\r\n")  # a request that never completes
                idle.append(s)
            time.sleep(0.5)
            for _ in range(5):
                started = time.monotonic()
                self.assertEqual(request(st, "GET", "/api/v1/bays")[0], 200)
                self.assertEqual(request(st, "GET", "/")[0], 200, "the page")
                self.assertLess(time.monotonic() - started, 2)
            r = st.dockctl("status")
            self.assertIn("ZFY7001", r.stdout)
            # The oldest idle ones made room; the newest are still open.
            idle[0].settimeout(2)
            self.assertEqual(idle[0].recv(100), b"", "the oldest idle socket was closed without a reply")
            idle[-1].settimeout(0.2)
            with self.assertRaises(socket.timeout):
                idle[-1].recv(100)
            # The busy event stream was not taken for an idle socket.
            events.settimeout(3)
            self.assertTrue(events.recv(4096), "the event stream still sends")
        finally:
            for s in idle:
                s.close()
            events.close()


class HostileConfigFiles(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="dockd-hostile-")
        self.addCleanup(subprocess.run, ["rm", "-rf", self.dir])

    def check(self, path):
        started = time.monotonic()
        r = subprocess.run([DOCKD, "--config", path, "--check-config"], capture_output=True, timeout=20)
        self.assertLess(time.monotonic() - started, 5, "refused at once")
        return r.returncode, r.stderr.decode("utf-8", "replace")

    def write(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_dev_zero_is_refused_at_once(self):
        code, err = self.check("/dev/zero")
        self.assertEqual(code, 2, err)
        self.assertIn("/dev/zero:0: not a regular file (a character device)", err)

    def test_fifo_is_refused_without_blocking(self):
        fifo = os.path.join(self.dir, "dockd.yaml")
        os.mkfifo(fifo)
        code, err = self.check(fifo)
        self.assertEqual(code, 2, err)
        self.assertIn(f"{fifo}:0: not a regular file (a FIFO)", err)

    def test_second_document_is_an_error_at_its_line(self):
        path = self.write("two.yaml", b"station: {id: s1}\n---\nstation: {id: s2}\n")
        code, err = self.check(path)
        self.assertEqual(code, 2, err)
        self.assertIn(f"{path}:2: a second YAML document", err)

    def test_invalid_utf8_is_an_error_at_its_line(self):
        path = self.write("bad.yaml", b"station:\n  id: s1\n  name: \"Nord \xff depot\"\n")
        code, err = self.check(path)
        self.assertEqual(code, 2, err)
        self.assertIn(f"{path}:3: not valid UTF-8", err)
        path = self.write("escape.yaml", b"station:\n  id: s1\n  name: \"a\\0b\"\n")
        code, err = self.check(path)
        self.assertEqual(code, 2, err)
        self.assertIn(f"{path}:3: a NUL character", err)

    def test_oversized_file_is_refused(self):
        path = self.write("big.yaml", b"station: {id: s1}\n" + (b"#" * 1023 + b"\n") * 1100)
        code, err = self.check(path)
        self.assertEqual(code, 2, err)
        self.assertIn(f"{path}:0: larger than 1 MiB", err)


if __name__ == "__main__":
    unittest.main()
