"""The status page in headless Chromium while a simulated recorder docks: the
bay card goes from offloading with a moving bar to ready, without a reload.
Screenshots are kept in $DOCKD_BROWSER_ARTIFACTS (default: this build's dir)."""
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from harness import Station  # noqa: E402

MiB = 1 << 20


class StatusPageInChromium(unittest.TestCase):
    def test_bay_card_follows_a_docking_live(self):
        st = Station(bays=4)
        self.addCleanup(st.cleanup)
        st.start()
        recorder = st.build(2, "ZFY0202", "--officer-no", "004213", "--officer-name", "张伟", "--files", 6,
                            "--file-size", 6 * MiB, "--read-rate", 9 * MiB, "--battery", 90, "--clock-offset", "-93.5")
        out = os.environ.get("DOCKD_BROWSER_ARTIFACTS", os.path.join(os.environ.get("DOCKD_BUILD", HERE), "browser-artifacts"))
        env = dict(os.environ, NODE_PATH=os.environ.get("DOCKD_NODE_MODULES", os.path.join(HERE, "node_modules")))
        node = subprocess.Popen(["node", os.path.join(HERE, "status_page.js"), st.url + "/", "2", out],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        try:
            first = node.stdout.readline().strip()
            self.assertEqual(first, "LOADED", node.stderr.read() if node.poll() is not None else first)
            st.plug(2, recorder)
            stdout, stderr = node.communicate(timeout=150)
        finally:
            if node.poll() is None:
                node.kill()
                node.wait()
        self.assertEqual(node.returncode, 0, f"{stdout}\n{stderr}\n{st.log()[-2000:]}")
        self.assertTrue(os.path.getsize(os.path.join(out, "status_page.png")) > 10000)
        print(f"screenshots in {out}", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
