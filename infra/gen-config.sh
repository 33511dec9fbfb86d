#!/usr/bin/env bash
# infra/gen-config.sh — writes a lighttpd or Apache configuration for one
# Moonscope instance from the route table (infra/routes.txt).
#
#   gen-config.sh lighttpd|lighttpd-pool|lighttpd-cgi|apache --port P --root DIR --fn-dir DIR --db PATH
#                 [--procs N] [--bind ADDR] [--user U --group G]
#                 [--routes FILE]
#   gen-config.sh examples [--check]
#
# The configuration goes to stdout. DIR is the instance directory: pid file,
# error log, sockets and an empty document root DIR/htdocs (which the caller
# creates) live there. --fn-dir holds the function executables (build/fn or
# PREFIX/libexec/moonscope); --db is the store every function opens
# read-only (passed as MOONSCOPE_DB). --procs is the number of responder
# processes per function (default 2). --user/--group: lighttpd drops to
# them after binding (server.username); Apache's children run as them
# (default: www-data when started as root, else the current user).
#
# `examples` rewrites the reference configurations infra/lighttpd.conf and
# infra/apache.conf (installed by `make install`) for the installed layout:
# functions in /usr/local/libexec/moonscope, store
# /var/lib/moonscope/moonscope.db, instance directory /var/lib/moonscope/run,
# port 8080, user www-data. With --check it only compares and exits 1 when
# they are out of date (the integration tests run this).
#
# lighttpd: mod_fastcgi starts the responders itself ("bin-path"), one pool
# per route, each on DIR/<function>.sock-0 ... -(N-1). Routes become one
# chain of `$HTTP["url"] =~ ... else $HTTP["url"] =~ ...` conditionals in
# routes.txt order, so the first matching route wins, as in the table.
#
# lighttpd-pool: lighttpd forwarding each route to an external responder
# pool on DIR/<function>.sock started by infra/fcgi-pool.sh (spawn-fcgi),
# as Apache does: every responder of a function accepts from one shared
# socket, so a request goes to whichever responder is free first (lighttpd
# gives each responder it starts a socket of its own and picks one).
#
# lighttpd-cgi: the same routes served as plain CGI (mod_cgi, one process
# per request): each route's URL is aliased to its executable. Slow by
# design; it proves that the executables also work as CGI.
#
# Apache: a standalone instance (apache2 -f DIR/apache.conf -k start) that
# loads only the modules it needs and forwards each route with
# mod_proxy_fcgi to an external responder pool on DIR/<function>.sock,
# started by infra/fcgi-pool.sh (spawn-fcgi). ProxyPassMatch rules are
# tried in configuration order; the first match wins. `AllowEncodedSlashes
# On` decodes a %2F in a path before routing, as lighttpd does, instead of
# answering Apache's own HTML 404, so both servers route every path alike.
#
# Both pass the original request target: REQUEST_URI is the raw,
# still-encoded path and query as the client sent it, QUERY_STRING the raw
# query. The functions parse REQUEST_URI.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=infra/lib.sh
. "$here/lib.sh"

usage() {
	cat >&2 <<'EOF'
usage: gen-config.sh lighttpd|lighttpd-pool|lighttpd-cgi|apache --port P --root DIR --fn-dir DIR --db PATH
                     [--procs N] [--bind ADDR] [--user U --group G] [--routes FILE]
EOF
	exit 2
}

[ $# -ge 1 ] || usage
kind=$1
shift
case $kind in
lighttpd | lighttpd-pool | lighttpd-cgi | apache) ;;
examples)
	ex_args=(--port 8080 --root /var/lib/moonscope/run
	    --fn-dir /usr/local/libexec/moonscope
	    --db /var/lib/moonscope/moonscope.db --user www-data --group www-data)
	rc=0
	for k in lighttpd apache; do
		tmp=$(mktemp)
		"${BASH_SOURCE[0]}" "$k" "${ex_args[@]}" >"$tmp"
		if [ "${1:-}" = --check ]; then
			if ! cmp -s "$tmp" "$here/$k.conf"; then
				ms_say "infra/$k.conf is out of date with infra/routes.txt or" \
				    "infra/gen-config.sh; run: infra/gen-config.sh examples"
				rc=1
			fi
			rm -f "$tmp"
		else
			mv "$tmp" "$here/$k.conf"
			chmod 0644 "$here/$k.conf"
		fi
	done
	exit $rc
	;;
-h | --help) usage ;;
*) ms_say "unknown server '$kind' (lighttpd or apache)"; usage ;;
esac

port='' root='' fn_dir='' db='' procs=2 bind=127.0.0.1 user='' group=''
routes=$here/routes.txt
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || { ms_say "option $1 needs a value"; usage; }
	case $1 in
	--port) port=$2 ;;
	--root) root=$2 ;;
	--fn-dir) fn_dir=$2 ;;
	--db) db=$2 ;;
	--procs) procs=$2 ;;
	--bind) bind=$2 ;;
	--user) user=$2 ;;
	--group) group=$2 ;;
	--routes) routes=$2 ;;
	*) ms_say "unknown option $1"; usage ;;
	esac
	shift 2
done

ms_is_port "$port" || ms_die "--port: '$port' is not a port number"
if [ -z "$root" ] || [ -z "$fn_dir" ] || [ -z "$db" ]; then usage; fi
case $procs in
'' | *[!0-9]* | 0*) ms_die "--procs: '$procs' is not a positive integer" ;;
esac
[ "$procs" -le 64 ] || ms_die "--procs: at most 64"
root=$(ms_abspath "$root")
fn_dir=$(ms_abspath "$fn_dir")
db=$(ms_abspath "$db")
# Values are pasted into quoted config strings: refuse what would need
# escaping rather than escape it differently for each server.
for v in "$root" "$fn_dir" "$db" "$bind" "$user" "$group"; do
	case $v in
	*[\"\\\$\'\ ]* | *[[:cntrl:]]*)
		ms_die "refusing a path or name with quotes, backslash, \$, space or control bytes: $v" ;;
	esac
done
[ -r "$routes" ] || ms_die "cannot read route table $routes"

# The route table: "function regex" lines, '#' comments.
names=()
regexes=()
while read -r name regex rest; do
	case $name in '' | '#'*) continue ;; esac
	if [ -z "$regex" ] || [ -n "$rest" ]; then ms_die "$routes: bad line for '$name'"; fi
	case $name in *[!a-z0-9_]*) ms_die "$routes: bad function name '$name'" ;; esac
	case $regex in *\"* | *\\*) ms_die "$routes: regex for $name may not contain quotes or backslashes" ;; esac
	names+=("$name")
	regexes+=("$regex")
done <"$routes"
[ ${#names[@]} -gt 0 ] || ms_die "$routes: no routes"

# gen_lighttpd [pool] — with "pool": external responders (fcgi-pool.sh).
gen_lighttpd() {
	local i n=${#names[@]} sep='' user_lines='' pool=${1:-}
	if [ -n "$user" ]; then
		user_lines=$(printf 'server.username      = "%s"\nserver.groupname     = "%s"' \
		    "$user" "${group:-$user}")
		user_lines+=$'\n'
	fi
	cat <<EOF
# Moonscope lighttpd configuration, generated by infra/gen-config.sh from
# infra/routes.txt. Regenerate rather than edit.
#   lighttpd -f THIS_FILE      (daemonizes; pid in $root/lighttpd.pid)

server.modules       = ( "mod_fastcgi" )
server.bind          = "$bind"
server.port          = $port
server.document-root = "$root/htdocs"
server.pid-file      = "$root/lighttpd.pid"
server.errorlog      = "$root/lighttpd-error.log"
# The functions' stderr (their one-line error logs): lighttpd discards
# it once daemonized unless it has a file to go to.
server.breakagelog   = "$root/functions-error.log"
server.tag           = "moonscope"
${user_lines}server.max-request-size = 64
server.max-request-field-size = 8192
# The functions are the one authority on what a valid request is: lighttpd
# passes the request target through unnormalized (no 400 of its own for
# %00, %FF or raw bytes >= 0x80), so malformed input gets the same
# problem+json from the function as behind Apache. Routing still matches
# the decoded, dot-segment-free path; the function re-checks REQUEST_URI.
server.http-parseopts = (
  "header-strict"  => "enable",
  "host-strict"    => "enable",
  "url-normalize"  => "disable"
)
fastcgi.debug = 0

EOF
	for ((i = 0; i < n; i++)); do
		if [ "$pool" = pool ]; then
			cat <<EOF
$sep\$HTTP["url"] =~ "${regexes[i]}" {
  fastcgi.server = ( "/" => ((
    "socket"          => "$root/${names[i]}.sock",
    "check-local"     => "disable",
    "fix-root-scriptname" => "enable"
  )) )
}
EOF
			sep='else '
			continue
		fi
		cat <<EOF
$sep\$HTTP["url"] =~ "${regexes[i]}" {
  fastcgi.server = ( "/" => ((
    "bin-path"        => "$fn_dir/${names[i]}",
    "socket"          => "$root/${names[i]}.sock",
    "max-procs"       => $procs,
    "check-local"     => "disable",
    "fix-root-scriptname" => "enable",
    "bin-environment" => ( "MOONSCOPE_DB" => "$db" )
  )) )
}
EOF
		sep='else '
	done
}

gen_lighttpd_cgi() {
	local i n=${#names[@]} sep=''
	cat <<EOF
# Moonscope lighttpd configuration for plain CGI, generated by
# infra/gen-config.sh from infra/routes.txt. Regenerate rather than edit.

server.modules       = ( "mod_alias", "mod_cgi", "mod_setenv" )
server.bind          = "$bind"
server.port          = $port
server.document-root = "$root/htdocs"
server.pid-file      = "$root/lighttpd.pid"
server.errorlog      = "$root/lighttpd-error.log"
# The functions' stderr (their one-line error logs): lighttpd discards
# it once daemonized unless it has a file to go to.
server.breakagelog   = "$root/functions-error.log"
server.tag           = "moonscope"
server.max-request-size = 64
server.max-request-field-size = 8192
server.http-parseopts = (
  "header-strict"  => "enable",
  "host-strict"    => "enable",
  "url-normalize"  => "disable"
)
setenv.set-environment = ( "MOONSCOPE_DB" => "$db" )
# Run the aliased file itself (no interpreter).
cgi.assign = ( "" => "" )

EOF
	for ((i = 0; i < n; i++)); do
		# shellcheck disable=SC2016 # a literal lighttpd $HTTP
		printf '%s$HTTP["url"] =~ "%s" {\n  alias.url = ( "" => "%s/%s" )\n}\n' \
		    "$sep" "${regexes[i]}" "$fn_dir" "${names[i]}"
		sep='else '
	done
}

gen_apache() {
	local i n=${#names[@]} m=/usr/lib/apache2/modules u=$user g=$group
	if [ -z "$u" ] && [ "$(id -u)" = 0 ]; then
		u=www-data
		g=www-data
		getent passwd www-data >/dev/null 2>&1 || { u=nobody; g=nogroup; }
	fi
	[ -n "$g" ] || g=$u
	cat <<EOF
# Moonscope Apache configuration, generated by infra/gen-config.sh from
# infra/routes.txt. Regenerate rather than edit. A standalone instance:
#   apache2 -f /ABSOLUTE/PATH/TO/THIS/FILE -k start
# The responder pools must be running first (infra/fcgi-pool.sh start).

ServerRoot "$root"
ServerName 127.0.0.1
Listen $bind:$port
PidFile "$root/apache.pid"
ErrorLog "$root/apache-error.log"
LogLevel warn
DefaultRuntimeDir "$root"

LoadModule mpm_event_module $m/mod_mpm_event.so
LoadModule authz_core_module $m/mod_authz_core.so
LoadModule proxy_module $m/mod_proxy.so
LoadModule proxy_fcgi_module $m/mod_proxy_fcgi.so

EOF
	if [ -n "$u" ]; then
		printf 'User %s\nGroup %s\n\n' "$u" "$g"
	fi
	cat <<EOF
StartServers 1
ServerLimit 4
ThreadsPerChild 25
MaxRequestWorkers 100
MinSpareThreads 25
MaxSpareThreads 75
KeepAlive On
Timeout 30
ProxyTimeout 30
TraceEnable off
ServerTokens Prod
ServerSignature Off
LimitRequestLine 8190
LimitRequestBody 65536
# Decode %2F like lighttpd does before routing (instead of Apache's own
# HTML 404), so both servers pick the same function for every path.
AllowEncodedSlashes On

DocumentRoot "$root/htdocs"
<Directory />
  AllowOverride None
  Require all denied
</Directory>

EOF
	# Each pool needs its own worker name (fcgi://HOST/): mod_proxy keys
	# workers by that URL, not by the socket, so with one shared
	# "fcgi://localhost/" every route would reach the first pool.
	for ((i = 0; i < n; i++)); do
		printf 'ProxyPassMatch "%s" "unix:%s/%s.sock|fcgi://%s/"\n' \
		    "${regexes[i]}" "$root" "${names[i]}" "${names[i]//_/-}"
	done
}

case $kind in
lighttpd) gen_lighttpd ;;
lighttpd-pool) gen_lighttpd pool ;;
lighttpd-cgi) gen_lighttpd_cgi ;;
apache) gen_apache ;;
esac
