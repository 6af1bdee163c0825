#!/usr/bin/python3
"""Runs a command under a seccomp filter that refuses adjtimex and clock_adjtime
with EPERM, as systemd's ProtectClock=yes does. Debian's python3-seccomp lives
with Debian's python3, hence the fixed interpreter.

    no_clock_adjust.py COMMAND [ARGS...]"""
import errno
import os
import sys

import seccomp

f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
for name in ("adjtimex", "clock_adjtime"):
    f.add_rule(seccomp.ERRNO(errno.EPERM), name)
f.load()
os.execv(sys.argv[1], sys.argv[1:])
