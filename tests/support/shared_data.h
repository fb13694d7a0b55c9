/* shared_data.h - what a test does when the reference data it needs from outside the repository (../shared) is absent. */
#ifndef MYNT_TESTS_SHARED_DATA_H
#define MYNT_TESTS_SHARED_DATA_H

/* The exit code of a test skipped for want of its data: its ctest property is SKIP_RETURN_CODE 77. */
#define SHARED_DATA_SKIPPED 77

/* Says on stdout that what (e.g. "the SigV4 suite") is missing at path, and returns the test's exit code:
 * SHARED_DATA_SKIPPED, or 1 when the environment has CI=true (a CI run must not pass without its data). */
int shared_data_missing(const char *what, const char *path);

#endif
