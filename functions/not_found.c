/*
 * Any path no other function serves — a problem+json 404 for every method,
 * so that clients always get a machine-readable answer.
 *
 * Methods: all. Parameters: none are read.
 * Problems: 404 not-found.
 */
#include "ms_function.h"
#include "ms_http.h"

static int
handle(struct ms_ctx *ctx, const struct ms_request *req,
    struct ms_response *res)
{
	(void)ctx;
	return ms_response_problem(res, MS_PROBLEM_NOT_FOUND,
	    "no route matches this path; see /v1/health and docs/api/README.md",
	    NULL, 0, req);
}

static const struct ms_route route = {
	.name = "not_found",
	.pattern = "*",
	.methods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
	.handler = handle,
	.summary = "answers 404 problem+json for unknown paths",
};

MS_FUNCTION(route, not_found)
