/* shared_data.c - what a test does when the reference data it needs from outside the repository (../shared) is absent. */
#include "support/shared_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int shared_data_missing(const char *what, const char *path)
{
  const char *ci = getenv("CI");
  if(ci && strcmp(ci, "true") == 0) {
    printf("FAILED: %s missing at %s (CI=true: the run needs it)\n", what, path);
    fflush(stdout);
    return 1;
  }
  printf("SKIPPED: %s missing at %s\n", what, path);
  fflush(stdout);
  return SHARED_DATA_SKIPPED;
}
