"""Times each SQL statement GET /v1/assets/{id} runs, with its query plan.

  sqltime.py STORE [ASSET [AS_OF]]

Uses the statements of bench/fastapi_peer.py (copied verbatim from
shared/ms_market.c and shared/ms_store.c) through Python's sqlite3 module,
so each figure includes ~1-2 us of Python call overhead. Shows which
statement dominates a request; bench/profile.sh prints it.
"""

import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fastapi_peer as fp  # noqa: E402  (the SQL, and parse_date)


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    c = sqlite3.connect("file:%s?mode=ro" % argv[1], uri=True,
                        isolation_level=None)
    slug = argv[2] if len(argv) > 2 else "ripple"
    r = c.execute(fp.SQL_BY_SLUG, (slug,)).fetchone()
    if r is None:
        sys.stderr.write("sqltime.py: no asset %r\n" % slug)
        return 1
    aid = r[0]
    if len(argv) > 3:
        day = fp.parse_date(argv[3])
    else:
        day = c.execute(fp.SQL_LATEST_DAY, (fp.INT32_MAX,)).fetchone()[0]
    n_bars = c.execute("SELECT count(*) FROM daily WHERE asset_id = ?1 "
                       "AND day <= ?2", (aid, day)).fetchone()[0]
    print("asset %s (internal id %d), as of %s, %d bars up to then"
          % (slug, aid, fp.fmt_date(day), n_bars))
    stmts = [
        ("latest day", fp.SQL_LATEST_DAY, (fp.INT32_MAX,), 1),
        ("resolve slug", fp.SQL_BY_SLUG, (slug,), 1),
        ("bar at", fp.SQL_BAR_AT, (aid, day), 1),
        ("bar near (x4)", fp.SQL_BAR_NEAR, (aid, day - 30, day - 33), 4),
        ("all-time high", fp.SQL_ATH, (aid, day), 1),
        ("first day", fp.SQL_FIRST_DAY, (aid,), 1),
        ("source (x2)", fp.SQL_SOURCE, (1,), 2),
        ("data version", fp.SQL_DATA_VERSION, (), 1),
    ]
    print("%-15s %10s %10s  %s" % ("statement", "us/call", "us/request",
                                    "query plan"))
    total = 0.0
    for name, sql, args, per_req in stmts:
        n = 0
        t0 = time.perf_counter()
        while True:
            for _ in range(200):
                c.execute(sql, args).fetchone()
            n += 200
            dt = time.perf_counter() - t0
            if dt > 0.3:
                break
        us = dt / n * 1e6
        total += us * per_req
        plan = "; ".join(x[3] for x in c.execute("EXPLAIN QUERY PLAN " + sql,
                                                  args))
        print("%-15s %10.1f %10.1f  %s" % (name, us, us * per_req, plan))
    print("%-15s %10s %10.1f" % ("total", "", total))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
