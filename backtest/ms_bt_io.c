/*
 * ms_bt_io.c — CSV cells and report files for the backtest reports (see
 * ms_bt_io.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <cJSON.h>

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

int
ms_bt_write_part(const char *dir, const struct ms_bt_part *p, const void *r,
    size_t max, char *err, size_t errsz)
{
	struct ms_buf b;
	int rc;

	ms_buf_init(&b, max);
	if ((rc = p->fill(r, &b)) != 0) {
		/* A positive code is a full buffer, as MS_ERR_TOOBIG is. */
		if (rc > 0)
			rc = MS_ERR_TOOBIG;
		snprintf(err, errsz, "%s: %s", p->name,
		    rc == MS_ERR_NOMEM ? "out of memory" :
		    rc == MS_ERR_TOOBIG ? "too large" : ms_strerror(rc));
	} else {
		rc = ms_bt_write_file(dir, p->name, b.data ? b.data : "", b.len,
		    err, errsz);
	}
	ms_buf_free(&b);
	return rc;
}

int
ms_bt_write_report_files(const char *dir, cJSON *doc,
    const struct ms_bt_part *parts, size_t nparts, const void *r, char *md,
    size_t max, char *err, size_t errsz)
{
	char *txt = NULL;
	int rc = 0;

	if (ms_bt_mkdirs(dir) != 0) {
		snprintf(err, errsz, "cannot create %s: %s", dir, strerror(errno));
		rc = MS_ERR_IO;
	} else if (doc == NULL || md == NULL ||
	    (txt = cJSON_Print(doc)) == NULL) {
		snprintf(err, errsz, "out of memory");
		rc = MS_ERR_NOMEM;
	}
	cJSON_Delete(doc);
	if (rc == 0) {
		struct ms_buf b;

		ms_buf_init(&b, max);
		if (ms_buf_puts(&b, txt) != 0 || ms_buf_putc(&b, '\n') != 0) {
			snprintf(err, errsz, "summary.json: too large");
			rc = MS_ERR_TOOBIG;
		} else {
			rc = ms_bt_write_file(dir, "summary.json", b.data, b.len,
			    err, errsz);
		}
		ms_buf_free(&b);
	}
	cJSON_free(txt);
	for (size_t i = 0; rc == 0 && i < nparts; i++)
		rc = ms_bt_write_part(dir, &parts[i], r, max, err, errsz);
	if (rc == 0)
		rc = ms_bt_write_file(dir, "summary.md", md, strlen(md), err,
		    errsz);
	free(md);
	return rc;
}
