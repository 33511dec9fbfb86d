/*
 * ms_buf.c — a growable byte buffer with a hard maximum size.
 *
 * Responses, log lines and formatted strings are built here and sent once.
 * The buffer grows by doubling up to its `max` (plus one byte for the
 * terminating NUL); an append that would pass `max` fails with
 * MS_ERR_TOOBIG and leaves the contents exactly as they were, so callers
 * can report the failure with what was built so far still intact.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ms_buf.h"
#include "ms_error.h"

#define MS_BUF_MIN_CAP 256u

static size_t
buf_max(const struct ms_buf *b)
{
	return b->max != 0 ? b->max : MS_BUF_DEFAULT_MAX;
}

void
ms_buf_init(struct ms_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
ms_buf_free(struct ms_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
ms_buf_reset(struct ms_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/*
 * Makes room for n more bytes plus the NUL. Returns 0, MS_ERR_TOOBIG when
 * len + n would pass max, or MS_ERR_NOMEM; the buffer is unchanged on error.
 */
static int
buf_reserve(struct ms_buf *b, size_t n)
{
	size_t max = buf_max(b);
	size_t need, cap;
	char *p;

	if (n > max || b->len > max - n)
		return MS_ERR_TOOBIG;
	need = b->len + n + 1;
	if (need <= b->cap)
		return MS_OK;
	cap = b->cap != 0 ? b->cap : MS_BUF_MIN_CAP;
	while (cap < need)
		cap = cap > (max + 1) / 2 ? max + 1 : cap * 2;
	if (cap > max + 1)
		cap = max + 1;
	p = realloc(b->data, cap);
	if (p == NULL)
		return MS_ERR_NOMEM;
	b->data = p;
	b->cap = cap;
	return MS_OK;
}

int
ms_buf_append(struct ms_buf *b, const void *p, size_t n)
{
	int rc = buf_reserve(b, n);

	if (rc != MS_OK)
		return rc;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return MS_OK;
}

int
ms_buf_puts(struct ms_buf *b, const char *s)
{
	return ms_buf_append(b, s, strlen(s));
}

int
ms_buf_putc(struct ms_buf *b, char c)
{
	return ms_buf_append(b, &c, 1);
}

int
ms_buf_vprintf(struct ms_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	size_t room = 0;
	char *dst = NULL;
	int n, rc;

	/* First try in the space already allocated. */
	if (b->data != NULL && b->cap > b->len) {
		dst = b->data + b->len;
		room = b->cap - b->len;
	}
	va_copy(aq, ap);
	n = vsnprintf(dst, room, fmt, aq);
	va_end(aq);
	if (n < 0) {
		if (b->data != NULL)
			b->data[b->len] = '\0';
		return MS_ERR_INVALID;
	}
	if ((size_t)n < room) {
		rc = buf_reserve(b, (size_t)n);
		if (rc != MS_OK) {
			/* Fits in memory but passes max: undo the write. */
			b->data[b->len] = '\0';
			return rc;
		}
		b->len += (size_t)n;
		return MS_OK;
	}
	if (b->data != NULL)
		b->data[b->len] = '\0';
	rc = buf_reserve(b, (size_t)n);
	if (rc != MS_OK)
		return rc;
	va_copy(aq, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, aq);
	va_end(aq);
	if (n < 0) {
		b->data[b->len] = '\0';
		return MS_ERR_INVALID;
	}
	b->len += (size_t)n;
	return MS_OK;
}

int
ms_buf_printf(struct ms_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = ms_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *
ms_buf_steal(struct ms_buf *b)
{
	char *p = b->data;

	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}
