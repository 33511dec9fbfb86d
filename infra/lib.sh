# shellcheck shell=bash
# infra/lib.sh — shell helpers shared by infra/run.sh, infra/stop.sh and the
# integration tests (tests/integration/run.sh). Source it; it defines
# functions only and changes no shell options.
#
# Every server a script starts is stopped by its PID (never by name), and the
# stop waits until the process is really gone. A daemon we did not fork
# ourselves cannot be wait(2)ed, and on a machine whose PID 1 does not reap
# orphans it may linger as a zombie, so "gone" means: no such PID, or a
# zombie.

# ms_say MESSAGE... — one line on stderr, prefixed "moonscope: ".
ms_say() {
	printf 'moonscope: %s\n' "$*" >&2
}

# ms_die MESSAGE... — ms_say, then exit 1.
ms_die() {
	ms_say "$@"
	exit 1
}

# ms_abspath PATH — PATH made absolute and normalized (it need not exist).
ms_abspath() {
	if realpath -m -- "$1" 2>/dev/null; then
		return 0
	fi
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s/%s\n' "$(pwd -P)" "${1#./}" ;;
	esac
}

# ms_is_port N — true if N is a TCP port number (1..65535).
ms_is_port() {
	case $1 in
	'' | *[!0-9]* | 0*) return 1 ;;
	esac
	[ "$1" -ge 1 ] && [ "$1" -le 65535 ]
}

# ms_port_busy PORT — true if something accepts connections on
# 127.0.0.1:PORT (a server bound to 0.0.0.0 counts too).
ms_port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# ms_free_port — prints a loopback port nothing listens on, from a range
# below the kernel's ephemeral ports. Racy by nature; callers check that
# their server really came up.
ms_free_port() {
	local i=0 p
	while [ $((i += 1)) -le 200 ]; do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
		if ! ms_port_busy "$p"; then
			printf '%s\n' "$p"
			return 0
		fi
	done
	return 1
}

# ms_pid_alive PID — true if PID names a live (non-zombie) process.
ms_pid_alive() {
	local state
	case $1 in
	'' | *[!0-9]*) return 1 ;;
	esac
	kill -0 "$1" 2>/dev/null || return 1
	state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	[ "$state" != Z ]
}

# ms_pid_comm PID — the process's command name (/proc/PID/comm), or nothing.
ms_pid_comm() {
	cat "/proc/$1/comm" 2>/dev/null || true
}

# ms_read_pid FILE — the first PID in FILE, or nothing.
ms_read_pid() {
	local pid=''
	if [ -r "$1" ]; then
		read -r pid <"$1" 2>/dev/null || true
	fi
	case $pid in
	'' | *[!0-9]*) return 0 ;;
	esac
	printf '%s\n' "$pid"
}

# ms_stop_pid PID [TIMEOUT] — SIGTERM, wait up to TIMEOUT seconds (default
# 10) for the process to go, then SIGKILL and wait 2 s more. Returns 0 when
# it is gone. Reaps it if it is our own child.
ms_stop_pid() {
	local pid=$1 timeout=${2:-10} i=0
	ms_pid_alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null || true
	while [ $((i += 1)) -le $((timeout * 10)) ]; do
		ms_pid_alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
		sleep 0.1
	done
	ms_say "pid $pid did not stop within ${timeout}s; sending SIGKILL"
	kill -KILL "$pid" 2>/dev/null || true
	i=0
	while [ $((i += 1)) -le 20 ]; do
		ms_pid_alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
		sleep 0.1
	done
	return 1
}

# ms_wait_http URL [TIMEOUT] — polls URL until it answers 200, for up to
# TIMEOUT seconds (default 10). Returns 0 on success.
ms_wait_http() {
	local url=$1 timeout=${2:-10} i=0 code
	while [ $((i += 1)) -le $((timeout * 10)) ]; do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" 2>/dev/null) || true
		[ "$code" = 200 ] && return 0
		sleep 0.1
	done
	return 1
}

# ms_show_log FILE [LINES] — prints the tail of a log file on stderr, framed.
ms_show_log() {
	[ -s "$1" ] || { ms_say "(log $1 is empty or missing)"; return 0; }
	printf -- '----- %s (last %s lines) -----\n' "$1" "${2:-40}" >&2
	tail -n "${2:-40}" "$1" >&2
	printf -- '----- end of %s -----\n' "$1" >&2
}
