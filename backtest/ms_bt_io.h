/*
 * ms_bt_io.h — what every backtest report writer shares: CSV cells and the
 * report directory's files.
 *
 * CSV: numbers are written exactly (the shortest text that reads back as
 * the same double; zero as 0), an unknown (non-finite) number or date as an
 * empty cell, text quoted only when it holds a comma, quote or line break.
 * Each returns 0, or non-zero when the buffer's maximum is reached.
 */
#ifndef MS_BT_IO_H
#define MS_BT_IO_H

#include <stddef.h>
#include <stdint.h>

struct ms_buf;

int ms_bt_csv_num(struct ms_buf *b, double v);
int ms_bt_csv_date(struct ms_buf *b, int32_t day);   /* days since 1970; < 0 empty */
int ms_bt_csv_text(struct ms_buf *b, const char *s);

/* Creates dir and its missing parents (mode 0755); 0 or -1 (errno set). */
int ms_bt_mkdirs(const char *dir);

/*
 * Writes n bytes of data to dir/name, replacing it; 0, or MS_ERR_TOOBIG /
 * MS_ERR_IO with the path and the reason in err (errsz bytes).
 */
int ms_bt_write_file(const char *dir, const char *name, const char *data,
    size_t n, char *err, size_t errsz);

/*
 * One file of a report that is built in memory: fill(r, b) appends its
 * text to b (at most max bytes) and returns 0, or non-zero (an MS_ERR_*
 * code, or any non-zero when the buffer is full: reported as too large).
 */
struct ms_bt_part {
	const char *name;                       /* "picks.csv" */
	int (*fill)(const void *r, struct ms_buf *b);
};

/* Builds part p of r and writes it to dir/name; 0 or an error in err. */
int ms_bt_write_part(const char *dir, const struct ms_bt_part *p,
    const void *r, size_t max, char *err, size_t errsz);

/*
 * The files every backtest command writes, in this order, into dir
 * (created): summary.json (doc printed, with a final newline), each of
 * parts[0..nparts) built from r, and summary.md (md). Takes ownership of
 * doc (cJSON_Delete) and md (free), either of which may be NULL for "out
 * of memory". Returns 0, or MS_ERR_IO / MS_ERR_NOMEM / MS_ERR_TOOBIG with
 * the file and reason in err; files written before a failure stay.
 */
struct cJSON;
int ms_bt_write_report_files(const char *dir, struct cJSON *doc,
    const struct ms_bt_part *parts, size_t nparts, const void *r,
    char *md, size_t max, char *err, size_t errsz);

#endif
