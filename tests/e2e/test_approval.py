"""Approval before look-up (seed R6, issue 14 item 6): with
api.require_approval_ref the station refuses footage metadata reads and
exports that carry no X-Approval-Ref (403 approval_required), and the refusal
is itself a row of the access register; with a reference the same requests
answer and register the reference. Other routes are not affected."""
import json
import unittest

from api_client import MANAGER, get_json, request
from harness import Station


class Approval(unittest.TestCase):
    def setUp(self):
        self.st = Station(bays=1)
        self.addCleanup(self.st.cleanup)
        with open(self.st.config) as f:
            text = f.read()
        with open(self.st.config, "w") as f:
            f.write(text.replace('api: {listen: "127.0.0.1:%d"}' % self.st.port,
                                 'api: {listen: "127.0.0.1:%d", require_approval_ref: true}' % self.st.port))
        self.st.start()
        self.st.insert(1, "ZFY0601", "--files", 2, "--file-size", 50000, "--seed", 61)
        self.st.wait_bay(1, "ready")
        self.docking = self.st.get("/api/v1/dockings")[0]["id"]

    def register(self):
        with self.st.db() as db:
            return [tuple(r) for r in db.execute("SELECT what, approval_ref FROM access_register ORDER BY id")]

    def test_export_and_reads_without_reference_are_refused_and_registered(self):
        for path in (f"/api/v1/export/dockings/{self.docking}", f"/api/v1/dockings/{self.docking}",
                     "/api/v1/files", "/api/v1/files/1", "/api/v1/ledger"):
            status, _, body = request(self.st, "GET", path, MANAGER)
            self.assertEqual(status, 403, path)
            self.assertEqual(json.loads(body)["error"], "approval_required", path)
        rows = self.register()
        self.assertEqual(len(rows), 5, rows)
        self.assertTrue(rows[0][0].startswith("refused (approval_required): GET /api/v1/export/dockings/"), rows)
        self.assertTrue(all(ref is None for _, ref in rows), rows)
        # The refusal reveals nothing of the footage.
        status, _, body = request(self.st, "GET", f"/api/v1/export/dockings/{self.docking}", MANAGER)
        self.assertNotIn(b"sha256", body)

    def test_with_a_reference_the_export_answers_and_the_reference_is_registered(self):
        out = get_json(self.st, f"/api/v1/export/dockings/{self.docking}", headers={"X-Approval-Ref": "APPR-2026-77"})
        self.assertEqual(out["manifest"]["docking"]["id"], self.docking)
        self.assertEqual(self.register(), [(f"export docking {self.docking}", "APPR-2026-77")])
        # dockctl sends --approval-ref; without it, it reports the refusal and fails.
        refused = self.st.dockctl("export", self.docking, check=False)
        self.assertEqual(refused.returncode, 2, refused.stdout + refused.stderr)
        self.assertIn("--approval-ref", refused.stderr)
        ok = self.st.dockctl("--approval-ref", "APPR-2026-78", "export", self.docking)
        self.assertIn(self.docking, ok.stdout)
        # Station status and the bays are no footage: still open without a reference.
        self.assertEqual(request(self.st, "GET", "/api/v1/station", MANAGER)[0], 200)
        self.assertEqual(request(self.st, "GET", "/api/v1/bays", MANAGER)[0], 200)


if __name__ == "__main__":
    unittest.main()
