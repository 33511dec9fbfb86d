#!/usr/bin/env bash
# infra/fcgi-pool.sh — starts or stops the external FastCGI responder pools
# a web server without a built-in process manager (Apache with
# mod_proxy_fcgi, nginx) forwards to: one spawn-fcgi pool per function in
# the route table, listening on DIR/<function>.sock.
#
#   fcgi-pool.sh start --root DIR --fn-dir DIR --db PATH [--procs N] [--routes FILE]
#   fcgi-pool.sh stop  --root DIR [--routes FILE]
#
# start forks N responders per function (default 2) with MOONSCOPE_DB=PATH in
# their environment, the socket mode 0666 (so an Apache running as www-data
# can connect; keep DIR itself private to the users that should) and their
# PIDs in DIR/<function>.pids. If any pool fails to start, the ones already
# started are stopped again and the exit status is 1. stop signals every PID
# listed in the pid files, waits for each to exit (up to 10 s, then
# SIGKILL), and removes sockets and pid files.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=infra/lib.sh
. "$here/lib.sh"

usage() {
	cat >&2 <<'EOF'
usage: fcgi-pool.sh start --root DIR --fn-dir DIR --db PATH [--procs N] [--routes FILE]
       fcgi-pool.sh stop  --root DIR [--routes FILE]
EOF
	exit 2
}

[ $# -ge 1 ] || usage
action=$1
shift
case $action in start | stop) ;; *) usage ;; esac

root='' fn_dir='' db='' procs=2 routes=$here/routes.txt
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	--root) root=$2 ;;
	--fn-dir) fn_dir=$2 ;;
	--db) db=$2 ;;
	--procs) procs=$2 ;;
	--routes) routes=$2 ;;
	*) ms_say "unknown option $1"; usage ;;
	esac
	shift 2
done
[ -n "$root" ] || usage
root=$(ms_abspath "$root")
[ -r "$routes" ] || ms_die "cannot read route table $routes"

# Distinct function names, in table order.
functions=()
while read -r name _; do
	case $name in '' | '#'*) continue ;; esac
	case " ${functions[*]-} " in *" $name "*) continue ;; esac
	functions+=("$name")
done <"$routes"

stop_pool() {
	local name=$1 pidfile=$root/$1.pids pid rc=0
	if [ -f "$pidfile" ]; then
		while read -r pid || [ -n "$pid" ]; do
			case $pid in '' | *[!0-9]*) continue ;; esac
			ms_stop_pid "$pid" 10 || rc=1
		done <"$pidfile"
		rm -f "$pidfile"
	fi
	rm -f "$root/$name.sock"
	return $rc
}

stop_all() {
	local name rc=0
	for name in "${functions[@]}"; do
		stop_pool "$name" || rc=1
	done
	return $rc
}

case $action in
stop)
	stop_all
	;;
start)
	if [ -z "$fn_dir" ] || [ -z "$db" ]; then usage; fi
	case $procs in '' | *[!0-9]* | 0*) ms_die "--procs: '$procs' is not a positive integer" ;; esac
	command -v spawn-fcgi >/dev/null || ms_die "spawn-fcgi is not installed (apt-get install spawn-fcgi)"
	fn_dir=$(ms_abspath "$fn_dir")
	db=$(ms_abspath "$db")
	mkdir -p "$root"
	for name in "${functions[@]}"; do
		bin=$fn_dir/$name
		if [ ! -x "$bin" ]; then
			stop_all || true
			ms_die "function $bin is missing or not executable (run make all)"
		fi
		rm -f "$root/$name.sock" "$root/$name.pids"
		# spawn-fcgi gives its children no stderr; the shell (replaced
		# by the function through exec) points it at a log file, where
		# the functions' one-line error logs then go.
		# shellcheck disable=SC2016
		if ! MOONSCOPE_DB=$db spawn-fcgi -s "$root/$name.sock" -M 0666 \
		    -F "$procs" -P "$root/$name.pids" -- \
		    /bin/sh -c 'exec "$0" 2>>"$1"' "$bin" "$root/functions-error.log" \
		    >>"$root/spawn-fcgi.log" 2>&1; then
			ms_show_log "$root/spawn-fcgi.log"
			stop_all || true
			ms_die "spawn-fcgi failed for $name"
		fi
	done
	;;
esac
