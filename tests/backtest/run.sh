#!/usr/bin/env bash
# tests/backtest/run.sh — the backtester's end-to-end checks (`make
# backtest-test`): every tests/backtest/t_*.sh in name order, from the
# repository root, with build/moonscope built.
#
# Each script prints "ok"/"not ok" lines and exits 0 (passed), 77 (skipped:
# it prints why, e.g. ../shared/data is absent) or anything else (failed).
# Environment for the scripts: MS_BIN (the moonscope binary), MS_DATA (the
# real-data folder, default ../shared/data), PY (/usr/bin/python3).
set -u
cd "$(dirname "$0")/../.." || exit 1
export MS_BIN=${MS_BIN:-$PWD/build/moonscope}
export MS_DATA=${MS_DATA:-$PWD/../shared/data}
export PY=${PY:-/usr/bin/python3}
[ -x "$MS_BIN" ] || { echo "backtest-test: $MS_BIN is not built (make all)" >&2; exit 1; }

pass=0 skip=0 fail=0 failed=
for t in tests/backtest/t_*.sh; do
	[ -e "$t" ] || continue
	echo "== $t"
	start=$(date +%s)
	bash "$t"
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) pass=$((pass + 1)); echo "== $t: passed (${secs} s)" ;;
	77) skip=$((skip + 1)); echo "== $t: SKIPPED (${secs} s)" ;;
	*) fail=$((fail + 1)); failed="$failed $t"; echo "== $t: FAILED, exit $rc (${secs} s)" ;;
	esac
done
echo "backtest-test: $pass passed, $skip skipped, $fail failed${failed:+:$failed}"
[ "$fail" -eq 0 ]
