"""Description deadline (seed R9, issue 14 item 5): files with neither case
number nor category retention.describe_deadline after ingest raise an alert
per officer, count in a metric and are listed by `dockctl undescribed`; a
case number on the docking clears them. Annotations carry a place, which
alone does not describe a file."""
import json
import time
import unittest

from harness import Station, wait_for



class DescribeDeadline(unittest.TestCase):
    def test_undescribed_files_are_alerted_by_officer_until_described(self):
        st = Station(bays=2, extra="retention: {long_term_copies: 1, describe_deadline: 2s}")
        self.addCleanup(st.cleanup)
        st.start()
        st.insert(1, "ZFY0901", "--files", 3, "--file-size", 40000, "--seed", 91, "--officer-no", "004213",
                  "--officer-name", "Wang Li")
        st.insert(2, "ZFY0902", "--files", 2, "--file-size", 40000, "--seed", 92, "--officer-no", "004777",
                  "--officer-name", "Zhao Min")
        st.wait_bay(1, "ready")
        st.wait_bay(2, "ready")
        with st.db() as db:
            file_of = {serial: fid for fid, serial in db.execute("SELECT id, serial FROM files ORDER BY id DESC")}
            docking_of = dict(db.execute("SELECT serial, id FROM dockings"))
        # A place alone is no description (R9 asks place, content and case).
        st.dockctl("annotate", str(file_of["ZFY0902"]), "--place", "Renmin Rd / Jiefang Rd")
        self.assertEqual(st.get(f"/api/v1/files/{file_of['ZFY0902']}")["annotations"][0]["place"],
                         "Renmin Rd / Jiefang Rd")

        def alerts():
            return [a for a in st.get("/api/v1/station")["alerts"] if a.startswith("undescribed: ")]
        wait_for(lambda: len(alerts()) == 2, 30, "an undescribed alert per officer", 0.3)
        self.assertTrue(any(a.startswith("undescribed: officer 004213 (Wang Li): 3 file(s)") for a in alerts()))
        self.assertTrue(any(a.startswith("undescribed: officer 004777 (Zhao Min): 2 file(s)") for a in alerts()))
        self.assertEqual(st.metric("dockd_undescribed_files"), 5)
        listed = json.loads(st.dockctl("--json", "undescribed").stdout)
        self.assertEqual([(o["officer_no"], o["count"]) for o in listed], [("004213", 3), ("004777", 2)])
        table = st.dockctl("undescribed").stdout
        self.assertEqual(table.count("004213 Wang Li"), 3, table)

        # A case number on Wang's docking describes its files; Zhao's remain.
        st.dockctl("annotate", "--docking", docking_of["ZFY0901"], "--case", "2026-0412")
        wait_for(lambda: len(alerts()) == 1, 10, "Wang's files described", 0.2)
        self.assertTrue(alerts()[0].startswith("undescribed: officer 004777"))
        self.assertEqual(st.metric("dockd_undescribed_files"), 2)
        with st.db() as db:
            self.assertEqual(db.execute("SELECT COUNT(*) FROM files WHERE described_at IS NOT NULL").fetchone()[0], 3)
        st.dockctl("annotate", "--docking", docking_of["ZFY0902"], "--category", "traffic")
        wait_for(lambda: not alerts(), 10, "every file described", 0.2)
        self.assertIn("every file is described", st.dockctl("undescribed").stdout)

    def test_working_days_deadline_is_not_due_yet(self):
        # The default: 2 working days. A fresh file is not late.
        st = Station(bays=1)
        self.addCleanup(st.cleanup)
        st.start()
        st.insert(1, "ZFY0903", "--files", 1, "--file-size", 10000, "--seed", 93)
        st.wait_bay(1, "ready")
        time.sleep(1.5)
        self.assertEqual(st.get("/api/v1/undescribed"), [])
        self.assertEqual(st.metric("dockd_undescribed_files"), 0)


if __name__ == "__main__":
    unittest.main()
