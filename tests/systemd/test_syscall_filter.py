"""The unit's sandbox is sufficient: a real docking (harness.py: a recorder
with a drifting clock docked, copied, verified, wiped after archiving,
uploaded to a file:// target, manifest signed, API, metrics and dockctl used,
clean stop) runs under `strace -f`, and everything the daemon did must be
allowed by systemd/dockd.service:
  - every system call is in the set `systemd-analyze syscall-filter` expands
    the unit's SystemCallFilter= lines to (less what ProtectClock=,
    ProtectKernelModules=, ProtectKernelLogs=, ProtectHostname= take away);
  - MemoryDenyWriteExecute=: no writable+executable mapping, no mprotect to
    executable;
  - RestrictNamespaces=: no clone/unshare into a new namespace;
  - ProcSubset=pid / ProtectProc=invisible: no /proc path but its own
    processes'.
Refusals the daemon is built to handle are listed in REFUSED_ON_PURPOSE."""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from harness import BUILD, DOCKD, ROOT, Station, wait_for  # noqa: E402

UNIT = os.path.join(ROOT, "systemd", "dockd.service")
# Implied syscall denials of other settings (systemd.exec(5)).
IMPLIED_DENY = {"ProtectClock": "@clock", "ProtectKernelModules": "@module", "ProtectKernelLogs": "syslog",
                "ProtectHostname": "sethostname setdomainname"}
# ProtectClock=yes refuses adjtimex (EPERM): under the unit, host clock sync is
# read from timedated over D-Bus or /run/systemd/timesync (DESIGN §12: an
# error reading it is "not synced"); adjtimex is the fallback off systemd.
REFUSED_ON_PURPOSE = {"adjtimex", "clock_adjtime"}
# dockd-media-probe (issue 14) loads libavcodec and the codec libraries it
# links; while they load (before the probe's own filter), libnuma sets a
# memory policy and a crypto library locks a page of secure memory. Both
# treat EPERM as "not available" and carry on; neither is needed to demux.
REFUSED_ON_PURPOSE |= {"set_mempolicy", "mlock"}
# ProcSubset=pid hides it: glibc's malloc reads it once (check_may_shrink_heap)
# and, failing, trims arenas with MADV_DONTNEED, what it does anyway unless the
# host runs strict overcommit (vm.overcommit_memory=2).
PROC_READS_TOLERATED = {"/proc/sys/vm/overcommit_memory"}
# dockd-media-probe's libraries while they load (issue 14): libselinux looks
# for selinuxfs in /proc/filesystems, the TLS/crypto libraries FFmpeg links
# read /proc/sys/crypto/fips_enabled; hidden, each takes the default (no
# SELinux, no FIPS mode), and neither matters to demuxing.
PROC_READS_TOLERATED |= {"/proc/filesystems", "/proc/sys/crypto/fips_enabled"}
CALL = re.compile(r"^(\d+)\s+(?:<\.\.\. )?([a-z0-9_]+)(?:\(| resumed>)")


def unit_settings():
    settings = []
    with open(UNIT) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith(("#", "[")) and "=" in line:
                settings.append(tuple(line.split("=", 1)))
    return settings


class Expander:
    """Syscall groups as systemd-analyze syscall-filter prints them, nested groups resolved."""

    def __init__(self):
        self.cache = {}

    def __call__(self, item):
        if not item.startswith("@"):
            return {item}
        if item not in self.cache:
            out = subprocess.run(["systemd-analyze", "syscall-filter", "--no-pager", item], check=True,
                                 capture_output=True, text=True).stdout
            names = set()
            for line in out.splitlines()[1:]:
                word = line.strip()
                if word and not word.startswith("#"):
                    names |= self(word)
            self.cache[item] = names
        return self.cache[item]


def allowed_syscalls():
    expand = Expander()
    allowed = None
    settings = unit_settings()
    for key, value in settings:
        if key != "SystemCallFilter":
            continue
        deny = value.startswith("~")
        names = set().union(*(expand(w) for w in value.lstrip("~").split()))
        if allowed is None:
            assert not deny, "the unit's first SystemCallFilter= must be an allow list"
            allowed = set()
        allowed = allowed - names if deny else allowed | names
    assert allowed, "the unit has no SystemCallFilter= allow list"
    for key, value in settings:
        if key in IMPLIED_DENY and value == "yes":
            allowed -= set().union(*(expand(w) for w in IMPLIED_DENY[key].split()))
    return allowed


class TracedStation(Station):
    """The daemon as the unit runs it: not root (root changes what libraries
    call: SQLite chowns its journal to the database's owner), traced."""
    user = "nobody" if os.geteuid() == 0 else None

    def own(self, path):
        if self.user:
            subprocess.run(["chown", "-R", self.user, path], check=True)

    def start(self, wait=True):
        self.trace = os.path.join(self.dir, "strace.out")
        self.own(self.dir)
        as_user = ["-u", self.user] if self.user else []
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen(["strace", "-f", "-qq", "-s", "128", *as_user, "-o", self.trace, DOCKD,
                                          "--config", self.config, "--foreground"], stdout=log, stderr=log)
        wait_for(self.api_up, 60, "dockd API under strace")
        with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
            self.daemon_pid = int(f.read().split()[0])

    def stop(self):
        os.kill(self.daemon_pid, signal.SIGINT)
        return self.proc.wait(60)

    def cleanup(self):
        # Killing strace detaches its tracee: a failed test must not leave the daemon running.
        if self.proc and self.proc.poll() is None and getattr(self, "daemon_pid", None):
            os.kill(self.daemon_pid, signal.SIGKILL)
        super().cleanup()


@unittest.skipUnless(subprocess.run(["strace", "-f", "true"], capture_output=True).returncode == 0,
                     "strace cannot trace here (no ptrace)")
class UnitSandboxIsSufficient(unittest.TestCase):
    def test_whole_docking_stays_inside_the_unit(self):
        st = TracedStation(bays=2, wipe_after="archived")
        self.addCleanup(st.cleanup)
        st.start()
        recorder = st.build(1, "ZFY0801", "--files", 3, "--file-size", 300000, "--tree", "nested", "--zero-file",
                            "--clock-offset", "-40", "--battery", 50, "--charge-rate", 600)
        st.own(recorder)  # the daemon sets its clock and wipes it
        st.plug(1, recorder)
        st.wait_bay(1, "ready", timeout=120)
        st.wait_queue_empty(timeout=120)
        st.wait_manifests(1)
        self.assertEqual(st.verify_signatures(), 1)
        for path in ("/metrics", "/api/v1/ledger?format=csv", "/api/v1/audit/verify", "/", "/api/v1/nothing"):
            try:
                urllib.request.urlopen(st.url + path, timeout=10).read()
            except urllib.error.HTTPError as e:
                self.assertEqual(e.code, 404, path)
        with urllib.request.urlopen(st.url + "/api/v1/events", timeout=10) as r:
            self.assertTrue(r.readline())
        st.dockctl("status")
        st.dockctl("verify")
        time.sleep(1)
        self.assertEqual(st.stop(), 0, st.log()[-2000:])

        self.check_trace(st.trace)

    def test_sdk_helper_stays_inside_the_unit(self):
        """dockd-sdk-host runs vendor code under the daemon's filter: the real
        helper with the test vendor library, driven by the sdk unit tests
        (identity, officer, battery, clock, SetMsdc, a hang cut off)."""
        sdk_test = os.path.join(BUILD, "tests", "sdk_test")
        if not os.path.exists(sdk_test):
            self.skipTest("sdk_test is not built")
        with tempfile.TemporaryDirectory() as d:
            trace = os.path.join(d, "strace.out")
            r = subprocess.run(["strace", "-f", "-qq", "-s", "128", "-o", trace, sdk_test], capture_output=True,
                               text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stdout[-2000:])
            self.check_trace(trace, only_exe="dockd-sdk-host", at_least=15)

    def check_trace(self, trace, only_exe=None, at_least=40):
        """Everything the traced processes did (only those that ran ONLY_EXE,
        and their threads, when given) is allowed by the unit."""
        used, pids, proc_paths, problems = set(), set(), set(), []
        with open(trace, errors="replace") as f:
            for line in f:
                m = CALL.match(line)
                if not m:
                    self.assertNotIn("runs in 32 bit mode", line, "SystemCallArchitectures=native")
                    continue
                pid, call = m.groups()
                if only_exe and pid not in pids:
                    if not (call == "execve" and f'/{only_exe}"' in line):
                        continue
                pids.add(pid)
                if only_exe and call in ("clone", "clone3", "fork", "vfork"):
                    pids.update(re.findall(r"= (\d+)$", line.strip()))
                used.add(call)
                if call in ("mmap", "mprotect", "pkey_mprotect") and "PROT_EXEC" in line and (
                        "PROT_WRITE" in line or call != "mmap"):
                    problems.append(f"MemoryDenyWriteExecute: {line.strip()}")
                if call in ("clone", "clone3", "unshare", "setns") and "CLONE_NEW" in line:
                    problems.append(f"RestrictNamespaces: {line.strip()}")
                proc_paths.update(re.findall(r'"(/proc/[^"]*)"', line))
        for p in sorted(proc_paths):
            part = p.split("/")[2] if p.count("/") >= 2 else ""
            if part not in ("self", "thread-self") and part not in pids and p not in PROC_READS_TOLERATED:
                problems.append(f"ProcSubset=pid/ProtectProc=invisible hide {p}")
        allowed = allowed_syscalls()
        refused = used - allowed
        print(f"{only_exe or 'dockd'}: {len(used)} distinct system calls, {len(allowed)} allowed by the unit")
        print("used:", " ".join(sorted(used)))
        print("refused on purpose:", " ".join(sorted(refused & REFUSED_ON_PURPOSE)) or "none")
        self.assertFalse(refused - REFUSED_ON_PURPOSE,
                         f"system calls the unit refuses: {sorted(refused - REFUSED_ON_PURPOSE)}")
        self.assertFalse(problems, "\n".join(problems))
        self.assertGreater(len(used), at_least, "strace saw the program at work")


if __name__ == "__main__":
    unittest.main()
