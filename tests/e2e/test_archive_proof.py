"""The archive proves it on its own (issue 10, DESIGN §11), end to end: a real
station archives several dockings to a file:// target and to the real Swift
S3 server, rotates its key mid-run and retains a file after it was archived;
dockd-verify then passes both targets. Each kind of damage an archive can
suffer, done to its own copy of the archive, is reported (exit 1) naming what
is wrong, and nothing else is."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "s3"))
from harness import Station, archive_keys, chain_from_segments, run_verify, wait_for  # noqa: E402
from swift_server import SwiftServer  # noqa: E402

SERVER = None
BUCKET = "proof"


def setUpModule():
    global SERVER
    SERVER = SwiftServer().__enter__()
    SERVER.client().put_bucket(BUCKET)


def tearDownModule():
    SERVER.stop()


def rows(st, sql, *args):
    with st.db() as db:
        return db.execute(sql, args).fetchall()


class ArchiveProof(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="dockd-proof-")
        creds = SERVER.credentials_file(os.path.join(cls.work, "s3.credentials"))
        cls.s3_options = ["--endpoint", SERVER.endpoint, "--credentials-file", creds, "--ca-file", SERVER.ca_file]
        st = cls.st = Station(bays=3, upload=f"""upload:
  targets:
    - {{url: "file:archive"}}
    - {{url: "s3://{BUCKET}/central", endpoint: "{SERVER.endpoint}", region: us-east-1,
       credentials_file: {creds}, ca_file: {SERVER.ca_file}, path_style: true}}
  retry: {{initial: 200ms, max: 2s}}
  segment_interval: 2s""")
        try:
            cls.build_archive()
        except BaseException:
            st.cleanup()
            raise

    @classmethod
    def build_archive(cls):
        st = cls.st
        st.start()
        # Key 1 enrolled out of band, before anything else happens.
        cls.keys = st.enrol(os.path.join(cls.work, "keys"))
        gone = []

        def dock(bay, serial, seed):
            st.insert(bay, serial, "--files", 3, "--file-size", 150000, "--seed", seed)
            st.wait_bay(bay, "ready")
            gone.append(os.path.join(cls.work, serial))
            st.unplug(bay, gone[-1])

        dock(1, "ZFY0301", 31)
        st.wait_manifests(1)
        rotated = json.loads(st.dockctl("--json", "rotate-key").stdout)
        assert rotated["key_no"] == 2, rotated
        dock(2, "ZFY0302", 32)
        st.wait_manifests(2)
        # Retained after it was archived: the manifest stays, an amendment follows.
        cls.retained = rows(st, "SELECT id, docking_id, object_key FROM files WHERE serial='ZFY0301' "
                                "AND state='archived' ORDER BY id LIMIT 1")[0]
        st.dockctl("retain", str(cls.retained[0]), "--reason", "complaint 17")
        dock(3, "ZFY0303", 33)
        st.wait_manifests(3)
        st.wait_published()
        cls.all_keys = json.loads(st.dockctl("--json", "pubkey", "--all").stdout)
        st.stop()
        cls.archive = st.archive
        local = archive_keys(cls.archive)
        client = SERVER.client()
        # Swift updates its container listing asynchronously.
        wait_for(lambda: {k[len("central/"):] for k in client.list_keys(BUCKET, "central/")} == local, 30,
                 "the S3 listing to show what the file target holds", 0.5)

    @classmethod
    def tearDownClass(cls):
        cls.st.cleanup()
        shutil.rmtree(cls.work, ignore_errors=True)

    def verify(self, *targets):
        return run_verify("--keys", self.keys, *self.s3_options, *targets)

    # --- the clean archive ---

    def test_verifier_passes_both_targets(self):
        code, report = self.verify(f"file://{self.archive}", f"s3://{BUCKET}/central")
        self.assertEqual((code, report["discrepancies"]), (0, []), report)
        self.assertTrue(report["ok"])
        by_target = {s["target"]: s for s in report["stations"]}
        self.assertEqual(len(by_target), 2)
        for s in by_target.values():
            self.assertEqual((s["manifests"], s["amendments"], s["keys"]), (3, 1, 2), s)
            self.assertGreaterEqual(s["segments"], 3)
        self.assertEqual(report["counts"]["objects_read"], 2 * len(archive_keys(self.archive)))

    def test_published_chain_recomputes_and_rotation_ends_its_segment(self):
        names, chain = chain_from_segments(self.archive, self.st.station_id)
        rotation = [r for r in chain if r["kind"] == "key_rotated"]
        self.assertEqual(len(rotation), 1)
        ending = [n for n in names if int(n.split("-")[1][:12]) == rotation[0]["seq"]]
        self.assertEqual(len(ending), 1, "the key_rotated row ends a segment")
        keys = {k["key_no"]: k for k in self.all_keys["keys"]}
        self.assertEqual(sorted(keys), [1, 2])
        self.assertEqual(keys[2]["first_seq"], rotation[0]["seq"] + 1)
        self.assertEqual(json.loads(rotation[0]["payload"])["public_key"], keys[2]["public_key"])
        with open(os.path.join(self.archive, "keys", self.st.station_id, "2.pem")) as f:
            self.assertEqual(f.read(), keys[2]["public_key"])
        # Every segment verifies with stock openssl under the key valid at its last seq.
        for name in names:
            last = int(name.split("-")[1][:12])
            key = keys[1 if last <= rotation[0]["seq"] else 2]["public_key"]
            self.assertTrue(self.openssl_verify(os.path.join("audit", self.st.station_id, name), key), name)
        self.assertTrue(os.stat(os.path.join(self.st.data_dir, "keys", "2.key")).st_mode & 0o077 == 0)

    def test_retain_after_archiving_is_an_amendment_and_the_manifest_is_untouched(self):
        file_id, docking, obj = self.retained
        folder = os.path.join(self.archive, "amendments", self.st.station_id, docking)
        (name,) = [n for n in os.listdir(folder) if n.endswith(".json")]
        with open(os.path.join(folder, name)) as f:
            amendment = json.load(f)
        self.assertEqual(amendment["schema"], "dockd.amendment/1")
        change = amendment["changes"][0]
        self.assertEqual(amendment["changes"], [{"object": obj, "sha256": change["sha256"],
                                                  "retention": "long_term", "reason": "complaint 17",
                                                  # issue 14: the class and the end of retention it gives (R7)
                                                  "retention_class": "long_term", "retain_basis": "recorded_at",
                                                  "retain_until": change["retain_until"]}])
        self.assertRegex(change["retain_until"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertTrue(self.openssl_verify(os.path.join("amendments", self.st.station_id, docking, name),
                                            {k["key_no"]: k for k in self.all_keys["keys"]}[2]["public_key"]))
        with open(os.path.join(self.archive, "manifests", self.st.station_id, docking + ".json")) as f:
            manifest = json.load(f)
        self.assertEqual({x["retention"] for x in manifest["files"]}, {"standard"}, "the manifest is never rewritten")

    def openssl_verify(self, key, pem):
        with tempfile.NamedTemporaryFile("w", suffix=".pem") as pub:
            pub.write(pem)
            pub.flush()
            path = os.path.join(self.archive, key)
            r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub.name, "-rawin", "-in", path,
                                "-sigfile", path + ".sig"], capture_output=True, text=True)
            return "Signature Verified Successfully" in r.stdout

    def test_listing_follows_continuation_tokens_past_a_thousand_objects(self):
        client = SERVER.client()
        client.put_bucket("listing")
        for i in range(1100):
            client.put_object("listing", f"stray/{i:05d}", b"x")
        wait_for(lambda: len(client.list_keys("listing")) == 1100, 30, "the S3 listing", 0.5)
        code, report = run_verify("--keys", self.keys, *self.s3_options, "s3://listing")
        self.assertEqual(code, 1)
        self.assertEqual(report["counts"]["objects_listed"], 1100)
        planted = [d for d in report["discrepancies"] if d["check"] == "unreferenced_object"]
        self.assertEqual(len(planted), 1100)

    # --- damage, each on its own copy ---

    def damaged(self, damage):
        """A copy of the file archive, damaged; returns the set of (check, object) reported."""
        copy = tempfile.mkdtemp(prefix="dockd-damaged-")
        self.addCleanup(shutil.rmtree, copy, True)
        root = os.path.join(copy, "archive")
        shutil.copytree(self.archive, root)
        damage(root)
        code, report = self.verify(f"file://{root}")
        self.assertEqual(code, 1, report)
        # Every discrepancy names its station, docking and object (a planted
        # object belongs to no station, a chain gap to no docking).
        for d in report["discrepancies"]:
            self.assertTrue(d["object"], d)
            if d["check"] != "unreferenced_object":
                self.assertEqual(d["station"], self.st.station_id, d)
            if d["check"].startswith(("manifest", "object", "amendment")):
                self.assertTrue(d["docking"], d)
        return {(d["check"], d["object"]) for d in report["discrepancies"]}

    def manifest_key(self, n=1):
        return sorted(k for k in archive_keys(self.archive) if k.startswith("manifests/") and k.endswith(".json"))[n]

    def segment_keys(self):
        return sorted(k for k in archive_keys(self.archive) if k.startswith("audit/") and k.endswith(".jsonl"))

    def media_keys(self):
        return sorted(k for k in archive_keys(self.archive) if k.startswith("media/"))

    def test_deleted_manifest(self):
        key = self.manifest_key()

        def damage(root):
            os.remove(os.path.join(root, key))
            os.remove(os.path.join(root, key + ".sig"))
        self.assertEqual(self.damaged(damage), {("manifest_missing", key)})

    def test_deleted_middle_segment(self):
        segments = self.segment_keys()
        middle = segments[len(segments) // 2]

        def damage(root):
            os.remove(os.path.join(root, middle))
            os.remove(os.path.join(root, middle + ".sig"))
        self.assertEqual(self.damaged(damage), {("chain_gap", middle)})

    def test_dropped_line_of_a_segment(self):
        longest = max(self.segment_keys(), key=lambda k: os.path.getsize(os.path.join(self.archive, k)))

        def damage(root):
            path = os.path.join(root, longest)
            with open(path, "rb") as f:
                lines = f.read().splitlines(keepends=True)
            self.assertGreater(len(lines), 2)
            os.remove(path)
            with open(path, "wb") as f:
                f.write(b"".join(lines[:1] + lines[2:]))
        self.assertEqual(self.damaged(damage), {("segment_rows", longest), ("segment_signature", longest)})

    def test_flipped_byte_of_a_media_object(self):
        key = self.media_keys()[0]

        def damage(root):
            with open(os.path.join(root, key), "r+b") as f:
                f.seek(1000)
                b = f.read(1)
                f.seek(1000)
                f.write(bytes([b[0] ^ 0x01]))
        self.assertEqual(self.damaged(damage), {("object_sha256", key)})

    def test_truncated_object(self):
        key = self.media_keys()[1]
        self.assertEqual(self.damaged(lambda root: os.truncate(os.path.join(root, key), 4096)), {("object_size", key)})

    def test_manifest_resigned_with_a_foreign_key(self):
        key = self.manifest_key(2)

        def damage(root):
            foreign = os.path.join(root, "..", "foreign.key")
            subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", foreign], check=True)
            path = os.path.join(root, key)
            os.remove(path + ".sig")
            subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", foreign, "-in", path,
                            "-out", path + ".sig"], check=True)
        self.assertEqual(self.damaged(damage), {("manifest_signature", key)})

    def test_deleted_amendment(self):
        (key,) = [k for k in archive_keys(self.archive) if k.startswith("amendments/") and k.endswith(".json")]

        def damage(root):
            os.remove(os.path.join(root, key))
            os.remove(os.path.join(root, key + ".sig"))
        self.assertEqual(self.damaged(damage), {("amendment_missing", key)})

    def test_added_unreferenced_object(self):
        key = "media/ZFY0399/2026/01/01/0000000000000000-planted.mp4"

        def damage(root):
            os.makedirs(os.path.dirname(os.path.join(root, key)))
            with open(os.path.join(root, key), "wb") as f:
                f.write(hashlib.sha256(b"planted").digest() * 100)
        self.assertEqual(self.damaged(damage), {("unreferenced_object", key)})


if __name__ == "__main__":
    unittest.main()
