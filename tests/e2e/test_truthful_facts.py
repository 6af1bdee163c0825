"""Issue 9, DESIGN §12: every fact the station records is read or null, every
gate on "ready" is real, and every entry a recorder lists is accounted for.
Checked from outside: API, ledger CSV, signed manifests and the audit chain."""
import csv
import datetime
import io
import json
import os
import socket
import unittest
import urllib.request

from harness import Station, edit_device, media_files, wait_for

MiB = 1 << 20


def audit(st, kind):
    with st.db() as db:
        return [json.loads(r[0]) for r in db.execute("SELECT payload FROM audit WHERE kind=? ORDER BY seq", (kind,))]


def gate(bay, name):
    return next((g for g in bay["gates"] if g["name"] == name), None)


class TruthfulFacts(unittest.TestCase):
    def station(self, **kw):
        st = Station(**kw)
        self.addCleanup(st.cleanup)
        st.start()
        return st

    def test_unknown_battery_clock_and_firmware_are_null_everywhere(self):
        st = self.station(bays=1)
        st.reconfigure("charge: {ready_percent: 80}", "charge: {ready_percent: 80, unknown_battery_hold: 6s}")
        d = st.build(1, "ZFY0900", "--files", 2, "--file-size", MiB, "--clock-offset", "-500")
        edit_device(d, battery_percent=None, clock_readable=False, firmware=None)
        st.plug(1, d)
        st.wait_bay(1, "staged", timeout=60)
        # The bay shows "staged" (safe to leave) while the media probe runs
        # (issue 14); the charge gate comes after it.
        wait_for(lambda: gate(st.bays()[1], "charge"), 30, "the charge gate shown")
        b = st.bays()[1]
        self.assertIsNone(b["battery_percent"])
        self.assertIsNone(b["clock_offset_ms"])
        self.assertFalse(b["clock"]["measured"])
        charge = gate(b, "charge")
        self.assertIsNotNone(charge, b["gates"])
        self.assertFalse(charge["met"], "an unknown battery is not charged before the hold")
        self.assertIn("battery unknown", charge["detail"])
        b = st.wait_bay(1, "ready", timeout=30)
        self.assertIn("unknown_battery_hold", b["ready_rule"])
        self.assertEqual(b["clock"]["set"], "unconfirmed", "an unreadable clock can be set, never confirmed")
        with open(os.path.join(st.bay_path(1), "device.json")) as f:
            self.assertEqual(json.load(f)["clock_offset_s"], 0, "the device clock was set")

        st.wait_manifests(1)
        (m,) = st.manifests().values()
        self.assertIsNone(m["clock"]["offset_ms"])
        self.assertFalse(m["clock"]["measured"])
        self.assertIsNone(m["clock"]["device_time"])
        docking = st.get("/api/v1/dockings/" + m["docking"]["id"])
        self.assertEqual(docking["clock_set"], "unconfirmed")
        self.assertIs(docking["clock_measured"], False)
        self.assertIsNone(docking["battery_in"])
        self.assertIsNone(m["health"]["battery_percent"])
        self.assertIsNone(m["recorder"]["firmware"])
        for f in m["files"]:
            self.assertEqual(f["recorded_at"], f["recorded_at_device"], "never corrected by a guess")
        checked = audit(st, "checked")[-1]
        self.assertIsNone(checked["battery_percent"])
        self.assertIsNone(audit(st, "clock_measured")[-1]["offset_ms"])

        ledger = st.get("/api/v1/ledger")
        self.assertIsNone(ledger[0]["battery_in"])
        self.assertIsNone(ledger[0]["clock_offset_ms"])
        csv_text = st.dockctl("ledger", "--csv").stdout.lstrip("\ufeff")
        row = next(csv.DictReader(io.StringIO(csv_text)))
        self.assertEqual(row["battery_in"], "")
        self.assertEqual(row["clock_offset_ms"], "")

    def test_absurd_clock_is_recorded_flagged_and_never_applied(self):
        st = self.station(bays=2)
        future = st.build(1, "ZFY0910", "--files", 2, "--file-size", MiB)
        edit_device(future, clock_offset_s=1e300)
        past = st.build(2, "ZFY0911", "--files", 1, "--file-size", MiB)
        edit_device(past, clock_offset_s=-1e300)
        before = {1: media_files(future), 2: media_files(past)}
        st.plug(1, future)
        st.plug(2, past)
        for bay in (1, 2):
            b = st.wait_bay(bay, "ready")
            self.assertIs(b["clock"]["plausible"], False)
            self.assertTrue(any("implausible" in n for n in b["notes"]), b["notes"])
        st.wait_manifests(2)
        for m in st.manifests().values():
            c = m["clock"]
            self.assertFalse(c["plausible"])
            self.assertTrue(c["measured"])
            future_side = m["recorder"]["serial"] == "ZFY0910"
            self.assertTrue(c["device_time"].startswith("9999-12-31" if future_side else "0001-01-01"), c)
            self.assertEqual(c["offset_ms"] > 0, future_side, "no overflow: the sign is the reading's")
            for f in m["files"]:
                self.assertEqual(f["recorded_at"], f["recorded_at_device"], "an implausible offset is never applied")
                year = int(f["object"].split("/")[2])
                self.assertTrue(2000 <= year <= 2099, f["object"])
        self.assertEqual(media_files(st.bay_path(1)), before[1], "wipe_after never: nothing removed")

    def test_file_times_at_the_edges_of_the_calendar(self):
        st = self.station(bays=1)
        d = st.build(1, "ZFY0915", "--files", 3, "--file-size", 1000)
        names = sorted(media_files(d))
        media = os.path.join(d, "media")
        # year 2300 (beyond nanosecond clocks) and 1969 (before the epoch)
        y2300 = int(datetime.datetime(2300, 1, 1, 12, tzinfo=datetime.timezone.utc).timestamp()) * 10**9
        os.utime(os.path.join(media, names[0]), ns=(y2300, y2300))
        os.utime(os.path.join(media, names[1]), ns=(-86_400 * 10**9, -86_400 * 10**9))
        st.plug(1, d)
        st.wait_bay(1, "ready")
        st.wait_manifests(1)
        (m,) = st.manifests().values()
        by_path = {f["device_path"]: f for f in m["files"]}
        self.assertTrue(by_path[names[0]]["recorded_at_device"].startswith("2300-01-01"), by_path[names[0]])
        self.assertTrue(by_path[names[1]]["recorded_at_device"].startswith("1969-12-31"), by_path[names[1]])
        for f in m["files"]:
            year = int(f["object"].split("/")[2])
            self.assertTrue(2000 <= year <= 2099, f["object"])

    def test_require_synced_host_clock_withholds_setting_device_clocks(self):
        st = self.station(bays=1)
        st.reconfigure("clock: {max_drift: 2s}", "clock: {max_drift: 2s, require_synced_host_clock: true}")
        station = st.get("/api/v1/station")
        if station["host_clock_synced"]:
            self.skipTest("this host's clock is synchronised (" + station["host_clock_source"] + ")")
        self.assertTrue(any("device clocks are not set" in a for a in station["alerts"]), station["alerts"])
        d = st.build(1, "ZFY0920", "--files", 1, "--file-size", MiB, "--clock-offset", "-300")
        st.plug(1, d)
        b = st.wait_bay(1, "staged")
        wait_for(lambda: st.bays()[1]["clock"]["set"] == "withheld", 30, "the clock step")
        b = st.bays()[1]
        self.assertFalse(gate(b, "clock")["met"])
        self.assertNotEqual(b["state"], "ready", "a clock off by 300 s and not set is not ready")
        with open(os.path.join(st.bay_path(1), "device.json")) as f:
            self.assertEqual(json.load(f)["clock_offset_s"], -300, "not set from an unsynchronised host")
        st.wait_manifests(1)
        (m,) = st.manifests().values()
        self.assertFalse(m["clock"]["host_synced"])
        docking = st.get("/api/v1/dockings/" + m["docking"]["id"])
        self.assertEqual(docking["clock_set"], "withheld")
        self.assertEqual(round(m["clock"]["offset_ms"] / 1000), -300)

    def test_host_clock_is_not_synchronised_when_adjtimex_is_refused(self):
        # Under ProtectClock=yes adjtimex fails with EPERM: an error reading the
        # sync state is "not synchronised", never "synchronised" (DESIGN §12).
        st = Station(bays=1)
        self.addCleanup(st.cleanup)
        if not os.path.exists("/run/systemd/timesync/synchronized"):
            st.start(wrapper=("/usr/bin/python3", os.path.join(os.path.dirname(__file__), "no_clock_adjust.py")))
            s = st.get("/api/v1/station")
            self.assertIs(s["host_clock_synced"], False)
            self.assertIn("adjtimex: Operation not permitted", s["host_clock_source"])
            self.assertTrue(any(a.startswith("host_clock_unsynced") for a in s["alerts"]), s["alerts"])
        else:
            self.skipTest("timesyncd reports this host synchronised; the adjtimex path is not reached")

    def test_every_listed_entry_is_staged_or_has_its_own_row(self):
        st = self.station(bays=1, extra="")
        d = st.build(1, "ZFY0930", "--files", 4, "--file-size", 4 * MiB, "--read-rate", 4 * MiB)
        media = os.path.join(d, "media")
        os.mkfifo(os.path.join(media, "x.mp4"))
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(os.path.join(media, "s.mp4"))
        self.addCleanup(sock.close)
        os.makedirs(os.path.join(media, "y.mp4"))
        with open(os.path.join(media, "y.mp4", "inner.mp4"), "wb") as f:
            f.write(b"inside a directory named like media")
        deep = os.path.join(media, *(["d"] * 70))
        os.makedirs(deep)
        with open(os.path.join(deep, "too-deep.mp4"), "wb") as f:
            f.write(b"x")
        ordinary = sorted(p for p in media_files(d) if p.startswith(("DCIM", "RECORD", "f")) or "/" not in p)
        ordinary = [p for p in ordinary if p not in ("y.mp4/inner.mp4",) and not p.startswith("d/")]
        vanishing = ordinary[-1]
        st.plug(1, d)
        # The last file disappears while the first ones are copied (throttled).
        wait_for(lambda: st.bays()[1]["state"] == "offloading", 30, "the offload to start")
        os.unlink(os.path.join(st.bay_path(1), "media", vanishing))
        b = st.wait_bay(1, "fault")
        self.assertIn("could not be copied", b["error"])
        with st.db() as db:
            rows = {r["device_path"]: (r["state"], r["reason"]) for r in db.execute("SELECT * FROM files")}
        self.assertEqual(rows["x.mp4"][0], "refused")
        self.assertIn("FIFO", rows["x.mp4"][1])
        self.assertIn("socket", rows["s.mp4"][1])
        self.assertIn("directory named like media", rows["y.mp4"][1])
        self.assertIn(rows["y.mp4/inner.mp4"][0], ("staged", "archived"), "a directory named like media is walked")
        deep_rows = [p for p, (state, why) in rows.items() if "deeper than 64" in (why or "")]
        self.assertEqual(len(deep_rows), 1, rows.keys())
        self.assertEqual(rows[vanishing], ("failed", rows[vanishing][1]))
        self.assertIn("vanished", rows[vanishing][1])
        for p in ordinary[:-1]:
            self.assertIn(rows[p][0], ("staged", "archived"), p)
        refused = {e["device_path"] for e in audit(st, "file_refused")}
        self.assertLessEqual({"x.mp4", "s.mp4", "y.mp4"}, refused)
        self.assertEqual([e["device_path"] for e in audit(st, "file_failed")], [vanishing])
        st.unplug(1, os.path.join(st.dir, "out"))
        st.wait_bay(1, "empty")
        st.wait_manifests(1)
        (m,) = st.manifests().values()
        not_ingested = {e["device_path"]: e for e in m["not_ingested"]}
        self.assertLessEqual({"x.mp4", "s.mp4", "y.mp4", vanishing, deep_rows[0]}, set(not_ingested))
        self.assertEqual(not_ingested[vanishing]["state"], "failed")

    def test_assignment_is_the_custodian_and_a_disagreement_is_raised(self):
        st = self.station(bays=1)
        body = json.dumps({"serial": "ZFY0940", "officer": {"no": "007001", "name": "王五"}}).encode()
        req = urllib.request.Request(st.url + "/api/v1/assignments", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=10).read()
        st.insert(1, "ZFY0940", "--files", 1, "--file-size", 1000, "--officer-no", "004213", "--officer-name", "张伟")
        b = st.wait_bay(1, "ready")
        self.assertEqual(b["officer"]["no"], "007001", "the assignment is the custodian")
        self.assertTrue(any("007001" in n and "004213" in n for n in b["notes"]), b["notes"])
        st.wait_manifests(1)
        (m,) = st.manifests().values()
        self.assertEqual(m["custodian"]["officer_no"], "007001")
        self.assertEqual(m["custodian"]["device_officer_no"], "004213")
        docked = audit(st, "docked")[-1]
        self.assertEqual((docked["officer_no"], docked["device_officer_no"]), ("007001", "004213"))
        self.assertTrue(docked["assignment_disagrees"])
        self.assertEqual(st.get("/api/v1/ledger")[0]["officer_no"], "007001")


if __name__ == "__main__":
    unittest.main()
