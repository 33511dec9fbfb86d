"""Runs a server so that every process it starts is waited for.

  subreaper.py CMD [ARG...]

lighttpd -D starts its FastCGI responders itself and, when stopped, exits
without waiting for them; the orphans are re-parented to PID 1, and where
PID 1 does not reap (some containers) they stay as zombies. This wrapper
marks itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so those
orphans come back to it: it runs CMD as its child, passes SIGTERM, SIGINT
and SIGHUP on to it, reaps every descendant, and exits with CMD's status
once no descendant is left. bench/run.sh stops a server by this wrapper's
PID, so "stopped and waited for" covers the responders too.
"""

import ctypes
import os
import signal
import sys

PR_SET_CHILD_SUBREAPER = 36


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.stderr.write("subreaper.py: prctl failed; orphans may linger\n")
    child = os.fork()
    if child == 0:
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, signal.SIG_DFL)
        try:
            os.execvp(argv[1], argv[1:])
        except OSError as e:
            sys.stderr.write("subreaper.py: %s: %s\n" % (argv[1], e))
            os._exit(127)

    def forward(signum, _frame):
        try:
            os.kill(child, signum)
        except ProcessLookupError:
            pass

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, forward)
    status = 0
    while True:
        try:
            pid, st = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if pid == child:
            status = os.waitstatus_to_exitcode(st)
            if status < 0:
                status = 128 - status
            # The server is gone: its orphans get a SIGTERM if they have
            # not had one, then are reaped as they exit.
            _signal_all(signal.SIGTERM)
            # ... and a SIGKILL if they are still there 5 s later.
            signal.signal(signal.SIGALRM,
                          lambda _s, _f: _signal_all(signal.SIGKILL))
            signal.alarm(5)
    return status


def _signal_all(signum):
    for p in _children():
        try:
            os.kill(p, signum)
        except ProcessLookupError:
            pass


def _children():
    """PIDs whose parent is this process (its adopted orphans)."""
    me = os.getpid()
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d, "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: parse after
        # the last ')'.
        fields = stat[stat.rfind(b")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == me:
            out.append(int(d))
    return out


if __name__ == "__main__":
    sys.exit(main(sys.argv))
