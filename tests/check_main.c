/*
 * check_main.c — the one Check runner for every unit-test suite.
 *
 * Each tests/check_<module>.c defines `Suite *make_<module>_suite(void)`.
 * The build collects those names into build/tests/suites.h, so adding a
 * suite is adding a file. MS_TEST_FIXTURES names the fixture folder.
 */
#include <stdlib.h>

#include <check.h>

#define MS_SUITE(fn) Suite *fn(void);
#include "suites.h"
#undef MS_SUITE

int
main(void)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

#define MS_SUITE(fn) srunner_add_suite(sr, fn());
#include "suites.h"
#undef MS_SUITE

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
