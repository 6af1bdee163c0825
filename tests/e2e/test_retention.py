"""Retention (seed R7, issue 14 item 3): every file's retain_until comes from
retention.classes and its recorded time, and travels in the signed manifest,
in the S3 object metadata and, on an object_lock target, in the Object Lock
headers (seen at a recording proxy between the TLS terminator and Swift,
which ignores them). Choosing a bureau class later is an amendment carrying
the new retain_until."""
import datetime
import json
import os
import sys
import tempfile
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "s3"))
from harness import Station, wait_for  # noqa: E402
from swift_server import SwiftServer  # noqa: E402

MiB = 1 << 20
SERVER = None
DAY = datetime.timedelta(days=1)


def setUpModule():
    global SERVER
    SERVER = SwiftServer(record_requests=True).__enter__()


def tearDownModule():
    SERVER.stop()


def parse(t):
    return datetime.datetime.fromisoformat(t.replace("Z", "+00:00"))


def files_by_key(st):
    with st.db() as db:
        return {r["object_key"]: dict(r) for r in db.execute(
            "SELECT id, object_key, recorded_at, ingested_at, size FROM files WHERE state IN ('staged','archived')")}


def lock_emulated(test):
    """The recorder answers the Object Lock calls as a store that enforces it."""
    SERVER.recorder.object_lock = True
    test.addCleanup(setattr, SERVER.recorder, "object_lock", False)


class Retention(unittest.TestCase):
    def test_object_lock_headers_metadata_and_manifest_carry_retain_until(self):
        lock_emulated(self)
        SERVER.client().put_bucket("locked")
        creds = SERVER.credentials_file(tempfile.mktemp(prefix="creds-", dir=SERVER.dir))
        st = Station(bays=1, upload=f"""upload:
  targets: [{{url: "s3://locked/central", endpoint: "{SERVER.endpoint}", region: us-east-1,
              credentials_file: {creds}, ca_file: {SERVER.ca_file}, path_style: true, object_lock: true}}]
  part_size: 5MiB
  retry: {{initial: 200ms, max: 2s}}""", extra="retention: {long_term_copies: 1, classes: {standard: 90d, evidence: 3650d}}")
        self.addCleanup(st.cleanup)
        st.start()
        st.insert(1, "ZFY0701", "--files", 2, "--file-size", 100000, "--big-file", 6 * MiB, "--seed", 71)
        st.wait_bay(1, "ready", 60)
        st.wait_queue_empty(60)
        files = files_by_key(st)
        self.assertEqual(len(files), 3)
        client = SERVER.client()
        for key, f in files.items():
            expected = parse(f["recorded_at"]) + 90 * DAY
            # The request that created the object (PUT, or the multipart initiate) asked for the lock.
            path = urllib.parse.quote("/locked/central/" + key, safe="/~")
            creating = [h for m, t, h in SERVER.recorder.seen() if t.split("?")[0] == path and
                        (m == "PUT" and "partNumber" not in t or m == "POST" and "uploads" in t)]
            self.assertTrue(creating, key)
            for h in creating:
                self.assertEqual(h.get("x-amz-object-lock-mode"), "COMPLIANCE", key)
                self.assertEqual(parse(h["x-amz-object-lock-retain-until-date"]), expected, key)
            # The store keeps the metadata copy of it.
            status, headers = client.head_object("locked", "central/" + key)
            self.assertEqual(status, 200)
            self.assertEqual(parse(urllib.parse.unquote(headers["x-amz-meta-retain-until"])), expected)
            self.assertEqual(headers["x-amz-meta-retain-basis"], "recorded_at")
        self.assertTrue(any(m == "POST" for m, t, h in SERVER.recorder.seen(path_part="uploads")), "multipart used")
        # Parts and manifests are not media: no lock asked for them.
        for m, t, h in SERVER.recorder.seen(path_part="/manifests/"):
            self.assertNotIn("x-amz-object-lock-mode", h, t)
        # The signed manifest says the same.
        wait_for(lambda: st.db().execute("SELECT COUNT(*) FROM manifests").fetchone()[0] == 1, 30, "the manifest")
        with st.db() as db:
            docking_id = db.execute("SELECT docking_id FROM files LIMIT 1").fetchone()[0]
        _, _, body = client.get_object("locked", f"central/manifests/{st.station_id}/{docking_id}.json")
        for entry in json.loads(body)["files"]:
            self.assertEqual(parse(entry["retain_until"]), parse(entry["recorded_at"]) + 90 * DAY)
            self.assertEqual((entry["retain_basis"], entry["retention_class"]), ("recorded_at", "standard"))

        # A class chosen after upload moves the object's lock (PutObjectRetention)
        # before the amendment that states the new date lands.
        key, f = sorted(files.items())[0]
        st.dockctl("retain", str(f["id"]), "--class", "evidence", "--reason", "case 2026-91")
        until = parse(f["recorded_at"]) + 3650 * DAY
        path = urllib.parse.quote("/locked/central/" + key, safe="/~")
        moved = wait_for(lambda: [b for m, t, b in SERVER.recorder.answered
                                  if m == "PUT" and t.split("?")[0] == path and "retention" in t], 60,
                         "PutObjectRetention", 0.2)
        self.assertEqual(len(moved), 1, moved)
        retention = ET.fromstring(moved[0])
        ns = "{http://s3.amazonaws.com/doc/2006-03-01/}"
        self.assertEqual(retention.find(ns + "Mode").text, "COMPLIANCE")
        self.assertEqual(parse(retention.find(ns + "RetainUntilDate").text), until)
        amendment_put = wait_for(lambda: [i for i, (m, t, h) in enumerate(SERVER.recorder.seen())
                                          if m == "PUT" and "/amendments/" in t and t.endswith(".json")], 60,
                                 "the amendment on the target")
        lock_put = [i for i, (m, t, h) in enumerate(SERVER.recorder.seen()) if "retention" in t]
        self.assertLess(lock_put[0], amendment_put[0])
        # Swift never saw the retention request: the object still holds the footage.
        status, headers = client.head_object("locked", "central/" + key)
        self.assertEqual((status, int(headers["content-length"])), (200, f["size"]))

    def test_a_store_without_object_lock_gets_nothing_sent_locked(self):
        # Swift's s3api implements no Object Lock (and would read PUT ?retention
        # as a PUT of the object): an object_lock target there uploads nothing.
        SERVER.client().put_bucket("unlocked")
        creds = SERVER.credentials_file(tempfile.mktemp(prefix="creds-", dir=SERVER.dir))
        st = Station(bays=1, upload=f"""upload:
  targets: [{{url: "s3://unlocked/central", endpoint: "{SERVER.endpoint}", region: us-east-1,
              credentials_file: {creds}, ca_file: {SERVER.ca_file}, path_style: true, object_lock: true}}]
  retry: {{initial: 200ms, max: 2s}}""", extra="retention: {long_term_copies: 1}")
        self.addCleanup(st.cleanup)
        st.start()
        st.insert(1, "ZFY0703", "--files", 2, "--file-size", 50000, "--seed", 73)

        def refused():
            with st.db() as db:
                return db.execute("SELECT last_error FROM uploads WHERE file_id IS NOT NULL AND last_error LIKE "
                                  "'%does not report Object Lock enabled%'").fetchall()
        wait_for(lambda: len(refused()) == 2, 60, "both uploads refused for want of Object Lock", 0.3)
        keys = [urllib.parse.quote("/unlocked/central/" + k, safe="/~") for k in files_by_key(st)]
        self.assertEqual(len(keys), 2)
        media = [t for m, t, h in SERVER.recorder.seen() if t.split("?")[0] in keys and m in ("PUT", "POST")]
        self.assertEqual(media, [])
        with st.db() as db:
            self.assertEqual(db.execute("SELECT COUNT(*) FROM uploads WHERE file_id IS NOT NULL AND "
                                        "state='done'").fetchone()[0], 0)

    def test_a_bureau_class_chosen_later_is_an_amendment_with_the_new_retain_until(self):
        st = Station(bays=1, extra="retention: {long_term_copies: 1, classes: {long_term: 730d, evidence: 3650d}}")
        self.addCleanup(st.cleanup)
        st.start()
        st.insert(1, "ZFY0702", "--files", 2, "--file-size", 50000, "--seed", 72)
        st.wait_bay(1, "ready")
        st.wait_manifests(1)
        manifest = next(iter(st.manifests().values()))
        for entry in manifest["files"]:
            self.assertEqual(parse(entry["retain_until"]), parse(entry["recorded_at"]) + 90 * DAY)
        fid = files_by_key(st).popitem()[1]["id"]
        # An unknown class is refused; evidence is a class of this station.
        refused = st.dockctl("retain", str(fid), "--class", "forever", check=False)
        self.assertNotEqual(refused.returncode, 0)
        st.dockctl("retain", str(fid), "--class", "evidence", "--reason", "case 2026-88")
        f = st.get(f"/api/v1/files/{fid}")
        self.assertEqual(f["retention_class"], "evidence")
        self.assertEqual(parse(f["retain_until"]), parse(f["recorded_at"]) + 3650 * DAY)
        amendments = os.path.join(st.archive, "amendments", st.station_id)

        def docs_written():
            docs = []
            for b, _, ns in os.walk(amendments):
                for n in (n for n in ns if n.endswith(".json")):
                    with open(os.path.join(b, n)) as f:
                        docs.append(json.load(f))
            return docs
        docs = wait_for(docs_written, 60, "the amendment", 0.3)
        self.assertEqual(len(docs), 1, docs)
        change = docs[0]["changes"][0]
        self.assertEqual((change["retention"], change["retention_class"]), ("long_term", "evidence"))
        self.assertEqual(change["retain_until"], f["retain_until"])


if __name__ == "__main__":
    unittest.main()
