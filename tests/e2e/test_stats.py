"""Annual review (seed R12, issue 14 item 7): GET /api/v1/stats and dockctl
stats give per officer, recorder or unit, over any range: dockings, files,
bytes, late dockings (docked more than 24 h after the recorder's last
undock), files described late; as JSON, CSV and a table."""
import csv
import datetime
import io
import json
import os
import sqlite3
import time
import unittest

from api_client import MANAGER, request
from harness import Station



class Stats(unittest.TestCase):
    def test_review_figures_per_officer_recorder_and_unit(self):
        st = Station(bays=2, extra="retention: {long_term_copies: 1, describe_deadline: 4s}")
        self.addCleanup(st.cleanup)
        st.start()
        st.insert(1, "ZFY1001", "--files", 3, "--file-size", 100000, "--seed", 101, "--officer-no", "004213",
                  "--unit-no", "U01")
        st.insert(2, "ZFY1002", "--files", 2, "--file-size", 50000, "--seed", 102, "--officer-no", "004777",
                  "--unit-no", "U01")
        st.wait_bay(1, "ready")
        st.wait_bay(2, "ready")
        ready = time.monotonic()
        with st.db() as db:
            docking_2 = db.execute("SELECT id FROM dockings WHERE serial='ZFY1002'").fetchone()[0]
        st.dockctl("annotate", "--docking", docking_2, "--case", "C-1")
        # Recorder 1 comes back two days after it left: a late docking. The
        # earlier docking's times are moved back while the station is down.
        st.unplug(1, os.path.join(st.dir, "away"))
        st.unplug(2, os.path.join(st.dir, "gone"))
        st.wait_bay(1, "empty")
        st.wait_bay(2, "empty")
        st.stop()
        db = sqlite3.connect(os.path.join(st.data_dir, "custody.db"))
        db.execute("UPDATE dockings SET docked_at=strftime('%Y-%m-%dT%H:%M:%fZ','now','-3 days'), "
                   "undocked_at=strftime('%Y-%m-%dT%H:%M:%fZ','now','-2 days') WHERE serial='ZFY1001'")
        db.commit()
        db.close()
        st.start()
        st.plug(1, os.path.join(st.dir, "away"))
        st.wait_bay(1, "ready")

        time.sleep(max(0.0, 4.5 - (time.monotonic() - ready)))  # the 4 s deadline has passed
        by_officer = {r["group"]: r for r in json.loads(st.dockctl("--json", "stats").stdout)}
        a, b = by_officer["004213"], by_officer["004777"]
        self.assertEqual((a["dockings"], a["files"], a["bytes"], a["late_dockings"]), (2, 3, 300000, 1))
        self.assertEqual((b["dockings"], b["files"], b["bytes"], b["late_dockings"]), (1, 2, 100000, 0))
        # Deadline 4 s: the undescribed files are late; the docking described at once is not.
        self.assertEqual((a["described_late"], b["described_late"]), (3, 0))
        for r in by_officer.values():
            self.assertIn("duration_s", r)
            self.assertIn("truncated_files", r)

        by_unit = json.loads(st.dockctl("--json", "stats", "--by", "unit").stdout)
        self.assertEqual([(r["group"], r["dockings"], r["files"]) for r in by_unit], [("U01", 3, 5)])
        by_recorder = {r["group"]: r for r in json.loads(st.dockctl("--json", "stats", "--by", "recorder").stdout)}
        self.assertEqual(by_recorder["ZFY1001"]["late_dockings"], 1)

        # A range: only today's dockings (dates are UTC days).
        day = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
        ranged = {r["group"]: r for r in json.loads(st.dockctl("--json", "stats", "--from", day).stdout)}
        self.assertEqual(ranged["004213"]["dockings"], 1)
        self.assertEqual(ranged["004213"]["files"], 0, "the re-docking copied nothing new")

        text = st.dockctl("stats", "--csv").stdout.lstrip("\ufeff")
        rows = list(csv.reader(io.StringIO(text)))
        self.assertEqual(rows[0], ["officer", "dockings", "files", "bytes", "duration_s", "late_dockings",
                                   "truncated_files", "described_late"])
        self.assertEqual(len(rows), 3)
        table = st.dockctl("stats", "--by", "recorder").stdout
        self.assertIn("ZFY1002", table)
        status, _, body = request(st, "GET", "/api/v1/stats?by=shift", MANAGER)
        self.assertEqual(status, 400, body)


if __name__ == "__main__":
    unittest.main()
