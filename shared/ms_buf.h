/*
 * ms_buf.h — a growable byte buffer with a hard maximum size.
 *
 * Every response and every formatted string is built in an ms_buf and sent
 * once. Appends past `max` fail with MS_ERR_TOOBIG and leave the buffer
 * unchanged, so a runaway producer cannot exhaust memory.
 */
#ifndef MS_BUF_H
#define MS_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct ms_buf {
	char *data;   /* NUL-terminated when len > 0 or after any append */
	size_t len;
	size_t cap;
	size_t max;   /* hard limit on len; 0 means MS_BUF_DEFAULT_MAX */
};

#define MS_BUF_DEFAULT_MAX (16u * 1024u * 1024u)

/* Initialises an empty buffer (no allocation yet). */
void ms_buf_init(struct ms_buf *b, size_t max);
/* Frees the memory; b may be reused after ms_buf_init. NULL is a no-op. */
void ms_buf_free(struct ms_buf *b);
/* Sets len to 0, keeping the allocation. */
void ms_buf_reset(struct ms_buf *b);

int ms_buf_append(struct ms_buf *b, const void *p, size_t n);
int ms_buf_puts(struct ms_buf *b, const char *s);
int ms_buf_putc(struct ms_buf *b, char c);
/* printf-style append built on vsnprintf; returns 0 or a negative ms_err. */
int ms_buf_printf(struct ms_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ms_buf_vprintf(struct ms_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * Transfers the data to the caller (who frees it with free()) and leaves b
 * empty. Returns NULL when nothing was ever appended (no allocation).
 */
char *ms_buf_steal(struct ms_buf *b);

#endif
