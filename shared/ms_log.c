/*
 * ms_log.c — one-line logfmt records on stderr, one write(2) each.
 *
 * A record looks like
 *   ts=2024-05-01T12:00:00.123Z level=error prog=v1_asset pid=42 req=ab12
 *   route=v1_asset status=500 msg="handler failed"
 * (on one line). Values that are empty or hold a space, '=', '"', '\' or a
 * non-printable byte are quoted; inside quotes '"' and '\' are escaped and
 * CR, LF, TAB and every other control byte (and every byte >= 0x80 when the
 * value is not valid UTF-8) is written as an escape, so one record is always
 * one line whatever a client sent. The line is assembled in a fixed stack
 * buffer of MS_LOG_LINE_MAX bytes and written with a single write(2), so
 * records from the many responder processes sharing a web server's error
 * log never interleave.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ms_log.h"
#include "ms_param.h"

/* Start-up state: set once from main() before serving. */
static const char *log_prog;

/* The fixed line being assembled; `full` once anything had to be cut. */
struct log_line {
	char buf[MS_LOG_LINE_MAX];
	size_t len;
	int full;
};

/* Bytes kept free at the end for the "..." mark and the newline. */
#define LOG_RESERVE 5

void
ms_log_set_prog(const char *prog)
{
	log_prog = prog;
}

static void
line_raw(struct log_line *l, const char *s, size_t n)
{
	size_t room = sizeof(l->buf) - LOG_RESERVE - l->len;

	if (l->full)
		return;
	if (n > room) {
		n = room;
		l->full = 1;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void
line_str(struct log_line *l, const char *s)
{
	line_raw(l, s, strlen(s));
}

static int
needs_quotes(const char *v, size_t n)
{
	if (n == 0)
		return 1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c <= ' ' || c == '=' || c == '"' || c == '\\' || c >= 0x7f)
			return 1;
	}
	return 0;
}

/* Appends one escaped value, quoted when needed. */
static void
line_value(struct log_line *l, const char *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	int utf8;

	if (!needs_quotes(v, n)) {
		line_raw(l, v, n);
		return;
	}
	utf8 = ms_utf8_valid(v, n);
	line_raw(l, "\"", 1);
	for (size_t i = 0; i < n && !l->full; i++) {
		unsigned char c = (unsigned char)v[i];
		char esc[4];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			line_raw(l, esc, 2);
		} else if (c == '\n') {
			line_raw(l, "\\n", 2);
		} else if (c == '\r') {
			line_raw(l, "\\r", 2);
		} else if (c == '\t') {
			line_raw(l, "\\t", 2);
		} else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8)) {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 0xf];
			line_raw(l, esc, 4);
		} else {
			line_raw(l, (const char *)&v[i], 1);
		}
	}
	line_raw(l, "\"", 1);
}

static void
line_key(struct log_line *l, const char *key)
{
	size_t n = strlen(key);
	int ok = n > 0;

	for (size_t i = 0; i < n && ok; i++) {
		char c = key[i];

		ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
	}
	line_raw(l, " ", 1);
	line_str(l, ok ? key : "key");
	line_raw(l, "=", 1);
}

static const char *
level_name(enum ms_log_level level)
{
	switch (level) {
	case MS_LOG_ERROR: return "error";
	case MS_LOG_WARN: return "warn";
	case MS_LOG_INFO: return "info";
	}
	return "error";
}

static void
line_write(struct log_line *l)
{
	size_t off = 0;

	if (l->full) {
		memcpy(l->buf + l->len, "...", 3);
		l->len += 3;
	}
	l->buf[l->len++] = '\n';
	while (off < l->len) {
		ssize_t w = write(STDERR_FILENO, l->buf + off, l->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

void
ms_logv(enum ms_log_level level, const char *req,
    const struct ms_log_field *fields, size_t n, const char *fmt, va_list ap)
{
	struct log_line l;
	struct timespec ts;
	struct tm tm;
	char tmp[MS_LOG_LINE_MAX];
	int saved = errno;
	int k;

	l.len = 0;
	l.full = 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	k = (int)strftime(tmp, sizeof(tmp), "ts=%Y-%m-%dT%H:%M:%S", &tm);
	line_raw(&l, tmp, (size_t)k);
	k = snprintf(tmp, sizeof(tmp), ".%03ldZ level=%s", ts.tv_nsec / 1000000L,
	    level_name(level));
	line_raw(&l, tmp, (size_t)k);
	if (log_prog != NULL) {
		line_key(&l, "prog");
		line_value(&l, log_prog, strlen(log_prog));
	}
	k = snprintf(tmp, sizeof(tmp), " pid=%ld", (long)getpid());
	line_raw(&l, tmp, (size_t)k);
	if (req != NULL) {
		line_key(&l, "req");
		line_value(&l, req, strlen(req));
	}
	for (size_t i = 0; i < n; i++) {
		const char *v = fields[i].value != NULL ? fields[i].value : "-";

		line_key(&l, fields[i].key != NULL ? fields[i].key : "key");
		line_value(&l, v, strlen(v));
	}
	k = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	if (k < 0)
		k = 0;
	if ((size_t)k >= sizeof(tmp))
		k = (int)sizeof(tmp) - 1;
	line_key(&l, "msg");
	line_value(&l, tmp, (size_t)k);
	line_write(&l);
	errno = saved;
}

void
ms_log_fields(enum ms_log_level level, const char *req,
    const struct ms_log_field *fields, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ms_logv(level, req, fields, n, fmt, ap);
	va_end(ap);
}

void
ms_log(enum ms_log_level level, const char *req, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ms_logv(level, req, NULL, 0, fmt, ap);
	va_end(ap);
}
