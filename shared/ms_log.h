/*
 * ms_log.h — one-line structured logs on stderr.
 *
 * Each call writes exactly one line of logfmt ("ts=... level=error
 * req=... key=value ... msg=\"...\""), with values quoted and CR/LF and
 * control bytes escaped, in a single write(2) so lines from concurrent
 * processes do not interleave. Web servers collect responders' stderr in
 * their error log. A line is at most MS_LOG_LINE_MAX bytes; longer values
 * are cut and marked with "...".
 */
#ifndef MS_LOG_H
#define MS_LOG_H

#include <stdarg.h>
#include <stddef.h>

enum ms_log_level { MS_LOG_ERROR, MS_LOG_WARN, MS_LOG_INFO };

#define MS_LOG_LINE_MAX 4096

/* Sets the program name written as prog=...; the pointer is kept. */
void ms_log_set_prog(const char *prog);

/*
 * Logs msg (printf format) with optional context: req may be NULL.
 */
void ms_log(enum ms_log_level level, const char *req, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One key=value context pair; key must be [a-z0-9_]+, value may be NULL. */
struct ms_log_field { const char *key; const char *value; };

/*
 * Like ms_log, with n context fields written between req= and msg=, e.g.
 * route=v1_asset status=500 err="store error". Keys that are not
 * [a-z0-9_]+ are written as "key"; a NULL value is written as "-".
 */
void ms_log_fields(enum ms_log_level level, const char *req,
    const struct ms_log_field *fields, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

void ms_logv(enum ms_log_level level, const char *req,
    const struct ms_log_field *fields, size_t n, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

#endif
