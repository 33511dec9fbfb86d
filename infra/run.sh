#!/usr/bin/env bash
# infra/run.sh — the quick start behind `make run`: makes sure the store
# holds data, then starts lighttpd on 127.0.0.1:$PORT in the background and
# prints the base URL and a few requests to try. `make` has built
# everything before this runs.
#
#   PORT=8080 DATA=PATH OFFLINE=1 infra/run.sh
#
# State lives under var/ in the repository: the store var/moonscope.db
# (override with MOONSCOPE_DB) and var/run/ (generated lighttpd.conf, pid
# file, error log, the functions' sockets). infra/stop.sh stops the server.
#
# Data: with DATA=PATH (a CSV file or a folder of them), synthetic demo data
# is purged first and PATH is imported; an import failure stops here with
# the importer's message. Without DATA, live data is tried first: the
# configured upstream ($MOONSCOPE_UPSTREAM, else CoinGecko's public API;
# key from $MOONSCOPE_API_KEY) is probed with `moonscope ingest --probe`
# (GET /ping, 3 s, no retry) and, if it answers, a small universe is
# ingested within the keyless rate limit: the top 100 coins by market cap,
# the daily history of 20 of them (those missing the most days; the rest
# on later runs), 3 sectors; at most 5 minutes, all or nothing. After a
# successful ingest the synthetic demo data, if any, is purged. If the
# upstream is unreachable or the ingest fails, an empty store gets the
# synthetic demo universe (`moonscope demo-data`) and a store with data is
# served as it is; the output says which. OFFLINE=1 (or
# MOONSCOPE_OFFLINE=1) skips the probe: nothing leaves the machine.
#
# A second run while the server is up starts nothing (after importing DATA,
# or ingesting live data, as above: running functions see new data without
# a restart); it prints the URL of the running server and exits 0.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=infra/lib.sh
. "$here/lib.sh"
root=$(dirname "$here")

port=${PORT:-8080}
data=${DATA:-}
procs=${PROCS:-2}
offline=${OFFLINE:-}
[ -n "$offline" ] || offline=${MOONSCOPE_OFFLINE:-}
case $offline in
'' | 0 | no | false | off) offline= ;;
1 | yes | true | on) offline=1 ;;
*) ms_die "OFFLINE='$offline' (or MOONSCOPE_OFFLINE): use 1 to skip the upstream, 0 or nothing to try it" ;;
esac
# moonscope ingest itself then refuses any upstream but a loopback one.
[ -z "$offline" ] || export MOONSCOPE_OFFLINE=1
ms_is_port "$port" || ms_die "PORT='$port' is not a port number (1-65535)"
# DATA is relative to where make was started (the repository root under
# `make run`), so resolve it before changing directory.
if [ -n "$data" ]; then
	[ -e "$data" ] || ms_die "DATA=$data: no such file or directory"
	data=$(ms_abspath "$data")
fi

cd "$root"
build=${BUILD:-build}
cli=$root/$build/moonscope
fn_dir=$root/$build/fn
var=$root/var
rundir=$var/run
db=$(ms_abspath "${MOONSCOPE_DB:-$var/moonscope.db}")
export MOONSCOPE_DB=$db
pidfile=$rundir/lighttpd.pid
conf=$rundir/lighttpd.conf
errlog=$rundir/lighttpd-error.log

command -v lighttpd >/dev/null || ms_die "lighttpd is not installed (run make deps as root)"
command -v sqlite3 >/dev/null || ms_die "sqlite3 is not installed (run make deps as root)"
[ -x "$cli" ] || ms_die "$build/moonscope is missing; run make all"
while read -r name _; do
	case $name in '' | '#'*) continue ;; esac
	[ -x "$fn_dir/$name" ] || ms_die "$build/fn/$name is missing; run make all"
done <"$here/routes.txt"
mkdir -p "$var" "$rundir/htdocs" "$(dirname "$db")"

# sql QUERY — runs a read-only query on the store; prints nothing if the
# store or its tables do not exist yet.
sql() {
	[ -s "$db" ] || return 0
	sqlite3 -readonly -batch -noheader -cmd '.timeout 5000' "$db" "$1" 2>/dev/null || true
}
has_data() {
	[ "$(sql 'SELECT EXISTS (SELECT 1 FROM bars);')" = 1 ]
}
synthetic_sources() {
	sql 'SELECT name FROM sources WHERE synthetic = 1 AND EXISTS
	     (SELECT 1 FROM bars WHERE bars.source_id = sources.id) ORDER BY name;'
}
has_real_data() {
	[ "$(sql 'SELECT EXISTS (SELECT 1 FROM bars JOIN sources s ON s.id = bars.source_id
	     WHERE s.synthetic = 0);')" = 1 ]
}

# live_data — probes the upstream and, if it answers, ingests the small
# default universe (see the top of this file). 0 when the store now holds
# the ingested data; 1 (with the reason said) otherwise.
upstream=${MOONSCOPE_UPSTREAM:-}
[ -n "$upstream" ] || upstream="CoinGecko's public API"
live_data() {
	local probe_log=$rundir/probe.log src
	if ! "$cli" ingest --probe >"$probe_log" 2>&1; then
		ms_say "the upstream ($upstream) does not answer within 3 s ($(sed -n 's/^ingest: upstream .* is not reachable: //p' "$probe_log" | tail -n 1))"
		return 1
	fi
	ms_say "the upstream ($upstream) answers: ingesting live data: the top 100 coins, the daily history of 20 of them (the rest on later runs of make run), 3 sectors (at most 5 minutes; make run OFFLINE=1 skips this)"
	if ! "$cli" ingest --top 100 --history-max 20 --categories 3 --no-list --no-global \
	    --max-time 300; then
		ms_say "the ingest from $upstream failed (above); the store is as it was"
		return 1
	fi
	if has_real_data; then
		for src in $(synthetic_sources); do
			ms_say "removing synthetic demo data ($src): the store now holds live data"
			"$cli" purge --source "$src" || ms_die "moonscope purge --source $src failed"
		done
	fi
	return 0
}

# --- data ------------------------------------------------------------------
# Create the store, or bring an older one up to this build's schema (the
# functions open it read-only and need the current schema).
"$cli" init >/dev/null || ms_die "moonscope init failed for $db"
if [ -n "$data" ]; then
	for src in $(synthetic_sources); do
		ms_say "removing synthetic demo data ($src) before importing real data"
		"$cli" purge --source "$src" || ms_die "moonscope purge --source $src failed"
	done
	ms_say "importing $data into $db"
	if ! "$cli" import --skip-unknown "$data"; then
		ms_die "import of $data failed (see the importer's message above); nothing was started"
	fi
else
	if [ -n "$offline" ]; then
		ms_say "offline (OFFLINE=1 or MOONSCOPE_OFFLINE=1): not contacting $upstream"
		live=1
	else
		live=0
		live_data || live=1
	fi
	if [ "$live" = 0 ] && ! has_data; then
		ms_say "the upstream gave no daily history for the last year"
		live=1
	fi
	if [ "$live" != 0 ]; then
		if ! has_data; then
			if [ -n "$offline" ]; then
				ms_say "the store $db is empty: generating SYNTHETIC demo data (moonscope demo-data)"
			else
				ms_say "falling back to the demo data: the store $db is empty: generating SYNTHETIC demo data (moonscope demo-data)"
			fi
			"$cli" demo-data || ms_die "moonscope demo-data failed"
		elif [ -z "$offline" ]; then
			ms_say "serving the store $db as it is"
		fi
	fi
fi
has_data || ms_die "the store $db still holds no data; see the messages above"
synthetic=$(synthetic_sources | tr '\n' ' ')

note_synthetic() {
	if [ -n "$synthetic" ]; then
		cat <<EOF

NOTE: the store holds SYNTHETIC demo data (source: ${synthetic% }), generated
      offline for trying the API; it is not market history. Responses say so
      in meta.source and meta.synthetic. Load real data with:
        make run DATA=../shared/data/majors_daily
      or, with network access, run make run again (without OFFLINE=1) to
      ingest live data from the upstream.
EOF
	fi
}

# --- already running? -------------------------------------------------------
pid=$(ms_read_pid "$pidfile")
if [ -n "$pid" ] && ms_pid_alive "$pid" && [ "$(ms_pid_comm "$pid")" = lighttpd ]; then
	old_port=$(cat "$rundir/port" 2>/dev/null || echo "$port")
	echo "moonscope: already running at http://127.0.0.1:$old_port/ (lighttpd pid $pid); not starting another."
	[ "$old_port" = "$port" ] || echo "moonscope: to use port $port instead, run make stop first."
	echo "Stop it with: make stop"
	note_synthetic
	exit 0
fi
rm -f "$pidfile" "$rundir/port"

if ms_port_busy "$port"; then
	ms_die "port $port on 127.0.0.1 is already in use by another program; pick another one: make run PORT=N"
fi

# --- start lighttpd -----------------------------------------------------------
"$here/gen-config.sh" lighttpd --port "$port" --root "$rundir" --fn-dir "$fn_dir" \
    --db "$db" --procs "$procs" >"$conf.tmp"
mv "$conf.tmp" "$conf"
[ -f "$errlog" ] && mv -f "$errlog" "$errlog.old"

# lighttpd daemonizes and writes its pid file once it is listening.
if ! lighttpd -f "$conf"; then
	ms_show_log "$errlog"
	ms_die "lighttpd failed to start (configuration $conf)"
fi

base=http://127.0.0.1:$port
if ! ms_wait_http "$base/v1/health" 10; then
	ms_say "lighttpd did not answer $base/v1/health with 200 within 10 s"
	curl -s --max-time 2 -i "$base/v1/health" >&2 || true
	ms_show_log "$errlog"
	pid=$(ms_read_pid "$pidfile")
	if [ -n "$pid" ]; then
		ms_stop_pid "$pid" 10 || true
	fi
	rm -f "$pidfile"
	exit 1
fi
pid=$(ms_read_pid "$pidfile")
echo "$port" >"$rundir/port"

cat <<EOF
moonscope: serving $base/ (lighttpd pid ${pid:-?}, store ${db#"$root"/})
Try:
  curl -s $base/v1/health
  curl -s '$base/v1/assets?limit=5'
  curl -s $base/v1/assets/ripple
  curl -s '$base/v1/assets/bitcoin/ohlcv?interval=month'
  curl -s '$base/v1/price?symbols=btc,eth'
  curl -s '$base/v1/moonshots?limit=5'
  curl -s '$base/v1/grades?ids=btc,eth'
  curl -s '$base/v1/forecasts/bitcoin?horizon=30'
  curl -s '$base/v1/target?id=xrp&price=500'
  curl -s '$base/api/v3/simple/price?ids=bitcoin,ethereum&vs_currencies=usd'
  curl -s '$base/api/v3/coins/markets?vs_currency=usd&per_page=10'
Stop it with: make stop   (logs: ${errlog#"$root"/})
EOF
note_synthetic
