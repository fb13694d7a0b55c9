/* unit_curl.h - group setup and teardown for unit tests that talk HTTP through libcurl: curl's global state is made
 * once before the group's tests and released after them. */
#ifndef MYNT_TESTS_UNIT_CURL_H
#define MYNT_TESTS_UNIT_CURL_H

#include <curl/curl.h>

#include "support/unit_main.h"

/* cmocka group setup: curl_global_init. Returns 0, or -1 when curl could not start (every test then fails). */
static inline int unit_curl_setup(void **state)
{
  (void)state;
  return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

/* cmocka group teardown: curl_global_cleanup. Returns 0. */
static inline int unit_curl_teardown(void **state)
{
  (void)state;
  curl_global_cleanup();
  return 0;
}

#endif
