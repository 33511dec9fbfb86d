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

#endif
