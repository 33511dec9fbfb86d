#!/usr/bin/env bash
# infra/stop.sh — `make stop`: stops the lighttpd that infra/run.sh started,
# by the PID in var/run/lighttpd.pid, and waits (up to 10 s, then SIGKILL)
# until it has exited. lighttpd stops the FastCGI responders it spawned.
# Prints "stopped" or "not running"; exits 0 in both cases, 1 if the
# process would not die.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=infra/lib.sh
. "$here/lib.sh"
rundir=$(dirname "$here")/var/run
pidfile=$rundir/lighttpd.pid

pid=$(ms_read_pid "$pidfile")
# A stale pid file may name a PID the system has since reused: only a
# lighttpd counts.
if [ -z "$pid" ] || ! ms_pid_alive "$pid" || [ "$(ms_pid_comm "$pid")" != lighttpd ]; then
	rm -f "$pidfile" "$rundir/port"
	echo "moonscope: not running"
	exit 0
fi

if ! ms_stop_pid "$pid" 10; then
	ms_die "lighttpd (pid $pid) did not stop"
fi
rm -f "$pidfile" "$rundir/port"
echo "moonscope: stopped (lighttpd pid $pid)"
