"""Helpers of bench/run.sh: wrk output parsing, body comparison, summary.

  report.py wrk FILE            one TSV line: rps p50_ms p99_ms non2xx errors
                                requests
  report.py cputicks PID...     CPU time (user+system, clock ticks) used so
                                far by the PIDs and all their descendants
  report.py compare A B         exit 0 when the bodies in files A and B
                                are byte-identical once the value of
                                meta.request_id (and a problem's
                                urn:request:...) is blanked out; else
                                print where they differ, exit 1
  report.py latency URL N SECS BODY
                                N sequential GETs of URL on one keep-alive
                                connection (fewer if SECS seconds run out,
                                at least 5); one TSV line: count,
                                median, p90, min, max (ms), body bytes;
                                the last body goes to file BODY; exit 1
                                unless every answer is 200
  report.py facts NAME BODY     one line on what the analytics answer in
                                file BODY holds (for the record)
  report.py run LOG CMD...      runs CMD (output to file LOG); one TSV
                                line: wall s, CPU s (user+system, CMD and
                                its children), peak RSS KiB; exit status
                                of CMD
  report.py cpubusy SECS        the share of all CPUs busy (not idle or
                                iowait) over the next SECS seconds, in %
  report.py cpusnap PID         "busy tree ns": CPU ticks the machine has
                                spent busy so far, ticks PID's process
                                tree has used (live processes with their
                                reaped children), and the time
  report.py others S0 S1        from two cpusnap lines: the share of the
                                machine (all CPUs, in %) that processes
                                outside the tree used in between
  report.py summary DIR         the final tables from the TSV files run.sh
                                writes in DIR

Figures are medians over the runs of each setup, taken separately for
req/s, p50 and p99 (so one row's three numbers may come from different
runs). Ratios are of median req/s, both measured in the same run of
`make bench`.
"""

import http.client
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
import urllib.parse

_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text.strip())
    if not m:
        return float("nan")
    return float(m.group(1)) * _UNIT_MS[m.group(2)]


def parse_wrk(path):
    """(rps, p50 ms, p99 ms, non-2xx/3xx count, socket errors, requests)."""
    rps = p50 = p99 = float("nan")
    non2xx = errors = requests = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            s = line.strip()
            if s.startswith("Requests/sec:"):
                rps = float(s.split()[1])
            elif s.startswith("50%"):
                p50 = _ms(s.split()[1])
            elif s.startswith("99%"):
                p99 = _ms(s.split()[1])
            elif s.startswith("Non-2xx or 3xx responses:"):
                non2xx = int(s.split(":")[1])
            elif s.startswith("Socket errors:"):
                errors = sum(int(x) for x in re.findall(r"[0-9]+", s))
            elif " requests in " in s:
                requests = int(s.split()[0])
    return rps, p50, p99, non2xx, errors, requests


def cputicks(roots):
    """utime+stime of roots and their descendants, in clock ticks."""
    parent, ticks = {}, {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d, "rb") as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rfind(b")") + 2:].split()
        # fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
        parent[int(d)] = int(fields[1])
        ticks[int(d)] = int(fields[11]) + int(fields[12])
    keep = set(roots)
    changed = True
    while changed:
        changed = False
        for p, pp in parent.items():
            if pp in keep and p not in keep:
                keep.add(p)
                changed = True
    return sum(ticks.get(p, 0) for p in keep)


_REQUEST_ID = re.compile(rb'("request_id":)"[^"]*"|(urn:request:)[^"]*')


def _blank_ids(body):
    return _REQUEST_ID.sub(lambda m: (m.group(1) or m.group(2)) +
                           (b'""' if m.group(1) else b""), body)


def _diff(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            out.append("%s: keys %s != %s" % (path, list(a), list(b)))
        for k in a:
            if k in b:
                _diff(a[k], b[k], "%s.%s" % (path, k), out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            _diff(x, y, "%s[%d]" % (path, i), out)
    elif type(a) is not type(b) or a != b:
        out.append("%s: %r != %r" % (path, a, b))


def compare(path_a, path_b):
    """Byte equality of two bodies but for the request id."""
    with open(path_a, "rb") as f:
        a = _blank_ids(f.read().strip())
    with open(path_b, "rb") as f:
        b = _blank_ids(f.read().strip())
    if a == b:
        return 0
    i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]),
             min(len(a), len(b)))
    print("  bodies differ at byte %d:" % i)
    print("    %r" % a[max(0, i - 60):i + 60])
    print("    %r" % b[max(0, i - 60):i + 60])
    out = []
    try:
        # int and float kept apart: 8103660032 and 8103660032.0 differ.
        _diff(json.loads(a), json.loads(b), "$", out)
    except ValueError as e:
        out.append("not JSON: %s" % e)
    for line in out[:40]:
        print("  " + line)
    return 1


def latency(url, n, secs, body_path):
    """Sequential GETs on one keep-alive connection, timed one by one."""
    u = urllib.parse.urlsplit(url)
    target = u.path + ("?" + u.query if u.query else "")
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    times = []
    body = b""
    t_end = time.perf_counter() + secs
    while len(times) < n and (len(times) < 5 or time.perf_counter() < t_end):
        t0 = time.perf_counter()
        conn.request("GET", target)
        r = conn.getresponse()
        body = r.read()
        dt = time.perf_counter() - t0
        if r.status != 200:
            sys.stderr.write("latency: %s answered %d: %s\n"
                             % (url, r.status, body[:300]))
            return 1
        times.append(dt * 1e3)
    conn.close()
    with open(body_path, "wb") as f:
        f.write(body)
    q = sorted(times)
    p90 = q[min(len(q) - 1, int(round(0.9 * (len(q) - 1))))]
    print("\t".join(str(x) for x in (len(q), "%.3f" % statistics.median(q),
                                      "%.3f" % p90, "%.3f" % q[0],
                                      "%.3f" % q[-1], len(body))))
    return 0


def facts(name, path):
    """What an analytics answer holds, in a few words."""
    with open(path, "rb") as f:
        doc = json.load(f)
    d, meta = doc.get("data"), doc.get("meta", {})
    pg = meta.get("pagination") or {}
    if name == "moonshots":
        return ("universe %s, %s pass the screen, %d picks on page 1"
                % (d.get("universe"), d.get("matched"),
                   len(d.get("picks") or [])))
    if name == "grades":
        return "%d of %s graded assets on page 1" % (len(d), pg.get("total"))
    if name == "forecast":
        f0 = (d.get("forecasts") or [{}])[0]
        g = (f0.get("inputs") or {}).get("garch") or {}
        return ("%s days of returns; garch fit converged %s in %s "
                "iterations, persistence %.4f; forecast used %s (%s)"
                % ((f0.get("inputs") or {}).get("observations"),
                   g.get("converged"), g.get("iterations"),
                   g.get("persistence") or float("nan"), f0.get("used"),
                   f0.get("method")))
    if name == "target":
        parts = []
        for p in d.get("probabilities") or []:
            hz = p.get("horizons") or [{}]
            parts.append("%s->%s %s" % (p.get("model"), p.get("used"),
                                        hz[-1].get("method")))
        return ("required multiple %.0f; models: %s"
                % (d.get("required_multiple") or float("nan"),
                   ", ".join(parts)))
    return ""


def run(log, argv):
    """Wall time, CPU time and peak RSS of one command."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with open(log, "wb") as f:
        rc = subprocess.call(argv, stdout=f, stderr=subprocess.STDOUT)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    print("%.3f\t%.3f\t%d" % (wall, cpu, r1.ru_maxrss))
    return rc


def _cpu_times():
    with open("/proc/stat", encoding="ascii") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + (v[4] if len(v) > 4 else 0)
    return sum(v[:8]), idle


def _tree_ticks(root):
    """utime+stime+cutime+cstime over root and its live descendants: what
    the tree has used, including its exited and reaped processes."""
    parent, ticks = {}, {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d, "rb") as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rfind(b")") + 2:].split()
        parent[int(d)] = int(fields[1])
        ticks[int(d)] = sum(int(x) for x in fields[11:15])
    keep = {root}
    changed = True
    while changed:
        changed = False
        for p, pp in parent.items():
            if pp in keep and p not in keep:
                keep.add(p)
                changed = True
    return sum(ticks.get(p, 0) for p in keep)


def cpusnap(root):
    # Busy as user + nice + system only: time in interrupts and softirqs
    # (loopback networking under wrk) is not charged to any process, so it
    # would show up as "others"; steal time is not other processes either.
    with open("/proc/stat", encoding="ascii") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return "%d %d %d" % (v[0] + v[1] + v[2], _tree_ticks(root),
                         time.time_ns())


def others(s0, s1):
    b0, t0, n0 = (int(x) for x in s0.split())
    b1, t1, n1 = (int(x) for x in s1.split())
    hz = os.sysconf("SC_CLK_TCK")
    avail = (n1 - n0) / 1e9 * hz * (os.cpu_count() or 1)
    if avail <= 0:
        return float("nan")
    return max(0.0, 100.0 * ((b1 - b0) - (t1 - t0)) / avail)


def cpubusy(secs):
    t0, i0 = _cpu_times()
    time.sleep(secs)
    t1, i1 = _cpu_times()
    return 100.0 * (1.0 - (i1 - i0) / max(1, t1 - t0))


def _read_tsv(path):
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                rows.append(line.rstrip("\n").split("\t"))
    return rows


def _fmt(v, spec):
    return "n/a" if v != v else format(v, spec)


LABELS = {
    "static": "lighttpd, the same JSON as a static file",
    "fastapi": "FastAPI + uvicorn, 2 workers (same route, same store)",
    "fastapi_const": "extra: FastAPI + uvicorn, 2 workers, constant body, no DB",
    "fastapi_idiom": "extra: FastAPI, same route written the common way "
                     "(def, dict return)",
}


def _label(key):
    if key.startswith("msp"):
        return ("moonscope: lighttpd mod_fastcgi + spawn-fcgi pool "
                "(infra/fcgi-pool.sh), %s responders on one socket" % key[3:])
    if key.startswith("ms"):
        return "moonscope: lighttpd mod_fastcgi, %s responders" % key[2:]
    return LABELS.get(key, key)


def _skipped(d, name, what, lines):
    p = os.path.join(d, name + ".skip")
    if os.path.exists(p):
        with open(p, encoding="utf-8") as f:
            lines.append("%s: skipped (%s)" % (what, f.read().strip()))
        lines.append("")


def _sum_import(d, lines, final):
    imp = _read_tsv(os.path.join(d, "import.tsv"))
    if not imp:
        _skipped(d, "import", "Import", lines)
        return
    secs = [float(r[1]) for r in imp]
    rows = [int(r[2]) for r in imp]
    med = statistics.median(secs)
    stored = imp[0][3]
    lines.append("Import of the 2018 universe file (%s runs, fresh store "
                 "each):" % len(secs))
    lines.append("")
    lines.append("| figure | value |")
    lines.append("|---|---:|")
    lines.append("| rows in file | {:,} |".format(rows[0]))
    lines.append("| rows stored (bars) | %s |" % stored)
    lines.append("| wall time, median | %.2f s |" % med)
    lines.append("| wall times | %s |" %
                 ", ".join("%.2f s" % s for s in secs))
    lines.append("| rows/s, median | {:,.0f} |".format(rows[0] / med))
    lines.append("| target < 5 s | %s |" % ("met" if med < 5 else "MISSED"))
    lines.append("")
    final.append(("import of the 2018 universe ({:,} rows), median"
                  .format(rows[0]),
                  "%.2f s, %s rows/s" % (med, "{:,.0f}".format(
                      rows[0] / med)),
                  "< 5 s: " + ("met" if med < 5 else "MISSED")))


def _sum_asset(d, lines, final):
    http = _read_tsv(os.path.join(d, "http.tsv"))
    if not http:
        _skipped(d, "http", "GET /v1/assets/{id}", lines)
        return
    # key, case, run, rps, p50, p99, non2xx, errors, requests, cpu us/req,
    # others %
    groups = {}
    order = []
    for row in http:
        key, case = row[0], row[1]
        g = (key, case)
        if g not in groups:
            groups[g] = []
            order.append(g)
        groups[g].append((float(row[3]), float(row[4]), float(row[5]),
                          int(row[6]), int(row[7]), float(row[9]),
                          float(row[10]) if len(row) > 10 else float("nan")))
    hm = {}
    for g, runs in groups.items():
        hm[g] = {"rps": statistics.median(r[0] for r in runs),
                 "p50": statistics.median(r[1] for r in runs),
                 "p99": statistics.median(r[2] for r in runs),
                 "fail": sum(r[3] + r[4] for r in runs),
                 "cpu": statistics.median(r[5] for r in runs),
                 "others": max(r[6] for r in runs),
                 "n": len(runs)}
    cases = []
    for _k, c in order:
        if c not in cases:
            cases.append(c)
    static = hm.get(("static", "latest"))
    warn = False
    for case in cases:
        path = _case_path(d, case)
        lines.append("GET %s (medians of %d runs; \"others\": the largest "
                     "share of the machine other processes took during one of "
                     "them):" % (path, hm[order[0]]["n"]))
        lines.append("")
        lines.append("| setup | req/s | p50 ms | p99 ms | server CPU us/req "
                     "| others, max % |")
        lines.append("|---|---:|---:|---:|---:|---:|")
        keys = [k for k, c in order if c == case]
        if case != "latest" and static is not None:
            keys.append("static")
        for k in keys:
            m = hm.get((k, case)) or hm.get((k, "latest"))
            flag = ""
            if m["fail"]:
                flag = " (!)"
                warn = True
            label = _label(k)
            if k == "static" and case != "latest":
                label += " (the latest body)"
            lines.append("| %s%s | %s | %s | %s | %s | %s |" % (
                label, flag, _fmt(m["rps"], ",.0f"), _fmt(m["p50"], ".2f"),
                _fmt(m["p99"], ".2f"), _fmt(m["cpu"], ".0f"),
                _fmt(m["others"], ".0f")))
        lines.append("")
        fa = hm.get(("fastapi", case))
        for k in keys:
            if not k.startswith("ms"):
                continue
            m = hm[(k, case)]
            parts = []
            who = ("%s pooled" % k[3:]) if k.startswith("msp") else k[2:]
            if fa:
                r = m["rps"] / fa["rps"]
                parts.append("moonscope/fastapi = %.2f" % r)
                final.append(("%s, %s responders / FastAPI 2 workers (req/s)"
                              % (path, who), "%.2f" % r,
                              ">= 1.0: " + ("met" if r >= 1.0 else "MISSED")))
                if m["cpu"] > 0:
                    parts.append("FastAPI/moonscope server CPU per request"
                                 " = %.2f" % (fa["cpu"] / m["cpu"]))
                    final.append(("%s, %s responders: FastAPI / moonscope "
                                  "server CPU per request" % (path, who),
                                  "%.2f" % (fa["cpu"] / m["cpu"]),
                                  "(the steadier figure)"))
            if static:
                r = m["rps"] / static["rps"]
                parts.append("moonscope/static = %.3f" % r)
            lines.append("- %s responders: %s" % (who, "; ".join(parts)))
        lines.append("")
    if warn:
        lines.append("(!) some requests failed (non-2xx answers or socket "
                     "errors); see the raw wrk output.")
        lines.append("")


def _sum_analytics(d, lines, final):
    lat = _read_tsv(os.path.join(d, "latency.tsv"))
    tput = _read_tsv(os.path.join(d, "tput.tsv"))
    if not lat and not tput:
        _skipped(d, "analytics", "Analytics routes", lines)
        return
    if lat:
        lines.append("Analytics routes, latency of sequential requests "
                     "(one keep-alive connection, nothing else in flight):")
        lines.append("")
        lines.append("| request | n | median ms | p90 ms | min ms | max ms "
                     "| body bytes | others % |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        # name, path, n, median, p90, min, max, bytes, others, facts
        for r in lat:
            lines.append("| `GET %s` | %s | %s | %s | %s | %s | {:,} | %s |"
                         .format(int(r[7])) % (tuple(r[1:7]) + (r[8],)))
        lines.append("")
        for r in lat:
            lines.append("- %s: %s" % (r[0], r[9]))
            final.append(("`%s` latency, median of %s sequential" %
                          (r[1], r[2]), "%s ms" % r[3],
                          "(no numeric target; issue 4)"))
        lines.append("")
    if tput:
        lines.append("Analytics routes under load (wrk, see the command "
                     "line in the raw output):")
        lines.append("")
        lines.append("| request | responders | req/s | p50 ms | p99 ms "
                     "| server CPU ms/req | others % |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|")
        # name, path, procs, rps, p50, p99, non2xx, errors, requests, cpu,
        # others
        for r in tput:
            flag = " (!)" if int(r[6]) + int(r[7]) else ""
            cpu = float(r[9])
            lines.append("| `GET %s`%s | %s | %s | %s | %s | %s | %s |" % (
                r[1], flag, r[2], _fmt(float(r[3]), ",.1f"),
                _fmt(float(r[4]), ".1f"), _fmt(float(r[5]), ".1f"),
                _fmt(cpu / 1000.0, ".1f"), r[10]))
            final.append(("`%s` throughput, %s responders" % (r[1], r[2]),
                          "%s req/s" % _fmt(float(r[3]), ",.1f"),
                          "(no numeric target; issue 4)"))
        lines.append("")


def _sum_garch(d, lines, final):
    runs = _read_tsv(os.path.join(d, "garch.tsv"))
    if not runs:
        _skipped(d, "garch", "tests/forecast/bench_garch.c", lines)
        return
    lines.append("GARCH(1,1) in C, no HTTP (tests/forecast/bench_garch.c, "
                 "1,001 closes = 1,000 returns; medians of its repeats):")
    lines.append("")
    for name, path in runs:
        lines.append("%s:" % name)
        lines.append("")
        lines.append("```")
        with open(path, encoding="utf-8") as f:
            text = f.read().rstrip()
        lines.append(text)
        lines.append("```")
        lines.append("")
        m = re.search(r"fit \+ 30-day forecast, closed form: ([0-9.]+) ms",
                      text)
        if m:
            final.append(("garch fit + 30-day forecast, %s, pure C" % name,
                          "%s ms" % m.group(1),
                          "(no numeric target; issue 4)"))


def _sum_daily(d, lines, final):
    rows = _read_tsv(os.path.join(d, "daily.tsv"))
    if not rows:
        _skipped(d, "daily", "moonscope daily", lines)
        return
    # kind, days, run, wall, cpu, maxrss kB, command, last output line,
    # others %
    lines.append("`moonscope daily` over the majors + 2018 universe store "
                 "(a fresh copy of the store for each run):")
    lines.append("")
    lines.append("| command | runs | wall s, median (runs) | CPU s, median "
                 "| peak RSS MiB | per day | others, max % |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|")
    kinds = []
    for r in rows:
        if r[0] not in kinds:
            kinds.append(r[0])
    for k in kinds:
        rs = [r for r in rows if r[0] == k]
        days = int(rs[0][1])
        walls = [float(r[3]) for r in rs]
        wall = statistics.median(walls)
        cpu = statistics.median(float(r[4]) for r in rs)
        rss = max(int(r[5]) for r in rs) / 1024.0
        oth = max(float(r[8]) for r in rs) if len(rs[0]) > 8 else float("nan")
        lines.append("| `%s` | %d | %.2f (%s) | %.2f | %.0f | %.3f s | %s |"
                     % (rs[0][6], len(rs), wall,
                        ", ".join("%.2f" % w for w in walls), cpu, rss,
                        wall / days, _fmt(oth, ".0f")))
        final.append(("`%s`, wall, median of %d" % (rs[0][6], len(rs)),
                      "%.2f s (%.3f s/day)" % (wall, wall / days)
                      if days > 1 else "%.2f s" % wall,
                      "(no numeric target; issue 4)"))
    lines.append("")
    for k in kinds:
        rs = [r for r in rows if r[0] == k]
        lines.append("- `%s` printed: %s" % (rs[0][6], rs[0][7]))
    lines.append("")


def _sum_load(d, lines):
    rows = _read_tsv(os.path.join(d, "load.tsv"))
    if not rows:
        return
    lines.append("Load of the machine: the load average (1, 5, 15 min; this "
                 "run's own processes included) when each part started, and "
                 "the share of the machine (both CPUs) that processes "
                 "outside this run used during the part:")
    lines.append("")
    lines.append("| part | load average at its start | others during it, % |")
    lines.append("|---|---|---:|")
    for i, r in enumerate(rows):
        o = "–"
        if i + 1 < len(rows) and len(r) > 2 and len(rows[i + 1]) > 2:
            o = _fmt(others(r[2], rows[i + 1][2]), ".0f")
        lines.append("| %s | %s | %s |" % (r[0], r[1], o))
    lines.append("")


def summary(d):
    lines, final = [], []
    _sum_import(d, lines, final)
    _sum_asset(d, lines, final)
    _sum_analytics(d, lines, final)
    _sum_garch(d, lines, final)
    _sum_daily(d, lines, final)
    _sum_load(d, lines)
    _final(lines, final)
    print("\n".join(lines))
    return 0


def _final(lines, final):
    if not final:
        return
    lines.append("Summary:")
    lines.append("")
    lines.append("| figure | value | target |")
    lines.append("|---|---:|---|")
    for f in final:
        lines.append("| %s | %s | %s |" % f)


def _case_path(d, case):
    p = os.path.join(d, "case-" + case + ".path")
    if os.path.exists(p):
        with open(p, encoding="utf-8") as f:
            return f.read().strip()
    return case


def main(argv):
    if len(argv) == 3 and argv[1] == "wrk":
        print("\t".join(str(x) for x in parse_wrk(argv[2])))
        return 0
    if len(argv) >= 3 and argv[1] == "cputicks":
        print(cputicks([int(x) for x in argv[2:]]))
        return 0
    if len(argv) == 4 and argv[1] == "compare":
        return compare(argv[2], argv[3])
    if len(argv) == 6 and argv[1] == "latency":
        return latency(argv[2], int(argv[3]), float(argv[4]), argv[5])
    if len(argv) == 4 and argv[1] == "facts":
        print(facts(argv[2], argv[3]))
        return 0
    if len(argv) == 3 and argv[1] == "cpubusy":
        print("%.0f" % cpubusy(float(argv[2])))
        return 0
    if len(argv) == 3 and argv[1] == "cpusnap":
        print(cpusnap(int(argv[2])))
        return 0
    if len(argv) == 4 and argv[1] == "others":
        print("%.0f" % others(argv[2], argv[3]))
        return 0
    if len(argv) >= 4 and argv[1] == "run":
        return run(argv[2], argv[3:])
    if len(argv) == 3 and argv[1] == "summary":
        return summary(argv[2])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
