#!/usr/bin/env bash
# tests/backtest/t_html.sh — report.html of `backtest moonshots` on real
# data, and the scheduled weekly report.
#
# On the 2018 all-coin universe (weekly, under $100M, hold 28) and, when
# present, the monthly top-200 snapshots (where many picks "die"):
#   - report.html and every <svg> in it are well-formed XML (python3's
#     xml.etree), with no <script>, no event handler, no src/href/xlink
#     reference outside the report directory (no scheme, no //; http://
#     and https:// only in plain text and the SVG namespace), no external
#     CSS (url(, @import, <link>) and a Content-Security-Policy that
#     forbids loading anything;
#   - the charts are there with their legends; the histogram's bars count
#     exactly the judged picks of picks.csv, bin by bin, recomputed here
#     from the returns (log10(1 + r) bins, total losses apart), and its
#     red part exactly the picks that died; the equity line draws every
#     period with a positive equity; x labels are YYYY-MM;
#   - the page shows summary.json's Sharpe and win rate;
#   - two runs give the same bytes.
# Until ms_bt_write_report writes report.html itself, a small driver
# compiled here against build/libmoonscope.a writes it (same options).
# Then the ExecStart script of infra/systemd/moonscope-backtest-report.service
# and the weekly line of infra/cron.example are run against a scratch
# reports directory holding an earlier report: dated directory, compare.md
# saying PASS (same data), compare.xml, the `latest` link.
set -u
cd "$(dirname "$0")/../.." || exit 1
MS_BIN=${MS_BIN:-$PWD/build/moonscope}
MS_DATA=${MS_DATA:-$PWD/../shared/data}
PY=${PY:-/usr/bin/python3}
U2018=$MS_DATA/pit_universe/cmc_allcoins_daily_2018-01-01_2018-07-02.csv.gz
TOP200=$MS_DATA/pit_universe/cmc_top200_monthly_2020-01_2025-10.csv.gz

if [ ! -r "$U2018" ]; then
	echo "skip: $U2018 is absent (real data folder MS_DATA=$MS_DATA)"
	exit 77
fi
if ! "$PY" -c 'import xml.etree.ElementTree' 2>/dev/null; then
	echo "skip: $PY cannot import xml.etree"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/t_html.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; fail=1; }

# The report of one run into $2 (report.html by the CLI or the driver).
driver=
run_report() {
	local db=$1 dir=$2
	shift 2
	"$MS_BIN" --db "$db" backtest moonshots "$@" --report "$dir" \
	    >"$tmp/out.txt" 2>"$tmp/err.txt" || {
		cat "$tmp/err.txt" >&2
		return 1
	}
	[ -f "$dir/report.html" ] && return 0
	if [ -z "$driver" ]; then
		driver=$tmp/html_driver
		build_driver || return 1
	fi
	"$driver" "$db" "$dir" "$@"
}

build_driver() {
	cat >"$tmp/html_driver.c" <<'EOF'
/* Writes DIR/report.html for `backtest moonshots` options (t_html.sh). */
#include <stdio.h>
#include "cli.h"
#include "ms_error.h"
#include "ms_store.h"
#include "ms_bt.h"
#include "ms_bt_html.h"

int
main(int argc, char **argv)
{
	struct ms_store *st;
	struct ms_bt_params p;
	struct ms_bt_result *r = NULL;
	char err[512], why[160];
	const char *need;
	int rc;

	if (argc < 3 || argc % 2 == 0) {
		fprintf(stderr, "usage: html_driver DB DIR [OPTION VALUE]...\n");
		return 2;
	}
	ms_bt_params_default(&p);
	for (int i = 3; i + 1 < argc; i += 2)
		if (ms_cli_bt_option(argv[i], argv[i + 1], &p, &need) != 1) {
			fprintf(stderr, "html_driver: %s %s\n", argv[i], need);
			return 2;
		}
	if (ms_bt_params_check(&p, why, sizeof(why)) != 0) {
		fprintf(stderr, "html_driver: %s\n", why);
		return 2;
	}
	if ((rc = ms_store_open(argv[1], MS_STORE_RO, &st)) != 0) {
		fprintf(stderr, "html_driver: %s\n", ms_strerror(rc));
		return 1;
	}
	rc = ms_bt_run(st, &p, NULL, NULL, &r);
	ms_store_close(st);
	if (rc != 0) {
		fprintf(stderr, "html_driver: %s\n", ms_strerror(rc));
		return 1;
	}
	rc = ms_bt_write_html(r, argv[2], err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "html_driver: %s\n", err);
	ms_bt_result_free(r);
	return rc != 0;
}
EOF
	# shellcheck disable=SC2046
	cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ishared \
	    -Iingest -Ibacktest -Icli $(pkg-config --cflags libcjson gsl) \
	    "$tmp/html_driver.c" cli/args.c build/libmoonscope.a \
	    $(pkg-config --libs fcgi libcjson sqlite3 zlib gsl libcurl) -lm \
	    -o "$driver" || { echo "cannot build the report.html driver" >&2; return 1; }
	echo "# report.html is not written by ms_bt_write_report yet: written by a driver"
}

# ---- the 2018 universe ----------------------------------------------------
ARGS=(--rebalance weekly --max-market-cap 100000000 --hold 28 --bootstrap 1000)
if ! "$MS_BIN" --db "$tmp/u2018.db" import "$U2018" >"$tmp/import.txt" 2>&1; then
	cat "$tmp/import.txt"
	notok "import $U2018"
	exit 1
fi
if run_report "$tmp/u2018.db" "$tmp/r1" "${ARGS[@]}" &&
    run_report "$tmp/u2018.db" "$tmp/r2" "${ARGS[@]}"; then
	ok "2018 weekly backtest wrote report.html twice"
else
	notok "2018 weekly backtest with report.html"
	exit 1
fi
if cmp -s "$tmp/r1/report.html" "$tmp/r2/report.html"; then
	ok "report.html is byte-identical across two runs ($(wc -c <"$tmp/r1/report.html") bytes)"
else
	notok "report.html differs between two identical runs"
fi

cat >"$tmp/check.py" <<'EOF'
import csv, json, math, re, sys
import xml.etree.ElementTree as ET

SVG = '{http://www.w3.org/2000/svg}'
path, picks_csv, summary_json, label = sys.argv[1:5]
fails = []
def check(cond, what):
    print(('ok - ' if cond else 'not ok - ') + label + ': ' + what)
    if not cond:
        fails.append(what)

html = open(path, encoding='utf-8').read()
# The whole page is well-formed XML (void elements are self-closed).
try:
    root = ET.fromstring(html.replace('<!DOCTYPE html>', '', 1))
    check(True, 'report.html parses as XML')
except ET.ParseError as e:
    root = None
    check(False, 'report.html parses as XML: %s' % e)
svgs = re.findall(r'<svg\b.*?</svg>', html, re.S)
trees = []
for i, s in enumerate(svgs):
    try:
        trees.append(ET.fromstring(s))
    except ET.ParseError as e:
        check(False, 'svg %d parses: %s' % (i, e))
check(len(svgs) >= 4 and len(trees) == len(svgs),
      '%d <svg> elements, each well-formed XML' % len(svgs))

# Nothing runs and nothing is fetched.
low = html.lower()
check('<script' not in low, 'no <script>')
for tag in ('<link', '<img', '<iframe', '<object', '<embed', '<image',
            '<use', '<foreignobject', '<audio', '<video', '<source'):
    check(tag not in low, 'no %s>' % tag)
check('url(' not in low and '@import' not in low, 'no url( or @import in CSS')
check(not re.search(r'\s(src|href|xlink:href|action|srcset|poster|data)\s*=\s*'
                   r'["\']?\s*([a-z][a-z0-9+.-]*:|//)', low),
      'no src/href/action attribute with a scheme or //')
check(not re.search(r'\son[a-z]+\s*=', low), 'no event handler attribute')
if root is not None:
    bad = []
    for el in root.iter():
        for k, v in el.attrib.items():
            # Only relative references (a file of the report) may appear.
            if 'http' in v or (k.endswith(('href', 'src')) and
                               re.match(r'\s*([a-z][a-z0-9+.-]*:|//)', v, re.I)):
                bad.append((el.tag, k, v))
    check(not bad, 'http:// and https:// only in text and xmlns %s' % bad[:3])
    csp = [m for m in root.iter('meta') if m.get('http-equiv') ==
           'Content-Security-Policy']
    check(len(csp) == 1 and "default-src 'none'" in csp[0].get('content', ''),
          "Content-Security-Policy default-src 'none'")

def title(t):
    el = t.find(SVG + 'title')
    return el.text if el is not None else ''

def texts(t):
    return [e.text or '' for e in t.iter(SVG + 'text')]

charts = {title(t): t for t in trees}
eq = charts.get('Growth of 1 (log scale)')
dd = charts.get('Drawdown from the running high')
hi = charts.get('Net return per pick (log scale of 1 + r)')
check(eq is not None and dd is not None and hi is not None,
      'equity, drawdown and pick-return charts: %s' % sorted(charts))
for name, t in (('equity', eq), ('drawdown', dd)):
    if t is None:
        continue
    tx = texts(t)
    for leg in ('moonshot picks (net of costs)', 'universe basket (gross)'):
        check(leg in tx, '%s legend has %r' % (name, leg))
    check(any(x.endswith('(buy and hold)') for x in tx),
          '%s legend names the benchmark' % name)
    dates = [x for x in tx if re.fullmatch(r'\d{4}-\d{2}(-\d{2})?', x)]
    check(len(dates) >= 3 and all(re.fullmatch(r'\d{4}-\d{2}', x) for x in dates),
          '%s x labels are YYYY-MM: %s' % (name, dates))
if dd is not None:
    check(any(x.endswith('%') for x in texts(dd)), 'drawdown y labels in %')

picks = list(csv.DictReader(open(picks_csv)))
summary = json.load(open(summary_json))
judged = [p for p in picks if p['return_net'] != '']
rets = [float(p['return_net']) for p in judged]
died = [p['status'] == 'died' for p in judged]

if eq is not None:
    # The picks' line: every period with a positive equity is a vertex
    # (of a polyline) or a dot (a lone point).
    import os
    periods = list(csv.DictReader(open(os.path.join(os.path.dirname(path),
                                                    'periods.csv'))))
    pos = sum(1 for p in periods if p['equity'] != '' and float(p['equity']) > 0)
    g = [s for s in eq.iter(SVG + 'g') if s.get('class') == 'series'][0]
    pts = sum(len(pl.get('points').split()) for pl in g.iter(SVG + 'polyline'))
    pts += sum(1 for c in g.iter(SVG + 'circle'))
    check(pts == pos, 'equity line draws the %d periods with equity > 0 (%d)'
          % (pos, pts))

if hi is not None:
    bars = [r for r in hi.iter(SVG + 'rect') if r.get('class') == 'bar']
    marked = [r for r in hi.iter(SVG + 'rect') if r.get('class') == 'bar-marked']
    counts = [int(r.get('data-count')) for r in bars]
    check(sum(counts) == len(rets),
          'histogram bars hold the %d judged picks (%d)' % (len(rets), sum(counts)))
    check(sum(int(r.get('data-count')) for r in marked) == sum(died),
          'red parts hold the %d picks that died' % sum(died))
    check('picks (%d)' % len(rets) in texts(hi) and
          'died (%d)' % sum(died) in texts(hi), 'legend counts picks and died')
    # The bins, recomputed: about 2 sqrt(n) (10..40) equal bins in
    # log10(1 + r) over the range of the returns above -100 %; returns
    # <= -100 % in the bar at the left. Empty bins are not drawn.
    n = len(rets)
    k = min(40, max(10, math.ceil(2 * math.sqrt(n))))
    u = [math.log10(1 + r) for r in rets if r > -1]
    loss = sum(1 for r in rets if r <= -1)
    lo, hi_ = min(u), max(u)
    w = (hi_ - lo) / k
    want = [0] * k
    for x in u:
        q = math.floor((x - lo) / w)
        want[min(max(q, 0), k - 1)] += 1
    want = ([loss] if loss else []) + [c for c in want if c]
    check(counts == want, 'bin counts equal the hand count %s (got %s)'
          % (want, counts))

m = summary['metrics']
sharpe = m['portfolio']['sharpe']
if sharpe is not None:
    check('>%.2f<' % sharpe in html, 'page shows Sharpe %.2f' % sharpe)
wr = m['picks']['win_rate']
if wr is not None:
    check('>%.1f%%<' % (100 * wr) in html, 'page shows win rate %.1f%%' % (100 * wr))
sys.exit(1 if fails else 0)
EOF

"$PY" "$tmp/check.py" "$tmp/r1/report.html" "$tmp/r1/picks.csv" \
    "$tmp/r1/summary.json" 2018 || fail=1

# ---- the monthly top-200 snapshots: picks that die ------------------------
if [ -r "$TOP200" ]; then
	T_ARGS=(--from 2020-02-01 --to 2025-09-01 --rebalance monthly --hold next
	    --delist-days 45 --bootstrap 1000)
	if "$MS_BIN" --db "$tmp/top200.db" import "$TOP200" >/dev/null 2>&1 &&
	    run_report "$tmp/top200.db" "$tmp/t1" "${T_ARGS[@]}"; then
		ndied=$(grep -c ',died,' "$tmp/t1/picks.csv")
		if [ "$ndied" -gt 0 ]; then
			ok "top-200 monthly run has $ndied picks that died"
		else
			notok "top-200 monthly run has no died pick to draw"
		fi
		"$PY" "$tmp/check.py" "$tmp/t1/report.html" "$tmp/t1/picks.csv" \
		    "$tmp/t1/summary.json" top200 || fail=1
	else
		notok "top-200 monthly backtest with report.html"
	fi
else
	echo "# skipped the top-200 part: $TOP200 is absent"
fi

# ---- the weekly report job: systemd unit and cron line --------------------
# Each gets a reports directory holding an earlier report (the first run
# above, under a past date), so it must compare against it.
UNIT=infra/systemd/moonscope-backtest-report.service
script=$("$PY" - "$UNIT" <<'EOF'
import sys
text = open(sys.argv[1]).read().replace('\\\n', ' ')
for line in text.splitlines():
    if line.startswith('ExecStart='):
        cmd = line[len('ExecStart='):]
        pre = "/bin/sh -c '"
        assert cmd.startswith(pre) and cmd.rstrip().endswith("'"), cmd
        print(cmd[len(pre):cmd.rstrip().rindex("'")].replace('$$', '$').replace('%%', '%'))
EOF
)
btargs=$(sed -n 's/^Environment="MOONSCOPE_BT_ARGS=\(.*\)"$/\1/p' "$UNIT")
# The job's report is the one `latest` points at: today's (UTC) date, read
# from the link so that a run across midnight does not confuse the check.
check_job() {
	local name=$1 dir=$2 link out
	link=$(readlink "$dir/latest" 2>/dev/null)
	out=$dir/$link
	if [[ $link =~ ^moonshots-[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] &&
	    [ "$link" != moonshots-2000-01-03 ] && [ -f "$out/summary.json" ] &&
	    head -n 1 "$out/compare.md" 2>/dev/null | grep -q PASS &&
	    grep -q '<testsuite' "$out/compare.xml" 2>/dev/null; then
		ok "$name: dated report $link, compare.md PASS against the earlier one, compare.xml, latest link"
	else
		notok "$name: expected a dated report with compare.md (PASS), compare.xml and the latest link"
		ls -lR "$dir" | head -20
	fi
}
if [ -z "$script" ] || [ -z "$btargs" ]; then
	notok "$UNIT: no ExecStart script or MOONSCOPE_BT_ARGS"
else
	mkdir -p "$tmp/reports/moonshots-2000-01-03"
	"$MS_BIN" --db "$tmp/u2018.db" backtest moonshots $btargs \
	    --report "$tmp/reports/moonshots-2000-01-03" >/dev/null 2>&1
	if MOONSCOPE="$MS_BIN" MOONSCOPE_DB="$tmp/u2018.db" \
	    MOONSCOPE_REPORTS="$tmp/reports" MOONSCOPE_BT_ARGS="$btargs" \
	    MOONSCOPE_REPORT_FAIL_ON_DEGRADED=1 \
	    sh -c "$script" >"$tmp/unit.out" 2>"$tmp/unit.err"; then
		check_job "$UNIT script" "$tmp/reports"
	else
		cat "$tmp/unit.err"
		notok "$UNIT script failed"
	fi
	# An earlier report with a better Sharpe: today's is degraded. It is
	# recorded (compare.md FAIL, exit 0) unless the unit is told to fail.
	mkdir -p "$tmp/dreports/moonshots-2000-01-03"
	"$PY" - "$tmp/reports/moonshots-2000-01-03/summary.json" \
	    "$tmp/dreports/moonshots-2000-01-03/summary.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d['metrics']['portfolio']['sharpe'] += 1
json.dump(d, open(sys.argv[2], 'w'))
EOF
	for failon in 0 1; do
		MOONSCOPE="$MS_BIN" MOONSCOPE_DB="$tmp/u2018.db" \
		    MOONSCOPE_REPORTS="$tmp/dreports" MOONSCOPE_BT_ARGS="$btargs" \
		    MOONSCOPE_REPORT_FAIL_ON_DEGRADED=$failon \
		    sh -c "$script" >"$tmp/unit.out" 2>"$tmp/unit.err"
		rc=$?
		link=$(readlink "$tmp/dreports/latest" 2>/dev/null)
		if head -n 1 "$tmp/dreports/${link:-none}/compare.md" 2>/dev/null |
		    grep -q FAIL && [ "$rc" -eq "$failon" ] &&
		    grep -q 'compared with' "$tmp/unit.out"; then
			ok "$UNIT script, degraded Sharpe, FAIL_ON_DEGRADED=$failon: compare.md FAIL, exit $rc"
		else
			notok "$UNIT script, degraded Sharpe, FAIL_ON_DEGRADED=$failon: exit $rc, link '${link}'"
		fi
		rm -f "$tmp/dreports/latest"
	done
fi

CRON=infra/cron.example
cronline=$(grep -E '^0 3 \* \* 1 ' "$CRON" | sed -E 's/^([^ ]+ +){5}[^ ]+ +//; s/>>[^ ]*report\.log 2>&1$//; s/\\%/%/g')
if [ -z "$cronline" ]; then
	notok "$CRON: no weekly line"
else
	mkdir -p "$tmp/creports/moonshots-2000-01-03" "$tmp/bin"
	cp "$tmp/reports/moonshots-2000-01-03/summary.json" "$tmp/creports/moonshots-2000-01-03/"
	ln -s "$MS_BIN" "$tmp/bin/moonscope"
	if PATH="$tmp/bin:$PATH" MOONSCOPE_DB="$tmp/u2018.db" \
	    MOONSCOPE_REPORTS="$tmp/creports" \
	    sh -c "${cronline/flock -n \/var\/lib\/moonscope\/.report.lock /flock -n $tmp/report.lock }" \
	    >"$tmp/cron.out" 2>&1; then
		check_job "$CRON weekly line" "$tmp/creports"
	else
		cat "$tmp/cron.out"
		notok "$CRON weekly line failed"
	fi
fi

exit "$fail"
