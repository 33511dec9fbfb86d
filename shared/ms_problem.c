/*
 * ms_problem.c — the one table of RFC 9457 problem types.
 *
 * Every error response names one of these kinds. The slug makes the stable
 * `type` URI (MS_PROBLEM_BASE "invalid-parameters"); the title is fixed per
 * kind and never carries request data — specifics go in `detail` and
 * `invalid_params`. Entries are indexed by enum ms_problem_kind, so the
 * order here must follow ms_problem.h; append only.
 */
#include <stddef.h>

#include "ms_problem.h"

static const struct ms_problem_type problem_types[MS_PROBLEM__COUNT] = {
	{ MS_PROBLEM_INVALID_PARAMS, 400, "invalid-parameters",
	    "Invalid request parameters" },
	{ MS_PROBLEM_NOT_FOUND, 404, "not-found", "Not found" },
	{ MS_PROBLEM_ASSET_NOT_FOUND, 404, "asset-not-found",
	    "Asset not found" },
	{ MS_PROBLEM_NO_DATA, 404, "no-data", "No data for the request" },
	{ MS_PROBLEM_METHOD_NOT_ALLOWED, 405, "method-not-allowed",
	    "Method not allowed" },
	{ MS_PROBLEM_URI_TOO_LONG, 414, "uri-too-long", "URI too long" },
	{ MS_PROBLEM_PAYLOAD_TOO_LARGE, 413, "payload-too-large",
	    "Payload too large" },
	{ MS_PROBLEM_UNSUPPORTED_MEDIA, 415, "unsupported-media-type",
	    "Unsupported media type" },
	{ MS_PROBLEM_INTERNAL, 500, "internal-error", "Internal server error" },
	{ MS_PROBLEM_STORE_UNAVAILABLE, 503, "store-unavailable",
	    "Data store unavailable" },
	{ MS_PROBLEM_UPSTREAM_ERROR, 502, "upstream-error",
	    "Upstream error" },
	{ MS_PROBLEM_UPSTREAM_TIMEOUT, 504, "upstream-timeout",
	    "Upstream timeout" },
};

const struct ms_problem_type *
ms_problem_type(enum ms_problem_kind kind)
{
	if ((int)kind < 0 || kind >= MS_PROBLEM__COUNT)
		return &problem_types[MS_PROBLEM_INTERNAL];
	return &problem_types[kind];
}
