/*
 * ms_csv.h — a strict, bounded CSV record reader over zlib.
 *
 * Files are read with gzopen/gzread, so gzip-compressed and plain files
 * read the same. The dialect is RFC 4180: comma separator, fields may be
 * quoted with '"' (a doubled '"' inside is one quote; quoted fields may
 * hold commas and newlines), records end in LF or CRLF, the last record
 * may lack its newline, a UTF-8 byte-order mark at the start is ignored
 * and wholly empty lines are skipped.
 *
 * Hard limits, each an error that stops the file: a record longer than
 * MS_CSV_MAX_RECORD bytes, more than MS_CSV_MAX_FIELDS fields, a NUL byte,
 * invalid UTF-8, an unterminated quote, a byte after a closing quote other
 * than a separator or end of line, and a corrupt or truncated gzip stream.
 * After an error ms_csv_error() describes it and ms_csv_line() tells where.
 */
#ifndef MS_CSV_H
#define MS_CSV_H

#include <stddef.h>

#define MS_CSV_MAX_RECORD 65536
#define MS_CSV_MAX_FIELDS 64

struct ms_csv;

/*
 * Opens path for reading. Returns 0 and sets *out (free with
 * ms_csv_close), or MS_ERR_IO (message in errbuf, errlen bytes).
 */
int ms_csv_open(const char *path, struct ms_csv **out, char *errbuf,
    size_t errlen);
/* Closes the file and frees the reader; NULL is a no-op. */
void ms_csv_close(struct ms_csv *c);

/*
 * Reads the next record. Returns 1 when a record was read, 0 at the end of
 * the file, or a negative ms_err (MS_ERR_PARSE, MS_ERR_TOOBIG, MS_ERR_IO)
 * with ms_csv_error() set; the reader is then unusable.
 */
int ms_csv_next(struct ms_csv *c);

/* Fields of the current record; valid until the next ms_csv_next. */
size_t ms_csv_nfields(const struct ms_csv *c);
/* Field i as a NUL-terminated string (unquoted); its length in *len if
 * len is non-NULL. i must be < ms_csv_nfields. The reader owns it. */
const char *ms_csv_field(const struct ms_csv *c, size_t i, size_t *len);

/* 1-based line number where the current record (or the error) starts. */
unsigned long ms_csv_line(const struct ms_csv *c);
/* The last error's description ("" if none); the reader owns it. */
const char *ms_csv_error(const struct ms_csv *c);

/*
 * Parses a whole field s[0..len) (NUL-terminated at len, as ms_csv_field
 * gives it) as a finite decimal number: digits, '.', an exponent and
 * signs only, so no spaces, hex, "inf" or "nan"; overflow is an error,
 * underflow reads as the tiny value strtod gives. Returns 0 and sets
 * *out, or -1 (also for the empty field: the caller decides what an
 * empty field means).
 */
int ms_csv_number(const char *s, size_t len, double *out);

#endif
