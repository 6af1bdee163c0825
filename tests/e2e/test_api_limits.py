"""The API under slow, greedy and departing clients, and its logs in journald."""
import http.client
import json
import os
import socket
import threading
import time
import unittest

from api_client import request
from harness import Station

MiB = 1 << 20


class ApiLimits(unittest.TestCase):
    """Slow and greedy clients against a station without tokens (loopback only)."""

    @classmethod
    def setUpClass(cls):
        cls.st = Station(bays=1)
        cls.st.start()

    @classmethod
    def tearDownClass(cls):
        cls.st.cleanup()

    def test_slow_loris_does_not_stall_others(self):
        st = self.st
        slow = []
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", st.port), timeout=15)
            s.sendall(b"GET /api/v1/station HTTP/1.1\r\nHost: x\r\n")
            slow.append(s)
        stop = threading.Event()

        def trickle():
            while not stop.is_set():
                for s in slow:
                    try:
                        s.sendall(b"X")
                    except OSError:
                        pass
                time.sleep(0.3)
        t = threading.Thread(target=trickle)
        t.start()
        try:
            started = time.monotonic()
            for _ in range(10):
                t0 = time.monotonic()
                status, _, _ = request(st, "GET", "/api/v1/bays", timeout=3)
                self.assertEqual(status, 200)
                self.assertLess(time.monotonic() - t0, 1.0, "a normal client is served at once")
            # The slow clients are cut off by the read timeout (5 s), however they trickle.
            for s in slow:
                s.settimeout(max(0.1, 9 - (time.monotonic() - started)))
                try:
                    data = s.recv(100)
                except ConnectionResetError:
                    data = b""
                self.assertEqual(data, b"", "slow client disconnected without a reply")
        finally:
            stop.set()
            t.join()
            for s in slow:
                s.close()

    def test_rate_limit_per_client(self):
        st = self.st
        conn = http.client.HTTPConnection("127.0.0.1", st.port, timeout=5)
        statuses = []
        for _ in range(1000):  # stops at the first refusal; the budget is 100 at once, 50/s after
            if 429 in statuses:
                break
            conn.request("GET", "/api/v1/bays")
            r = conn.getresponse()
            body = r.read()
            statuses.append(r.status)
            if r.status == 429:
                self.assertEqual(json.loads(body)["error"], "rate_limited")
                self.assertEqual(r.getheader("Retry-After"), "1")
        conn.close()
        self.assertIn(200, statuses)
        self.assertIn(429, statuses)
        self.assertGreaterEqual(statuses.count(200), 90, "the burst is served")
        time.sleep(1.5)
        self.assertEqual(request(st, "GET", "/api/v1/bays")[0], 200, "the budget refills")


class StopWithClientsConnected(unittest.TestCase):
    def test_sigint_ends_event_streams_and_idle_connections(self):
        st = Station(bays=1)
        self.addCleanup(st.cleanup)
        st.start()
        stream = http.client.HTTPConnection("127.0.0.1", st.port, timeout=10)
        stream.request("GET", "/api/v1/events")
        r = stream.getresponse()
        self.assertEqual(r.status, 200)
        self.assertTrue(r.fp.readline())
        idle = socket.create_connection(("127.0.0.1", st.port), timeout=10)
        started = time.monotonic()
        self.assertEqual(st.stop(), 0)
        self.assertLess(time.monotonic() - started, 10)
        rest = r.read()  # the stream ends instead of hanging
        self.assertIsInstance(rest, bytes)
        stream.close()
        idle.close()


def journal_fields(datagram):
    """One journald native-protocol datagram as {FIELD: value} (systemd's JOURNAL_NATIVE_PROTOCOL)."""
    out, i = {}, 0
    while i < len(datagram):
        nl = datagram.index(b"\n", i)
        line = datagram[i:nl]
        if b"=" in line:
            key, value = line.split(b"=", 1)
            i = nl + 1
        else:  # binary-safe form: NAME\n<64-bit LE length><data>\n
            key = line
            size = int.from_bytes(datagram[nl + 1:nl + 9], "little")
            value = datagram[nl + 9:nl + 9 + size]
            i = nl + 9 + size + 1
        out[key.decode()] = value.decode("utf-8", "replace")
    return out


JOURNAL_SOCKET = "/run/systemd/journal/socket"


@unittest.skipIf(os.path.exists(JOURNAL_SOCKET) or os.geteuid() != 0,
                 "needs root and no journald running (the test stands in for its socket)")
class JournalFields(unittest.TestCase):
    def test_lines_go_to_journald_with_bay_recorder_docking(self):
        os.makedirs(os.path.dirname(JOURNAL_SOCKET), exist_ok=True)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(JOURNAL_SOCKET)
        self.addCleanup(os.unlink, JOURNAL_SOCKET)
        self.addCleanup(sock.close)
        entries, done = [], threading.Event()

        def drain():  # journald reads all the time; a full socket would block the daemon
            sock.settimeout(0.2)
            while not done.is_set():
                try:
                    entries.append(journal_fields(sock.recv(65536)))
                except socket.timeout:
                    pass
        reader = threading.Thread(target=drain)
        reader.start()
        self.addCleanup(reader.join)
        self.addCleanup(done.set)
        st = Station(bays=1)
        self.addCleanup(st.cleanup)
        open(st.log_path, "w").close()
        info = os.stat(st.log_path)
        # What systemd sets for a service whose stderr is the journal stream.
        os.environ["JOURNAL_STREAM"] = f"{info.st_dev}:{info.st_ino}"
        try:
            st.start()
        finally:
            del os.environ["JOURNAL_STREAM"]
        st.insert(1, "ZFY0303", "--files", 4, "--file-size", 2 * MiB, "--read-rate", 2 * MiB)
        st.wait_bay(1, "ready")
        docking = st.bays()[1]["docking_id"]
        time.sleep(0.5)
        done.set()
        reader.join()
        bay_lines = [e for e in entries if e.get("MESSAGE", "").startswith("bay 1: ")]
        self.assertTrue(bay_lines, entries[:5])
        for e in entries:
            self.assertEqual(e["SYSLOG_IDENTIFIER"], "dockd")
            self.assertIn(e["PRIORITY"], {"3", "4", "6", "7"})
        self.assertTrue(all(e["BAY"] == "1" for e in bay_lines))
        tagged = [e for e in bay_lines if e.get("RECORDER") == "ZFY0303" and e.get("DOCKING") == docking]
        self.assertTrue(tagged, bay_lines)
        self.assertNotIn("bay 1: ", st.log(), "lines went to journald, not to stderr")


if __name__ == "__main__":
    unittest.main()
