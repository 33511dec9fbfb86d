/*
 * ms_csv.c — the bounded CSV reader described in ms_csv.h.
 *
 * One reader holds a 64 KiB input buffer and one record buffer, both
 * inside the struct, so reading a file allocates once however many rows it
 * has. The parser is a small state machine over bytes; fields are written
 * unquoted and NUL-terminated into the record buffer and handed out as
 * pointers into it.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "ms_csv.h"
#include "ms_error.h"

#define IN_SIZE 65536

struct ms_csv {
	gzFile gz;
	size_t ipos, ilen;
	int eof;
	int started;             /* the first block has been read */
	int failed;
	size_t nf;
	size_t rlen;
	unsigned long line;      /* physical line of the next byte */
	unsigned long rec_line;  /* line where the current record starts */
	size_t off[MS_CSV_MAX_FIELDS];
	size_t flen[MS_CSV_MAX_FIELDS];
	char err[256];
	unsigned char in[IN_SIZE];
	char rec[MS_CSV_MAX_RECORD + MS_CSV_MAX_FIELDS + 2];
};

enum { ST_START, ST_UNQUOTED, ST_QUOTED, ST_AFTER_QUOTE };

/* Byte values returned by next_byte besides 0..255. */
#define B_EOF (-1)
#define B_ERR (-2)

int
ms_csv_open(const char *path, struct ms_csv **out, char *errbuf,
    size_t errlen)
{
	struct ms_csv *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(errbuf, errlen, "out of memory");
		return MS_ERR_NOMEM;
	}
	errno = 0;
	c->gz = gzopen(path, "rb");
	if (c->gz == NULL) {
		snprintf(errbuf, errlen, "cannot open: %s",
		    errno != 0 ? strerror(errno) : "out of memory");
		free(c);
		return MS_ERR_IO;
	}
	gzbuffer(c->gz, 128 * 1024);
	c->line = 1;
	*out = c;
	return MS_OK;
}

void
ms_csv_close(struct ms_csv *c)
{
	if (c == NULL)
		return;
	if (c->gz != NULL)
		gzclose(c->gz);
	free(c);
}

static int
fail(struct ms_csv *c, unsigned long line, int code, const char *msg)
{
	c->failed = code;
	c->rec_line = line;
	if (msg != c->err)
		snprintf(c->err, sizeof(c->err), "%s", msg);
	return code;
}

static int
refill(struct ms_csv *c)
{
	int n, errnum = Z_OK;
	const char *msg;

	if (c->eof)
		return 0;
	n = gzread(c->gz, c->in, IN_SIZE);
	if (n < 0) {
		msg = gzerror(c->gz, &errnum);
		snprintf(c->err, sizeof(c->err), "corrupt gzip data: %s",
		    errnum == Z_ERRNO ? strerror(errno) : msg);
		return -1;
	}
	if (n == 0) {
		msg = gzerror(c->gz, &errnum);
		if (errnum != Z_OK) {
			snprintf(c->err, sizeof(c->err), "%s: %s",
			    errnum == Z_BUF_ERROR ? "truncated gzip data" :
			    "corrupt gzip data", msg);
			return -1;
		}
		c->eof = 1;
		return 0;
	}
	c->ipos = 0;
	c->ilen = (size_t)n;
	/* A UTF-8 byte-order mark at the very start is not data. */
	if (!c->started && c->ilen >= 3 &&
	    c->in[0] == 0xEF && c->in[1] == 0xBB && c->in[2] == 0xBF)
		c->ipos = 3;
	c->started = 1;
	return 1;
}

static inline int
next_byte(struct ms_csv *c)
{
	if (c->ipos == c->ilen) {
		int r = refill(c);

		if (r < 0)
			return B_ERR;
		if (r == 0)
			return B_EOF;
	}
	return c->in[c->ipos++];
}

/* Returns the next byte without consuming it (B_EOF/B_ERR as above). */
static inline int
peek_byte(struct ms_csv *c)
{
	int b = next_byte(c);

	if (b >= 0)
		c->ipos--;
	return b;
}

/* Checks UTF-8 well-formedness (no overlongs, surrogates, > U+10FFFF). */
static int
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char b = s[i];
		size_t k;
		unsigned long cp;

		if (b < 0x80) {
			i++;
			continue;
		}
		if (b >= 0xC2 && b <= 0xDF) {
			k = 1;
			cp = b & 0x1F;
		} else if (b >= 0xE0 && b <= 0xEF) {
			k = 2;
			cp = b & 0x0F;
		} else if (b >= 0xF0 && b <= 0xF4) {
			k = 3;
			cp = b & 0x07;
		} else {
			return 0;
		}
		if (i + k >= n)
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			return 0;
		i += k + 1;
	}
	return 1;
}

/* Closes the current field; returns 0 or an error. */
static int
end_field(struct ms_csv *c, size_t start)
{
	if (c->nf >= MS_CSV_MAX_FIELDS)
		return fail(c, c->rec_line, MS_ERR_TOOBIG,
		    "more than 64 fields");
	c->off[c->nf] = start;
	c->flen[c->nf] = c->rlen - start;
	c->rec[c->rlen++] = '\0';
	c->nf++;
	return 0;
}

static int
finish_record(struct ms_csv *c)
{
	for (size_t i = 0; i < c->nf; i++)
		if (!utf8_valid((const unsigned char *)c->rec + c->off[i],
		    c->flen[i]))
			return fail(c, c->rec_line, MS_ERR_PARSE,
			    "invalid UTF-8");
	return 1;
}

int
ms_csv_next(struct ms_csv *c)
{
	size_t raw, start;
	int st, b, rc;

	if (c->failed)
		return c->failed;
again:
	c->nf = 0;
	c->rlen = 0;
	raw = 0;
	start = 0;
	st = ST_START;
	c->rec_line = c->line;
	for (;;) {
		b = next_byte(c);
		if (b == B_ERR)
			return fail(c, c->line, MS_ERR_IO, c->err);
		if (b == B_EOF) {
			if (st == ST_QUOTED)
				return fail(c, c->rec_line, MS_ERR_PARSE,
				    "unterminated quoted field");
			if (raw == 0)
				return 0;
			if ((rc = end_field(c, start)) != 0)
				return rc;
			return finish_record(c);
		}
		if (b == 0)
			return fail(c, c->line, MS_ERR_PARSE, "NUL byte");
		if (b == '\r') {
			if (st == ST_QUOTED) {
				/* Kept as data inside quotes. */
			} else if (peek_byte(c) == '\n') {
				continue;
			} else {
				return fail(c, c->line, MS_ERR_PARSE,
				    "carriage return not followed by "
				    "line feed");
			}
		}
		/* The line feed ending a full-length record is allowed. */
		if (++raw > MS_CSV_MAX_RECORD &&
		    (b != '\n' || st == ST_QUOTED))
			return fail(c, c->rec_line, MS_ERR_TOOBIG,
			    "line longer than 65536 bytes");
		switch (st) {
		case ST_START:
		case ST_UNQUOTED:
		case ST_AFTER_QUOTE:
			if (b == ',') {
				if ((rc = end_field(c, start)) != 0)
					return rc;
				start = c->rlen;
				st = ST_START;
				break;
			}
			if (b == '\n') {
				c->line++;
				if (raw == 1)
					goto again;      /* blank line */
				if ((rc = end_field(c, start)) != 0)
					return rc;
				return finish_record(c);
			}
			if (st == ST_AFTER_QUOTE)
				return fail(c, c->line, MS_ERR_PARSE,
				    "unexpected character after a closing "
				    "quote");
			if (b == '"') {
				if (st != ST_START)
					return fail(c, c->line, MS_ERR_PARSE,
					    "quote inside an unquoted field");
				st = ST_QUOTED;
				break;
			}
			c->rec[c->rlen++] = (char)b;
			st = ST_UNQUOTED;
			break;
		case ST_QUOTED:
			if (b == '"') {
				if (peek_byte(c) == '"') {
					(void)next_byte(c);
					c->rec[c->rlen++] = '"';
				} else {
					st = ST_AFTER_QUOTE;
				}
				break;
			}
			if (b == '\n')
				c->line++;
			c->rec[c->rlen++] = (char)b;
			break;
		}
	}
}

size_t
ms_csv_nfields(const struct ms_csv *c)
{
	return c->nf;
}

const char *
ms_csv_field(const struct ms_csv *c, size_t i, size_t *len)
{
	if (len != NULL)
		*len = c->flen[i];
	return c->rec + c->off[i];
}

unsigned long
ms_csv_line(const struct ms_csv *c)
{
	return c->rec_line;
}

const char *
ms_csv_error(const struct ms_csv *c)
{
	return c->err;
}

int
ms_csv_number(const char *s, size_t len, double *out)
{
	char *end;
	double v;

	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!(c >= '0' && c <= '9') && c != '.' && c != 'e' &&
		    c != 'E' && c != '+' && c != '-')
			return -1;
	}
	errno = 0;
	v = strtod(s, &end);
	if (end != s + len || !isfinite(v))
		return -1;
	if (errno == ERANGE && fabs(v) > 1.0)
		return -1;
	*out = v;
	return 0;
}
