/*
 * ms_error.c — string table for enum ms_err.
 */
#include "ms_error.h"

const char *
ms_strerror(int err)
{
	switch (err) {
	case MS_OK: return "ok";
	case MS_ERR_NOMEM: return "out of memory";
	case MS_ERR_IO: return "input/output error";
	case MS_ERR_STORE: return "store error";
	case MS_ERR_PARSE: return "parse error";
	case MS_ERR_RANGE: return "value out of range";
	case MS_ERR_NOTFOUND: return "not found";
	case MS_ERR_TOOBIG: return "input too large";
	case MS_ERR_INVALID: return "invalid input";
	case MS_ERR_SCHEMA: return "store schema is not the one this build uses";
	case MS_ERR_BUSY: return "store busy";
	case MS_ERR_AMBIGUOUS: return "ambiguous";
	case MS_ERR_NODATA: return "no data";
	case MS_ERR_INTERNAL: return "internal error";
	}
	return "unknown error";
}
