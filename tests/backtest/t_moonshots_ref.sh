#!/usr/bin/env bash
# tests/backtest/t_moonshots_ref.sh — the independent check of every metric
# of `moonscope backtest moonshots` (issue 5: "every metric equals an
# independent computation on the same returns ... to a relative 1e-9").
#
# Builds a store from the 2018 all-coin universe, runs two backtests with
# different rules (weekly, hold 28, defaults; and hold until the next
# rebalance, top 10 by lowest volume, delisted after 5 days without a
# bar with a haircut of 0.5, seed 7, 2000 resamples), and
# has tests/backtest/ref_moonshots.py recompute every metric of each
# summary.json from its periods.csv / picks.csv with numpy and scipy, and
# every pick from the store's bars. A tiny C program linked with GSL
# prints mt19937's outputs so the script can first prove that numpy's
# legacy RandomState reproduces GSL's stream exactly; the bootstrap
# intervals are then compared at 1e-9 like every other metric. Also:
# the reference formulas against published values (--golden), and a
# tampered summary.json must fail (the check is not vacuous).
#
# Run from the repository root (tests/backtest/run.sh does); env MS_BIN,
# MS_DATA, PY. Exit 0 pass, 77 skip (data or numpy/scipy absent), 1 fail.
set -u
MS_BIN=${MS_BIN:-$PWD/build/moonscope}
MS_DATA=${MS_DATA:-$PWD/../shared/data}
PY=${PY:-/usr/bin/python3}
REF=tests/backtest/ref_moonshots.py
SRC=$MS_DATA/pit_universe/cmc_allcoins_daily_2018-01-01_2018-07-02.csv.gz

fails=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; fails=$((fails + 1)); }

if [ ! -f "$SRC" ]; then
	echo "SKIP t_moonshots_ref: $SRC is absent (no real data)"
	exit 77
fi
if ! "$PY" -c 'import numpy, scipy.stats' 2>/dev/null; then
	echo "SKIP t_moonshots_ref: $PY lacks numpy/scipy (apt-get install python3-numpy python3-scipy)"
	exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# The reference formulas themselves against published values.
if "$PY" "$REF" --golden >"$tmp/golden.txt" 2>&1; then
	ok "reference formulas = published values ($(tail -1 "$tmp/golden.txt" | sed 's/^ref_moonshots: golden: //'))"
else
	cat "$tmp/golden.txt"
	not_ok "reference formulas against published values"
fi

# GSL's generator, for the stream proof: argv seed, n (0 = gsl_rng_get),
# count.
cat >"$tmp/gslrng.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <gsl/gsl_rng.h>

int
main(int argc, char **argv)
{
	unsigned long seed, n, count;
	gsl_rng *r;

	if (argc != 4)
		return 2;
	seed = strtoul(argv[1], NULL, 10);
	n = strtoul(argv[2], NULL, 10);
	count = strtoul(argv[3], NULL, 10);
	if ((r = gsl_rng_alloc(gsl_rng_mt19937)) == NULL)
		return 1;
	gsl_rng_set(r, seed);
	for (unsigned long i = 0; i < count; i++)
		printf("%lu\n", n ? gsl_rng_uniform_int(r, n) : gsl_rng_get(r));
	gsl_rng_free(r);
	return 0;
}
EOF
rngopt=
if ${CC:-cc} -O2 -o "$tmp/gslrng" "$tmp/gslrng.c" -lgsl -lgslcblas -lm \
    2>"$tmp/cc.txt"; then
	rngopt="--gsl-rng $tmp/gslrng"
else
	echo "# note: cannot build the GSL stream program ($(head -1 "$tmp/cc.txt")); the intervals are still compared, the stream proof is skipped"
fi

db=$tmp/u2018.db
if "$MS_BIN" --db "$db" import "$SRC" >"$tmp/import.txt" 2>&1; then
	ok "import of the 2018 all-coin universe"
else
	cat "$tmp/import.txt"
	not_ok "import of the 2018 all-coin universe"
	exit 1
fi

run_case() {
	local name=$1
	shift
	if ! "$MS_BIN" --db "$db" backtest moonshots --report "$tmp/$name" \
	    "$@" >"$tmp/$name.out" 2>&1; then
		cat "$tmp/$name.out"
		not_ok "backtest moonshots $* (exit $?)"
		return
	fi
	# shellcheck disable=SC2086
	"$PY" "$REF" "$tmp/$name" --store "$db" $rngopt >"$tmp/$name.ref" 2>&1
	local rc=$?
	sed 's/^/# /' "$tmp/$name.ref"
	if [ $rc -eq 0 ]; then
		ok "every metric of '$*' = numpy/scipy reference at 1e-9 ($(tail -1 "$tmp/$name.ref" | sed 's/.*: //'))"
	else
		not_ok "metrics of '$*' against the numpy/scipy reference (exit $rc)"
	fi
}

run_case weekly --rebalance weekly
rngopt=   # proved once is enough
run_case next --rebalance weekly --hold next --top 10 --delist-haircut 0.5 \
    --sort volume --order asc --delist-days 5 --seed 7 --bootstrap 2000

# The two runs exercise the delisting and censoring rules of the
# re-simulation (status column of picks.csv).
ncens=$(grep -c ',censored,' "$tmp/weekly/picks.csv" 2>/dev/null)
ndied=$(grep -c ',died,' "$tmp/next/picks.csv" 2>/dev/null)
if [ "${ncens:-0}" -gt 0 ] && [ "${ndied:-0}" -gt 0 ]; then
	ok "the runs include censored ($ncens) and died ($ndied) picks"
else
	not_ok "expected censored and died picks (got ${ncens:-0}, ${ndied:-0})"
fi

# The check is not vacuous: a Sharpe ratio off by a relative 1e-8, or
# intervals drawn with another seed, must fail it.
if [ -f "$tmp/weekly/summary.json" ]; then
	mkdir -p "$tmp/bad1" "$tmp/bad2"
	cp "$tmp/weekly/"*.csv "$tmp/bad1/"
	cp "$tmp/weekly/"*.csv "$tmp/bad2/"
	"$PY" - "$tmp/weekly/summary.json" "$tmp/bad1/summary.json" \
	    "$tmp/bad2/summary.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["metrics"]["portfolio"]["sharpe"] *= 1 + 1e-8
json.dump(d, open(sys.argv[2], "w"))
d = json.load(open(sys.argv[1]))
d["parameters"]["seed"] = 2
d["metrics"]["picks"]["bootstrap_seed"] = 2
json.dump(d, open(sys.argv[3], "w"))
EOF
	"$PY" "$REF" "$tmp/bad1" --quiet >"$tmp/bad1.ref" 2>&1
	rc1=$?
	"$PY" "$REF" "$tmp/bad2" --quiet >"$tmp/bad2.ref" 2>&1
	rc2=$?
	if [ $rc1 -eq 1 ] && grep -q '^FAIL portfolio.sharpe ' "$tmp/bad1.ref" &&
	    [ $rc2 -eq 1 ] && grep -q '^FAIL picks.mean_return_ci95' "$tmp/bad2.ref"; then
		ok "a Sharpe off by 1e-8 and intervals of another seed fail the check"
	else
		cat "$tmp/bad1.ref" "$tmp/bad2.ref"
		not_ok "tampered summaries were not caught (exit $rc1, $rc2)"
	fi
fi

[ $fails -eq 0 ]
