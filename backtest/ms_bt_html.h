/*
 * ms_bt_html.h — report.html of a moonshot backtest: one self-contained
 * page (inline CSS and SVG, no script, no network) with the summary tables
 * and the charts: equity against the benchmarks, drawdown, and the
 * distribution of pick returns on a log axis. Built with ms_svg.h.
 */
#ifndef MS_BT_HTML_H
#define MS_BT_HTML_H

#include <stddef.h>

struct ms_bt_result;
struct ms_buf;

/* Appends the page to b; 0 or an MS_ERR_* code. */
int ms_bt_html(const struct ms_bt_result *r, struct ms_buf *b);

/*
 * Writes dir/report.html (dir exists); 0, or non-zero with a reason in
 * errbuf.
 */
int ms_bt_write_html(const struct ms_bt_result *r, const char *dir,
    char *errbuf, size_t errsz);

#endif
