/* backoff.c - capped exponential backoff with full jitter, from one seeded generator. */
#include "core/backoff.h"

#include <sys/random.h>

#include "core/wipe.h"

mynt_status backoff_init(mynt_backoff *b, int64_t base_ms, int64_t cap_ms)
{
  b->base_ms = base_ms;
  b->cap_ms = cap_ms < base_ms ? base_ms : cap_ms;
  b->state = 0;
  uint64_t seed = 0;
  if(getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed)
    return MYNT_INTERNAL;
  backoff_seed(b, seed);
  mynt_wipe(&seed, sizeof seed);
  return MYNT_OK;
}

void backoff_seed(mynt_backoff *b, uint64_t seed)
{
  b->state = seed;
}

/* splitmix64: small, fast and good enough for jitter. */
static uint64_t s_next(mynt_backoff *b)
{
  uint64_t z = (b->state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

int64_t backoff_ms(mynt_backoff *b, int attempt)
{
  int64_t ceiling = b->base_ms;
  for(int i = 1; i < attempt && ceiling < b->cap_ms; i++)
    ceiling *= 2;
  if(ceiling > b->cap_ms)
    ceiling = b->cap_ms;
  if(ceiling <= 0)
    return 0;
  return (int64_t)(s_next(b) % (uint64_t)(ceiling + 1));
}
