"""S3 central storage end to end (issue 4): the real daemon uploads to a real
OpenStack Swift (s3api) on loopback, over TLS through stunnel with a CA made
by the test; every object is read back and hashed by an independent client."""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "s3"))
from fault_proxy import FaultProxy  # noqa: E402
from harness import Station, media_files, wait_for  # noqa: E402
from swift_server import SwiftServer, make_ca  # noqa: E402

MiB = 1 << 20
SERVER = None


def setUpModule():
    global SERVER
    SERVER = SwiftServer().__enter__()


def tearDownModule():
    SERVER.stop()


def s3_upload_yaml(bucket, port=None, secret="testing", part_size="5MiB", extra="", retry="{initial: 200ms, max: 2s}",
                   host="localhost", ca_file=None):
    creds = SERVER.credentials_file(tempfile.mktemp(prefix="creds-", dir=SERVER.dir), secret=secret)
    endpoint = f"https://{host}:{port or SERVER.tls_port}"
    return f"""upload:
  targets: [{{url: "s3://{bucket}/central", endpoint: "{endpoint}", region: us-east-1,
              credentials_file: {creds}, ca_file: {ca_file or SERVER.ca_file}, path_style: true}}]
  part_size: {part_size}
  concurrency: 2
  retry: {retry}
{extra}"""


def drain(st, bay, timeout=120):
    """Offload finished and every upload done (files_unarchived counts staged files)."""
    try:
        st.wait_bay(bay, "ready", timeout)
        st.wait_queue_empty(timeout)
    except AssertionError as e:
        raise AssertionError(f"{e}\n--- dockd log ---\n{st.log()[-4000:]}") from None


def rows(st, sql):
    with st.db() as db:
        return db.execute(sql).fetchall()


def check_archive(test, st, bucket, originals):
    """Every original file archived, and the object read back from the store has its SHA-256."""
    client = SERVER.client()
    files = rows(st, "SELECT device_path, sha256, object_key, state, size, serial, retention, important "
                     "FROM files WHERE state != 'refused'")
    test.assertEqual({r["device_path"] for r in files}, set(originals))
    for r in files:
        test.assertEqual(r["state"], "archived", r["device_path"])
        status, headers, body = client.get_object(bucket, "central/" + r["object_key"])
        test.assertEqual(status, 200, r["object_key"])
        test.assertEqual(hashlib.sha256(body).hexdigest(), originals[r["device_path"]], r["object_key"])
        test.assertEqual(headers.get("x-amz-meta-sha256"), r["sha256"])
        # Custody facts travel with the object (percent-encoded UTF-8).
        test.assertEqual(headers.get("x-amz-meta-recorder"), r["serial"])
        test.assertEqual(headers.get("x-amz-meta-station"), st.station_id)
        test.assertEqual(headers.get("x-amz-meta-device-path"), urllib.parse.quote(r["device_path"], safe="-._~"))
        test.assertEqual(headers.get("x-amz-meta-retention"), r["retention"])
        test.assertEqual(headers.get("x-amz-meta-important"), "true" if r["important"] else "false")
    return files


class S3Upload(unittest.TestCase):
    def station(self, **kw):
        st = Station(bays=2, **kw)
        self.addCleanup(st.cleanup)
        return st

    def test_single_and_multipart_uploads_are_archived_verified_and_signed(self):
        SERVER.client().put_bucket("basic")
        st = self.station(upload=s3_upload_yaml("basic"))
        st.start()
        d = st.build(1, "ZFY0101", "--files", "4", "--file-size", MiB, "--big-file", 12 * MiB, "--seed", 11)
        originals = media_files(d)
        big = next(p for p in originals if "BIG" in p)
        with open(os.path.join(d, "device.json")) as f:
            device = json.load(f)
        device["important"] = [big]  # the recorder's "important" mark (seed R8)
        with open(os.path.join(d, "device.json"), "w") as f:
            json.dump(device, f)
        st.plug(1, d)
        drain(st, 1, 30)
        files = check_archive(self, st, "basic", originals)
        self.assertTrue(any(r["size"] > 5 * MiB for r in files), "one file went multipart")
        marked = next(r for r in files if r["device_path"] == big)
        self.assertEqual((marked["retention"], marked["important"]), ("long_term", 1))
        client = SERVER.client()
        wait_for(lambda: rows(st, "SELECT COUNT(*) FROM manifests")[0][0] == 1, 30, "the manifest")
        docking = rows(st, "SELECT docking_id FROM files LIMIT 1")[0][0]
        key = f"central/manifests/{st.station_id}/{docking}"
        status, _, manifest = client.get_object("basic", key + ".json")
        self.assertEqual(status, 200)
        status, _, sig = client.get_object("basic", key + ".json.sig")
        self.assertEqual(status, 200)
        self.assertEqual(len(sig), 64)
        with tempfile.TemporaryDirectory() as tmp:
            for name, data in (("m.json", manifest), ("m.sig", sig), ("pub.pem", st.dockctl("pubkey").stdout.encode())):
                with open(os.path.join(tmp, name), "wb") as f:
                    f.write(data)
            r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", f"{tmp}/pub.pem", "-rawin",
                                "-in", f"{tmp}/m.json", "-sigfile", f"{tmp}/m.sig"], capture_output=True, text=True)
            self.assertIn("Signature Verified Successfully", r.stdout, r.stderr)
        # Swift updates container listings asynchronously: give the listing a moment.
        wait_for(lambda: client.multipart_uploads("basic") == [], 20, "no multipart upload left open", 0.5)
        self.assertEqual(rows(st, "SELECT COUNT(*) FROM upload_parts")[0][0], 0)

    def test_255_byte_name_is_archived_under_a_key_that_fits(self):
        SERVER.client().put_bucket("longname")
        st = self.station(upload=s3_upload_yaml("longname"))
        st.start()
        d = st.build(1, "ZFY0105", "--files", "1", "--file-size", 1000)
        long_name = "长" * 40 + "A" * 131 + ".mp4"  # 255 bytes in UTF-8: legal on FAT/exFAT
        with open(os.path.join(d, "media", long_name), "wb") as f:
            f.write(b"long name footage")
        originals = media_files(d)
        st.plug(1, d)
        drain(st, 1, 60)
        client = SERVER.client()
        key = next(r[1] for r in rows(st, "SELECT device_path, object_key FROM files") if r[0] == long_name)
        self.assertTrue(all(len(c.encode()) <= 255 for c in key.split("/")), key)
        self.assertTrue(key.endswith(".mp4"), key)
        status, headers, body = client.get_object("longname", "central/" + key)
        self.assertEqual((status, body), (200, b"long name footage"))
        self.assertEqual(headers.get("x-amz-meta-device-path-cut"), "true")
        self.assertTrue(urllib.parse.quote(long_name, safe="-._~").startswith(headers["x-amz-meta-device-path"]))
        wait_for(lambda: rows(st, "SELECT COUNT(*) FROM manifests")[0][0] == 1, 30, "the manifest")
        docking = rows(st, "SELECT docking_id FROM files LIMIT 1")[0][0]
        status, _, manifest = client.get_object("longname", f"central/manifests/{st.station_id}/{docking}.json")
        self.assertEqual(status, 200)
        entry = next(f for f in json.loads(manifest)["files"] if f["object"] == key)
        self.assertEqual(entry["device_path"], long_name, "the manifest keeps the full device path")
        self.assertEqual(len(originals), 2)

    def test_kill9_mid_part_resumes_and_resends_at_most_one_part(self):
        SERVER.client().put_bucket("resume")
        proxy = FaultProxy(SERVER.tls_port)
        self.addCleanup(proxy.close)
        big = 40 * MiB
        st = self.station(upload=s3_upload_yaml("resume", port=proxy.port, extra="  bandwidth_limit: 8MiB"))
        st.start()
        d = st.build(1, "ZFY0102", "--files", "0", "--big-file", big, "--seed", 12)
        originals = media_files(d)
        st.plug(1, d)
        wait_for(lambda: rows(st, "SELECT COUNT(*) FROM upload_parts")[0][0] >= 3, 60, "three parts committed", 0.05)
        st.kill9()
        committed = rows(st, "SELECT COUNT(*) FROM upload_parts")[0][0]
        self.assertLess(committed, 8, "killed mid-upload")
        sent_before = proxy.bytes_up
        st.start()
        st.wait_queue_empty(120)
        check_archive(self, st, "resume", originals)
        resent = proxy.bytes_up - big
        # Everything beyond the file itself: the part in flight at the kill plus
        # headers and TLS framing (well under 1 MiB for a handful of requests).
        self.assertLessEqual(resent, 5 * MiB + MiB, f"re-sent {resent} bytes (sent {sent_before} before the kill)")
        self.assertGreater(sent_before, committed * 5 * MiB - MiB)
        wait_for(lambda: SERVER.client().multipart_uploads("resume") == [], 20, "no multipart upload left open", 0.5)

    def test_upload_aborted_on_the_store_while_offline_starts_again(self):
        client = SERVER.client()
        client.put_bucket("expired")
        st = self.station(upload=s3_upload_yaml("expired", extra="  bandwidth_limit: 8MiB"))
        st.start()
        d = st.build(1, "ZFY0108", "--files", "0", "--big-file", 20 * MiB, "--seed", 18)
        originals = media_files(d)
        st.plug(1, d)
        wait_for(lambda: rows(st, "SELECT COUNT(*) FROM upload_parts")[0][0] >= 1, 60, "a part committed", 0.05)
        st.kill9()
        upload_id, key = rows(st, "SELECT u.upload_id, f.object_key FROM uploads u JOIN files f ON f.id=u.file_id")[0]
        # The store's lifecycle rule (or an operator) aborts the upload while the station is down.
        status, _, _ = client.request("DELETE", f"/expired/central/{key}", query={"uploadId": upload_id})
        self.assertIn(status, (200, 204))
        st.start()
        drain(st, 1, 60)
        check_archive(self, st, "expired", originals)
        self.assertIn("expired on the store; starting again", st.log())

    def test_wrong_credentials_alert_and_pause_without_retry_storm(self):
        SERVER.client().put_bucket("creds")
        proxy = FaultProxy(SERVER.tls_port)
        self.addCleanup(proxy.close)
        st = self.station(upload=s3_upload_yaml("creds", port=proxy.port, secret="not-the-secret",
                                                retry="{initial: 100ms, max: 1h}"))
        st.start()
        st.insert(1, "ZFY0103", "--files", "6", "--file-size", 100000, "--seed", 13)
        wait_for(lambda: "ALERT credentials" in st.log(), 60, "the credentials alert")
        connections = proxy.connections
        import time
        time.sleep(3)
        self.assertEqual(proxy.connections, connections, "no more requests while paused")
        self.assertLessEqual(connections, 4)
        reasons = {r[0] for r in rows(st, "SELECT reason_class FROM uploads")}
        self.assertEqual(reasons, {"credentials"})
        errors = " ".join(r[0] for r in rows(st, "SELECT last_error FROM uploads"))
        self.assertIn("HTTP 403", errors)
        self.assertNotIn("not-the-secret", st.log())
        self.assertEqual(SERVER.client().list_keys("creds"), [])

    def test_missing_bucket_is_alerted_not_retried_in_a_loop(self):
        st = self.station(upload=s3_upload_yaml("no-such-bucket", retry="{initial: 100ms, max: 1h}"))
        st.start()
        st.insert(1, "ZFY0104", "--files", "3", "--file-size", 100000, "--seed", 14)
        wait_for(lambda: "ALERT no_bucket" in st.log(), 60, "the missing-bucket alert")
        self.assertEqual({r[0] for r in rows(st, "SELECT reason_class FROM uploads")}, {"no_bucket"})
        self.assertEqual({r[0] for r in rows(st, "SELECT state FROM files")}, {"staged"})

    def test_object_with_different_bytes_is_refused_not_overwritten_and_identical_is_idempotent(self):
        client = SERVER.client()
        client.put_bucket("conflict")
        first = self.station(upload=s3_upload_yaml("conflict"))
        first.start()
        d = first.build(1, "ZFY0105", "--files", "3", "--file-size", 200000, "--seed", 15)
        originals = media_files(d)
        first.plug(1, d)
        drain(first, 1, 60)
        first.stop()
        keys = [r[0] for r in rows(first, "SELECT object_key FROM files ORDER BY id")]
        tampered = "central/" + keys[0]
        client.put_object("conflict", tampered, b"different bytes", headers={"x-amz-meta-sha256": "0" * 64})
        # A second station offers the same recorder files: identical objects are
        # accepted as they are; the one holding different bytes is refused.
        second = self.station(upload=s3_upload_yaml("conflict"))
        second.start()
        first.unplug(1, second.bay_path(1))  # the same recorder, docked at another station
        wait_for(lambda: "ALERT conflict" in second.log(), 60, "the conflict alert")
        wait_for(lambda: len(rows(second, "SELECT 1 FROM files WHERE state='archived'")) == 2, 60, "the two others")
        refused = rows(second, "SELECT u.reason_class, f.object_key, f.state FROM uploads u JOIN files f ON f.id=u.file_id "
                               "WHERE u.state='pending'")
        self.assertEqual(len(refused), 1)
        self.assertEqual((refused[0][0], refused[0][1], refused[0][2]), ("conflict", keys[0], "staged"))
        status, _, body = client.get_object("conflict", tampered)
        self.assertEqual(body, b"different bytes", "not overwritten")
        self.assertEqual(len(originals), 3)


    def test_tls_refuses_an_unknown_ca_and_a_wrong_host_name(self):
        SERVER.client().put_bucket("tls")
        other = tempfile.mkdtemp(dir=SERVER.dir)
        make_ca(other)  # a CA that did not sign the server's certificate
        for host, ca, why in (("localhost", os.path.join(other, "ca.pem"), "certificate verify failed"),
                              ("127.1", None, "certificate verify failed")):  # 127.0.0.1, not a name in the cert
            st = self.station(upload=s3_upload_yaml("tls", host=host, ca_file=ca))
            st.start()
            st.insert(1, "ZFY0107", "--files", "2", "--file-size", 100000, "--seed", 17)
            wait_for(lambda: why in " ".join(r[0] or "" for r in rows(st, "SELECT last_error FROM uploads")), 60,
                     f"{host}: {why}")
            self.assertEqual(rows(st, "SELECT COUNT(*) FROM uploads WHERE state='done'")[0][0], 0)
            self.assertIn("transient", {r[0] for r in rows(st, "SELECT reason_class FROM uploads")})
            st.stop()
        self.assertEqual(SERVER.client().list_keys("tls"), [])


class S3FaultyNetwork(unittest.TestCase):
    def test_hundred_files_through_resets_stalls_truncation_and_drops(self):
        SERVER.client().put_bucket("faulty")
        proxy = FaultProxy(SERVER.tls_port, fault_rate=0.3, seed=4)
        self.addCleanup(proxy.close)
        st = Station(bays=2, upload=s3_upload_yaml("faulty", port=proxy.port,
                                                   retry="{initial: 100ms, max: 1s}"))
        self.addCleanup(st.cleanup)
        st.start()
        d = st.build(1, "ZFY0106", "--files", "100", "--file-size", 150000, "--seed", 16)
        originals = media_files(d)
        self.assertEqual(len(originals), 100)
        st.plug(1, d)
        drain(st, 1, 240)
        check_archive(self, st, "faulty", originals)
        self.assertGreater(sum(proxy.faulted.values()), 20, proxy.faulted)
        self.assertTrue(all(proxy.faulted[f] > 0 for f in ("reset", "drop", "truncate", "stall")), proxy.faulted)


if __name__ == "__main__":
    unittest.main()
