/* filter.c - which stored transactions a /transactions filter (category, flow, search text) keeps. */
#include "finance/filter.h"

#include <string.h>

#include "core/json.h"
#include "finance/category.h"

/* c with A-Z folded to a-z; every other byte unchanged (no locale). */
static unsigned char s_fold(unsigned char c)
{
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* true when needle occurs in haystack (NULL: never) with ASCII letters folded. */
static bool s_contains_folded(const char *haystack, const char *needle)
{
  if(!haystack)
    return false;
  size_t n = strlen(needle);
  for(const char *h = haystack; *h; h++) {
    size_t i = 0;
    while(i < n && h[i] && s_fold((unsigned char)h[i]) == s_fold((unsigned char)needle[i]))
      i++;
    if(i == n)
      return true;
  }
  return n == 0;
}

bool finance_filter_matches(const finance_filter *f, const json_t *stored_txn)
{
  if(!f)
    return true;
  const char *category = json_member_string(stored_txn, "category");
  if(f->category && strcmp(f->category, category ? category : FINANCE_UNCATEGORIZED) != 0)
    return false;
  if(f->flow) {
    const char *flow = json_member_string(stored_txn, "flow");
    if(strcmp(f->flow, flow ? flow : finance_flow(category)) != 0)
      return false;
  }
  if(f->q && *f->q && !s_contains_folded(json_member_string(stored_txn, "name"), f->q) &&
     !s_contains_folded(json_member_string(stored_txn, "merchant_name"), f->q))
    return false;
  return true;
}
