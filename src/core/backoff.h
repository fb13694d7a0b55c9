/* backoff.h - capped exponential backoff with full jitter, from one seeded generator. */
#ifndef MYNT_CORE_BACKOFF_H
#define MYNT_CORE_BACKOFF_H

#include <stdint.h>

#include "core/status.h"

/* Retry delays: attempt n (1 = after the first failure) waits a uniform random time in
 * [0, min(cap_ms, base_ms * 2^(n-1))] ms. The generator (splitmix64) is for jitter only,
 * never for secrets. */
typedef struct {
  int64_t base_ms;
  int64_t cap_ms;
  uint64_t state;
} mynt_backoff;

/* Sets b up with base_ms and cap_ms (a cap below base is raised to base) and seeds its
 * generator once from the kernel (getrandom). Returns MYNT_OK, or MYNT_INTERNAL when no
 * random seed can be had (b is then still usable, seeded with 0). */
mynt_status backoff_init(mynt_backoff *b, int64_t base_ms, int64_t cap_ms);

/* Reseeds b's generator with seed, for tests that want a repeatable sequence. */
void backoff_seed(mynt_backoff *b, uint64_t seed);

/* Returns the delay before retry number attempt (see mynt_backoff); 0 when the ceiling is
 * not positive. */
int64_t backoff_ms(mynt_backoff *b, int attempt);

#endif
