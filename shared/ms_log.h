/*
 * ms_log.h — one-line structured logs on stderr.
 *
 * Each call writes exactly one line of logfmt ("ts=... level=error
 * req=... key=value ... msg=\"...\""), with values quoted and CR/LF and
 * control bytes escaped, in a single write(2) so lines from concurrent
 * processes do not interleave. Web servers collect responders' stderr in
 * their error log.
 */
#ifndef MS_LOG_H
#define MS_LOG_H

enum ms_log_level { MS_LOG_ERROR, MS_LOG_WARN, MS_LOG_INFO };

/* Sets the program name written as prog=...; the pointer is kept. */
void ms_log_set_prog(const char *prog);

/*
 * Logs msg (printf format) with optional context: req may be NULL.
 */
void ms_log(enum ms_log_level level, const char *req, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
