/*
 * ms_function.h — the last line of every functions/<route>.c.
 *
 * MS_FUNCTION(route, name) expands to main(), which hands the route to the
 * serve loop. When the file is compiled for the unit tests
 * (-DMS_ROUTE_TEST), it instead exports the route as ms_route_<name>, so
 * tests call the real handler through ms_handle() without a web server.
 */
#ifndef MS_FUNCTION_H
#define MS_FUNCTION_H

#include "ms_http.h"

#ifdef MS_ROUTE_TEST
#define MS_FUNCTION(route, name) \
	extern const struct ms_route *const ms_route_##name; \
	const struct ms_route *const ms_route_##name = &(route);
#else
#define MS_FUNCTION(route, name) \
	int main(int argc, char **argv) { return ms_serve(&(route), argc, argv); }
#endif

#endif
