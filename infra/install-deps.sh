#!/usr/bin/env bash
# infra/install-deps.sh — installs the Debian packages Moonscope needs to
# build, test and run (and, with --bench, to benchmark; with --fuzz, to run
# the libFuzzer harnesses), if any are missing.
#
#   install-deps.sh [--bench] [--fuzz] [--list]
#
# Idempotent and quiet: prints nothing and exits 0 when every package is
# installed. Otherwise, as root, it runs `apt-get update` (only when a
# missing package is unknown to apt) and `apt-get install` without
# recommends; as any other user it prints the exact apt-get line to run and
# exits 1, so `make run` / `make check` stop before building. --list prints
# the package names of the selected groups and exits.
#
# Installing lighttpd or apache2 normally starts the distribution's own
# service on port 80. Moonscope never uses those (its servers are private
# instances on their own ports), so while installing we put a policy-rc.d
# that forbids service starts in place, unless one is already there.
set -euo pipefail

# Build, unit tests, integration tests and `make run`.
base_pkgs=(
	build-essential pkg-config
	libfcgi-dev libfcgi-bin spawn-fcgi
	libcjson-dev libsqlite3-dev sqlite3 zlib1g-dev libgsl-dev
	libcurl4-openssl-dev curl
	check libsubunit-dev valgrind
	lighttpd apache2
	# tests/forecast/*.py: independent reference values for the model tests
	python3-numpy python3-scipy
)
# `make bench`: load generator, the FastAPI peer and the pandas peer.
bench_pkgs=(
	wrk python3 python3-fastapi python3-uvicorn python3-uvloop python3-httptools
	# bench/bt_pandas_peer.py: the pandas peer of the 2018 moonshot replay
	python3-pandas
)
# `make fuzz`: clang and its libFuzzer/sanitizer runtimes (Debian 12: 14).
fuzz_pkgs=(
	clang libclang-rt-14-dev
)

bench=0
fuzz=0
list=0
for arg in "$@"; do
	case $arg in
	--bench) bench=1 ;;
	--fuzz) fuzz=1 ;;
	--list) list=1 ;;
	-h | --help)
		echo "usage: install-deps.sh [--bench] [--fuzz] [--list]" >&2
		exit 0
		;;
	*)
		echo "install-deps.sh: unknown argument '$arg'" >&2
		exit 2
		;;
	esac
done

pkgs=("${base_pkgs[@]}")
[ "$bench" = 1 ] && pkgs+=("${bench_pkgs[@]}")
[ "$fuzz" = 1 ] && pkgs+=("${fuzz_pkgs[@]}")

if [ "$list" = 1 ]; then
	printf '%s\n' "${pkgs[@]}"
	exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "moonscope: not a Debian system (no dpkg-query); cannot check for:" >&2
	echo "  ${pkgs[*]}" >&2
	echo "moonscope: continuing; install their equivalents if the build fails." >&2
	exit 0
fi

missing=()
for p in "${pkgs[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case $status in
	ii*) ;;
	*) missing+=("$p") ;;
	esac
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	printf 'moonscope: missing Debian packages; run as root:\n sudo apt-get install -y %s\n' \
	    "${missing[*]}" >&2
	exit 1
fi

echo "moonscope: installing missing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
policy=/usr/sbin/policy-rc.d
made_policy=0
cleanup() {
	rm -f "$log"
	if [ "$made_policy" = 1 ]; then
		rm -f "$policy"
	fi
}
trap cleanup EXIT
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# Temporary, from moonscope infra/install-deps.sh.\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	made_policy=1
fi

# Refresh the package lists only if apt does not know a package we need.
need_update=0
for p in "${missing[@]}"; do
	if ! apt-cache show "$p" >/dev/null 2>&1; then
		need_update=1
		break
	fi
done
if [ "$need_update" = 1 ]; then
	if ! apt-get update -qq >"$log" 2>&1; then
		cat "$log" >&2
		echo "moonscope: apt-get update failed" >&2
		exit 1
	fi
fi

if ! apt-get install -y -qq --no-install-recommends -o Dpkg::Use-Pty=0 \
    "${missing[@]}" >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	echo "moonscope: apt-get install failed; see the messages above" >&2
	exit 1
fi

# Check the result instead of trusting apt's exit status alone.
still=()
for p in "${missing[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case $status in ii*) ;; *) still+=("$p") ;; esac
done
if [ ${#still[@]} -gt 0 ]; then
	echo "moonscope: still missing after apt-get install: ${still[*]}" >&2
	exit 1
fi
echo "moonscope: installed ${missing[*]}" >&2
