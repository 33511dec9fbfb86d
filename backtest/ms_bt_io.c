/*
 * ms_bt_io.c — CSV cells and report files for the backtest reports (see
 * ms_bt_io.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "ms_bt_io.h"
#include "ms_buf.h"
#include "ms_date.h"
#include "ms_error.h"
#include "ms_json.h"

int
ms_bt_csv_num(struct ms_buf *b, double v)
{
	char tmp[40];

	if (!isfinite(v))
		return 0;
	if (v == 0)
		return ms_buf_putc(b, '0');
	if (ms_json_format_double(v, tmp, sizeof(tmp)) < 0)
		return ms_buf_printf(b, "%.17g", v);
	return ms_buf_puts(b, tmp);
}

int
ms_bt_csv_date(struct ms_buf *b, int32_t day)
{
	char d[MS_DATE_LEN + 1];

	if (day < 0)
		return 0;
	ms_date_format(day, d);
	return ms_buf_puts(b, d);
}

int
ms_bt_csv_text(struct ms_buf *b, const char *s)
{
	int rc = 0;

	if (strpbrk(s, ",\"\r\n") == NULL)
		return ms_buf_puts(b, s);
	rc |= ms_buf_putc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			rc |= ms_buf_putc(b, '"');
		rc |= ms_buf_putc(b, *s);
	}
	rc |= ms_buf_putc(b, '"');
	return rc ? MS_ERR_TOOBIG : 0;
}

int
ms_bt_mkdirs(const char *dir)
{
	char buf[4096];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, dir, n + 1);
	for (char *p = buf + 1; ; p++) {
		char c;

		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		if (c == '\0')
			break;
		*p = c;
	}
	return 0;
}

int
ms_bt_write_file(const char *dir, const char *name, const char *data,
    size_t n, char *err, size_t errsz)
{
	char path[4200];
	FILE *f;
	int ok;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path)) {
		snprintf(err, errsz, "%s/%s: path too long", dir, name);
		return MS_ERR_TOOBIG;
	}
	if ((f = fopen(path, "w")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return MS_ERR_IO;
	}
	ok = fwrite(data, 1, n, f) == n;
	ok = (fclose(f) == 0) && ok;
	if (!ok) {
		snprintf(err, errsz, "%s: write failed", path);
		return MS_ERR_IO;
	}
	return 0;
}
