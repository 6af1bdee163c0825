"""Every metric the monitoring kit uses exists: the alert rules and every
Grafana panel query are checked against what a real daemon exports on
/metrics (after a docking and a bay fault, so per-bay series exist), and the
dockd-verify metrics against its --metrics-file (or, until it is built,
against the list its man page and the README fix)."""
import glob
import json
import os
import re
import subprocess
import sys
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from harness import BUILD, ROOT, Station, wait_for  # noqa: E402

KIT = os.path.join(ROOT, "contrib", "monitoring")
RULES = os.path.join(KIT, "dockd-alerts.yml")
DASHBOARD = os.path.join(KIT, "dockd-dashboard.json")
# dockd-verify(1) --metrics-file; README "Monitoring kit".
VERIFY_METRICS = {
    "dockd_verify_discrepancies": {"station"},
    "dockd_verify_objects_checked": set(),
    "dockd_verify_last_run_timestamp_seconds": set(),
}
# Labels Prometheus adds at scrape time, not the daemon.
TARGET_LABELS = {"instance", "job"}
SELECTOR = re.compile(r"\b(dockd_[a-z0-9_]+)\b(\{[^}]*\})?")
MATCHER = re.compile(r'([a-z_]+)\s*(=~|!=|!~|=)\s*(?:"([^"]*)"|\'([^\']*)\')')


def parse_exposition(text):
    """{name: [labels dict, ...]} from the Prometheus text format."""
    series = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? \S+$", line)
        assert m, f"not exposition format: {line!r}"
        labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        series.setdefault(m.group(1), []).append(labels)
    return series


def uses(text):
    """(metric, {label: [values]}) for every dockd_ selector in a rule or query."""
    out = []
    for name, braces in SELECTOR.findall(text):
        wanted = {}
        for label, op, v1, v2 in MATCHER.findall(braces or ""):
            if label in TARGET_LABELS or op in ("!=", "!~"):
                continue
            value = v1 or v2
            wanted[label] = value.split("|") if op == "=~" else [value]
        out.append((name, wanted))
    return out


def dashboard_queries(dash):
    queries = [v.get("query", {}).get("query", "") if isinstance(v.get("query"), dict) else v.get("query", "")
               for v in dash["templating"]["list"]]
    for p in dash["panels"]:
        queries += [t["expr"] for t in p.get("targets", [])]
    return queries


class MonitoringKitMetricsExist(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.st = Station(bays=2)
        try:
            cls.st.start()
            st = cls.st
            st.insert(1, "ZFY0701", "--files", 2, "--file-size", 65536)
            bad = st.build(2, "ZFY0702", "--files", 1)
            with open(os.path.join(bad, "device.json"), "w") as f:
                f.write('{"serial": "ZFY0702", "battery_percent": "full"}')
            st.plug(2, bad)
            st.wait_bay(1, "ready", timeout=60)
            st.wait_bay(2, "fault", timeout=60)
            st.wait_manifests(1)
            with urllib.request.urlopen(st.url + "/metrics", timeout=10) as r:
                cls.scrape = parse_exposition(r.read().decode())
            cls.verify = cls.verify_metrics(st)
        except BaseException:
            cls.st.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.st.cleanup()

    @classmethod
    def verify_metrics(cls, st):
        """dockd-verify's own --metrics-file once it is built, else the documented list."""
        built = [p for p in glob.glob(os.path.join(BUILD, "**", "dockd-verify"), recursive=True)
                 if os.path.isfile(p) and os.access(p, os.X_OK)]
        if not built:
            print("dockd-verify not built: its metrics are checked against the documented list")
            return {name: [dict.fromkeys(labels, "")] for name, labels in VERIFY_METRICS.items()}
        keys = os.path.join(st.dir, "keys")
        os.makedirs(keys)
        with open(os.path.join(keys, st.station_id + ".pem"), "w") as f:
            f.write(st.dockctl("pubkey").stdout)
        metrics = os.path.join(st.dir, "verify.prom")
        r = subprocess.run([built[0], "--keys", keys, "--metrics-file", metrics, "file://" + st.archive],
                           capture_output=True, text=True, timeout=120)
        if not os.path.exists(metrics):
            raise AssertionError(f"dockd-verify --metrics-file wrote nothing (exit {r.returncode}): {r.stderr}")
        with open(metrics) as f:
            return parse_exposition(f.read())

    def check(self, where, text):
        for name, wanted in uses(text):
            source = self.verify if name.startswith("dockd_verify_") else self.scrape
            self.assertTrue(name in source, f"{where}: {name} is not exported")
            for label, values in wanted.items():
                have = {s.get(label) for s in source[name]}
                self.assertTrue(any(label in s for s in source[name]), f"{where}: {name} has no label {label}")
                for v in values:
                    self.assertIn(v, have, f"{where}: no {name}{{{label}=\"{v}\"}} in {sorted(map(str, have))}")

    def test_every_rule_uses_exported_metrics(self):
        with open(RULES) as f:
            text = f.read()
        exprs = re.findall(r"^\s*expr:\s*(.+)$", text, re.M)
        self.assertGreaterEqual(len(exprs), 10)
        for e in exprs:
            self.check(f"{RULES}: {e}", e)
        # The annotations' queries too ({{ query ... }}).
        self.check(RULES + " (annotations)", "\n".join(re.findall(r"^\s*(?:summary|description):.*$", text, re.M)))
        self.assertTrue(uses("\n".join(exprs)), "the rules use dockd metrics")

    def test_every_panel_query_uses_exported_metrics(self):
        with open(DASHBOARD) as f:
            dash = json.load(f)
        queries = dashboard_queries(dash)
        self.assertGreaterEqual(len(queries), 15)
        for q in queries:
            self.check(f"{DASHBOARD}: {q}", q)

    def test_dashboard_is_well_formed(self):
        with open(DASHBOARD) as f:
            dash = json.load(f)
        self.assertEqual(dash["uid"], "dockd-stations")
        ids = [p["id"] for p in dash["panels"]]
        self.assertEqual(len(ids), len(set(ids)), "panel ids are unique")
        cells = set()
        for p in dash["panels"]:
            g = p["gridPos"]
            self.assertTrue(p["title"] and p["type"], p)
            self.assertLessEqual(g["x"] + g["w"], 24, f"{p['title']}: inside the 24-column grid")
            own = {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}
            self.assertFalse(own & cells, f"{p['title']} overlaps another panel")
            cells |= own
            if p["type"] in ("row", "alertlist"):
                continue
            self.assertTrue(p["targets"], f"{p['title']} has a query")
            for t in p["targets"]:
                self.assertEqual(t["datasource"]["uid"], "${datasource}", f"{p['title']}: the chosen data source")
                self.assertTrue(t["refId"] and t["expr"].strip())
        for topic in ("bay", "throughput", "queue", "oldest unarchived", "alerts"):
            self.assertTrue(any(topic in p["title"].lower() for p in dash["panels"]), f"a panel about {topic}")

    def test_station_alerts_are_exported_by_code(self):
        by_code = {s["code"] for s in self.scrape["dockd_alerts_by_code"]}
        for code in ("upload_deadline", "disk_low", "upload_failing", "overdue", "host_clock_unsynced", "bay_fault",
                     "credentials", "no_bucket", "conflict"):
            self.assertIn(code, by_code)
        with urllib.request.urlopen(self.st.url + "/metrics", timeout=10) as r:
            text = r.read().decode()
        self.assertIn('dockd_alerts_by_code{code="bay_fault"} 1', text, "bay 2's fault is counted")
        self.assertIn('dockd_alerts_by_code{code="disk_low"} 0', text)


if __name__ == "__main__":
    unittest.main()
