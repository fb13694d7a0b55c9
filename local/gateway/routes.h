/* routes.h - API Gateway HTTP API route keys: parsing and most-specific-match selection. */
#ifndef MYNT_LOCAL_ROUTES_H
#define MYNT_LOCAL_ROUTES_H

#include <stddef.h>

#include "core/status.h"

typedef enum { ROUTES_AUTH_NONE, ROUTES_AUTH_JWT } routes_auth;

typedef enum { ROUTES_SEG_LITERAL, ROUTES_SEG_PARAM, ROUTES_SEG_GREEDY } routes_seg_kind;

typedef struct {
  routes_seg_kind kind;
  char *text; /* the literal, or the parameter's name without braces and '+' */
} routes_segment;

typedef struct {
  char *key;    /* as configured: "GET /items/{id}" or "$default" */
  char *method; /* "GET", "ANY", ...; NULL for $default */
  routes_segment *segments;
  size_t n_segments;
  int is_default;
  routes_auth auth;
  size_t function; /* index of the function that serves the route */
} routes_route;

typedef struct {
  routes_route *items;
  size_t count;
} routes_table;

typedef struct {
  char *name;
  char *value; /* percent-decoded */
} routes_param;

typedef struct {
  const routes_route *route; /* borrowed from the table */
  routes_param *params;      /* owned; NULL when the route has no path parameters */
  size_t n_params;
} routes_match;

/* Initialises an empty table. */
void routes_table_init(routes_table *t);

/* Frees every route of t and leaves it empty. */
void routes_table_free(routes_table *t);

/* Parses key ("$default" or "METHOD /path" with {name} and a final {name+}) and appends
 * it to t. Returns MYNT_OK, MYNT_BAD_REQUEST when the key is malformed or already in the
 * table, MYNT_NOMEM on allocation failure (t is unchanged on failure). */
mynt_status routes_add(routes_table *t, const char *key, routes_auth auth, size_t function);

/* Finds the route API Gateway would pick for method and raw_path (percent-encoded, no
 * query): the most specific path wins (literal > {param} > {greedy+}, compared segment by
 * segment), then a specific method over ANY; otherwise $default. When skip_default is set,
 * $default is not considered. Fills out (free it with routes_match_free). Returns MYNT_OK,
 * MYNT_NOT_FOUND when nothing matches (out->route is NULL), MYNT_NOMEM. */
mynt_status routes_find(const routes_table *t, const char *method, const char *raw_path, int skip_default,
                        routes_match *out);

/* Frees the parameters of m and clears it. */
void routes_match_free(routes_match *m);

/* Decodes %XX escapes of s[0..len) into a new malloc'd NUL-terminated string (the caller
 * frees it); when plus_is_space is set, '+' becomes ' '. Malformed escapes are kept as they
 * are. *out_len (when not NULL) gets the decoded length, which counts any NUL that %00
 * produced. Returns NULL on allocation failure. */
char *routes_percent_decode(const char *s, size_t len, int plus_is_space, size_t *out_len);

#endif
