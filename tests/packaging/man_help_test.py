"""`dockd --help` and `dockctl --help` agree with their man pages: every option
(and, for dockctl, every command) in one appears in the other. The man pages
are the roff files the build made from packaging/man/*.scd; dockd-verify's is
checked the same way once that program is built.

usage: man_help_test.py BUILD_DIR MAN_DIR"""
import glob
import os
import re
import subprocess
import sys
import unittest

BUILD, MAN = sys.argv[1], sys.argv[2]
OPTION = re.compile(r"--[a-z][a-z0-9-]*")


def help_text(program):
    r = subprocess.run([program, "--help"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, f"{program} --help exited {r.returncode}: {r.stderr}"
    return r.stdout


def terms(page, *sections):
    """The term lines of the definition lists in SECTIONS of a roff page
    (outside .RS/.RE bodies), font escapes removed."""
    with open(os.path.join(MAN, page)) as f:
        lines = f.read().splitlines()
    out, section, depth = [], None, 0
    for line in lines:
        if line.startswith(".SH "):
            section = line[4:].strip().strip('"')
            continue
        if line.startswith(".RS"):
            depth += 1
        elif line.startswith(".RE"):
            depth -= 1
        elif section in sections and depth == 0 and not line.startswith("."):
            out.append(re.sub(r"\\f[BIR]", "", line).replace("\\&", "").replace("\\-", "-"))
    return out


def man_options(page, *sections):
    return {o for t in terms(page, *sections) for o in OPTION.findall(t)}


def help_commands(text):
    """dockctl's usage: one command per line, indented two spaces."""
    return {m.group(1) for m in re.finditer(r"^  ([a-z][a-z-]*)", text, re.M)}


class HelpAgreesWithManPages(unittest.TestCase):
    def test_dockd(self):
        text = help_text(os.path.join(BUILD, "daemon", "main", "dockd"))
        self.assertEqual(set(OPTION.findall(text)), man_options("man8/dockd.8", "OPTIONS"))
        self.assertLessEqual(man_options("man8/dockd.8", "SYNOPSIS"), set(OPTION.findall(text)))

    def test_dockctl(self):
        text = help_text(os.path.join(BUILD, "daemon", "dockctl", "dockctl"))
        self.assertEqual(set(OPTION.findall(text)), man_options("man1/dockctl.1", "OPTIONS"))
        man_commands = {t.split()[0] for t in terms("man1/dockctl.1", "COMMANDS")}
        self.assertEqual(help_commands(text), man_commands)
        self.assertGreaterEqual(len(man_commands), 12)

    def test_dockd_verify(self):
        built = [p for p in glob.glob(os.path.join(BUILD, "**", "dockd-verify"), recursive=True)
                 if os.path.isfile(p) and os.access(p, os.X_OK)]
        if not built:
            self.skipTest("dockd-verify is not built in this tree")
        text = help_text(built[0])
        self.assertEqual(set(OPTION.findall(text)) - {"--help"},
                         man_options("man1/dockd-verify.1", "OPTIONS", "S3 OPTIONS") - {"--help"})


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
