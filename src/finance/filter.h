/* filter.h - which stored transactions a /transactions filter (category, flow, search text) keeps. */
#ifndef MYNT_FINANCE_FILTER_H
#define MYNT_FINANCE_FILTER_H

#include <stdbool.h>

#include <jansson.h>

/* A filter on stored transactions; each member borrowed, NULL = any. The handler validates
 * the values (a known category or FINANCE_UNCATEGORIZED, a flow, q of 1..100 characters). */
typedef struct {
  const char *category; /* the txn's primary category, or FINANCE_UNCATEGORIZED for a txn without one */
  const char *flow;     /* "income", "expense" or "transfer", compared exactly */
  const char *q;        /* a substring of name or merchant_name, ASCII letters compared case-insensitively */
} finance_filter;

/* Returns true when stored_txn (the shape of store/history.h) passes every member of f that is
 * set; true for a NULL f. category: the txn's "category", FINANCE_UNCATEGORIZED when it is
 * missing or null. flow: the txn's stored "flow", or finance_flow of its category when a record
 * has none. q: a substring of "name" or of "merchant_name" when A-Z and a-z are folded (other
 * bytes, UTF-8 included, compare exactly); an empty q matches every txn. */
bool finance_filter_matches(const finance_filter *f, const json_t *stored_txn);

#endif
