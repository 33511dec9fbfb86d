"""Helpers of bench/run.sh: wrk output parsing, body comparison, summary.

  report.py wrk FILE            one TSV line: rps p50_ms p99_ms non2xx errors
                                requests
  report.py cputicks PID...     CPU time (user+system, clock ticks) used so
                                far by the PIDs and all their descendants
  report.py compare A B         exit 0 when the JSON bodies in files A and B
                                are identical except meta.request_id (and
                                numbers within DBL_EPSILON relative, the
                                precision cJSON prints); else print the
                                differences, exit 1
  report.py summary DIR         the final tables from DIR/import.tsv and
                                DIR/http.tsv (as written by run.sh)

Figures are medians over the runs of each setup, taken separately for
req/s, p50 and p99 (so one row's three numbers may come from different
runs). Ratios are of median req/s, both measured in the same run of
`make bench`.
"""

import json
import os
import re
import statistics
import sys

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


def _strip(doc):
    if isinstance(doc, dict) and isinstance(doc.get("meta"), dict):
        doc["meta"].pop("request_id", None)
    return doc


_ROUNDED = [0]


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _diff(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a:
                out.append("%s.%s: only in second: %r" % (path, k, b[k]))
            elif k not in b:
                out.append("%s.%s: only in first: %r" % (path, k, a[k]))
            else:
                _diff(a[k], b[k], "%s.%s" % (path, k), out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            _diff(x, y, "%s[%d]" % (path, i), out)
    elif _is_num(a) and _is_num(b):
        # 1 and 1.0 are the same JSON number. cJSON prints a double with 15
        # significant digits whenever that reads back within DBL_EPSILON
        # (relative) of it, so moonscope's numbers may differ from Python's
        # shortest exact repr in the last bits: that much is allowed, and
        # counted.
        if a != b:
            if abs(a - b) <= max(abs(a), abs(b)) * sys.float_info.epsilon:
                _ROUNDED[0] += 1
            else:
                out.append("%s: %r != %r" % (path, a, b))
    elif a != b or isinstance(a, bool) != isinstance(b, bool):
        out.append("%s: %r != %r" % (path, a, b))


def compare(path_a, path_b):
    with open(path_a, "rb") as f:
        a = _strip(json.load(f))
    with open(path_b, "rb") as f:
        b = _strip(json.load(f))
    out = []
    _diff(a, b, "$", out)
    for line in out[:40]:
        print("  " + line)
    if not out and _ROUNDED[0]:
        print("  (%d numbers differ only in the last bit: cJSON's 15-digit "
              "printing)" % _ROUNDED[0])
    return 0 if not out else 1


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
    if key.startswith("ms"):
        return "moonscope: lighttpd mod_fastcgi, %s responders" % key[2:]
    return LABELS.get(key, key)


def summary(d):
    lines = []
    imp = _read_tsv(os.path.join(d, "import.tsv"))
    if imp:
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
    elif os.path.exists(os.path.join(d, "import.skip")):
        with open(os.path.join(d, "import.skip"), encoding="utf-8") as f:
            lines.append("Import: skipped (%s)" % f.read().strip())
        lines.append("")

    http = _read_tsv(os.path.join(d, "http.tsv"))
    final = []
    if imp:
        final.append(("import of the 2018 universe (251,969 rows), median",
                      "%.2f s, %s rows/s" % (med, "{:,.0f}".format(
                          rows[0] / med)),
                      "< 5 s: " + ("met" if med < 5 else "MISSED")))
    if not http:
        if os.path.exists(os.path.join(d, "http.skip")):
            with open(os.path.join(d, "http.skip"), encoding="utf-8") as f:
                lines.append("HTTP: skipped (%s)" % f.read().strip())
                lines.append("")
        _final(lines, final)
        print("\n".join(lines))
        return 0
    # key, case, run, rps, p50, p99, non2xx, errors, requests, cpu us/req
    groups = {}
    order = []
    for row in http:
        key, case = row[0], row[1]
        g = (key, case)
        if g not in groups:
            groups[g] = []
            order.append(g)
        groups[g].append((float(row[3]), float(row[4]), float(row[5]),
                          int(row[6]), int(row[7]), float(row[9])))
    hm = {}
    for g, runs in groups.items():
        hm[g] = {"rps": statistics.median(r[0] for r in runs),
                 "p50": statistics.median(r[1] for r in runs),
                 "p99": statistics.median(r[2] for r in runs),
                 "fail": sum(r[3] + r[4] for r in runs),
                 "cpu": statistics.median(r[5] for r in runs),
                 "n": len(runs)}
    cases = []
    for _k, c in order:
        if c not in cases:
            cases.append(c)
    static = hm.get(("static", "latest"))
    warn = False
    for case in cases:
        path = _case_path(d, case)
        lines.append("GET %s (medians of %d runs):" %
                     (path, hm[order[0]]["n"]))
        lines.append("")
        lines.append("| setup | req/s | p50 ms | p99 ms | server CPU us/req |")
        lines.append("|---|---:|---:|---:|---:|")
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
            lines.append("| %s%s | %s | %s | %s | %s |" % (
                label, flag, _fmt(m["rps"], ",.0f"), _fmt(m["p50"], ".2f"),
                _fmt(m["p99"], ".2f"), _fmt(m["cpu"], ".0f")))
        lines.append("")
        fa = hm.get(("fastapi", case))
        for k in keys:
            if not k.startswith("ms"):
                continue
            m = hm[(k, case)]
            parts = []
            if fa:
                r = m["rps"] / fa["rps"]
                parts.append("moonscope/fastapi = %.2f" % r)
                final.append(("%s, %s responders / FastAPI (req/s)"
                              % (path, k[2:]), "%.2f" % r,
                              ">= 1.0: " + ("met" if r >= 1.0 else "MISSED")))
                if m["cpu"] > 0:
                    parts.append("FastAPI/moonscope server CPU per request"
                                 " = %.2f" % (fa["cpu"] / m["cpu"]))
            if static:
                r = m["rps"] / static["rps"]
                parts.append("moonscope/static = %.3f" % r)
                final.append(("%s, %s responders / static file (req/s)"
                              % (path, k[2:]), "%.3f" % r, "(reference)"))
            lines.append("- %s responders: %s" % (k[2:], "; ".join(parts)))
        lines.append("")
    if warn:
        lines.append("(!) some requests failed (non-2xx answers or socket "
                     "errors); see the raw wrk output.")
        lines.append("")
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
    if len(argv) == 3 and argv[1] == "summary":
        return summary(argv[2])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
