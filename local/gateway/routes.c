/* routes.c - API Gateway HTTP API route keys: parsing and most-specific-match selection. */
#include "local/gateway/routes.h"

#include <stdlib.h>
#include <string.h>

#include "core/hex.h"

void routes_table_init(routes_table *t)
{
  t->items = NULL;
  t->count = 0;
}

static void s_route_free(routes_route *r)
{
  for(size_t i = 0; i < r->n_segments; i++)
    free(r->segments[i].text);
  free(r->segments);
  free(r->method);
  free(r->key);
  memset(r, 0, sizeof(*r));
}

void routes_table_free(routes_table *t)
{
  for(size_t i = 0; i < t->count; i++)
    s_route_free(&t->items[i]);
  free(t->items);
  routes_table_init(t);
}

static int s_method_ok(const char *m, size_t n)
{
  if(n == 0 || n > 16)
    return 0;
  for(size_t i = 0; i < n; i++)
    if(m[i] < 'A' || m[i] > 'Z')
      return 0;
  return 1;
}

/* Appends one segment of a route key's path; the text is [s, s+n). */
static mynt_status s_add_segment(routes_route *r, const char *s, size_t n)
{
  routes_seg_kind kind = ROUTES_SEG_LITERAL;
  if(n >= 2 && s[0] == '{' && s[n - 1] == '}') {
    s++;
    n -= 2;
    kind = ROUTES_SEG_PARAM;
    if(n >= 1 && s[n - 1] == '+') {
      n--;
      kind = ROUTES_SEG_GREEDY;
    }
    if(n == 0)
      return MYNT_BAD_REQUEST;
  }
  if(memchr(s, '{', n) || memchr(s, '}', n))
    return MYNT_BAD_REQUEST;
  routes_segment *grown = realloc(r->segments, (r->n_segments + 1) * sizeof(*grown));
  if(!grown)
    return MYNT_NOMEM;
  r->segments = grown;
  char *text = strndup(s, n);
  if(!text)
    return MYNT_NOMEM;
  r->segments[r->n_segments].kind = kind;
  r->segments[r->n_segments].text = text;
  r->n_segments++;
  return MYNT_OK;
}

/* Parses "METHOD /path" into r (whose key is already set). */
static mynt_status s_parse_key(routes_route *r, const char *key)
{
  const char *space = strchr(key, ' ');
  if(!space || !s_method_ok(key, (size_t)(space - key)))
    return MYNT_BAD_REQUEST;
  r->method = strndup(key, (size_t)(space - key));
  if(!r->method)
    return MYNT_NOMEM;
  const char *path = space + 1;
  if(path[0] != '/' || strchr(path, ' ') || strchr(path, '?'))
    return MYNT_BAD_REQUEST;
  if(path[1] == '\0')
    return MYNT_OK;
  const char *p = path + 1;
  for(;;) {
    const char *slash = strchr(p, '/');
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    if(n == 0)
      return MYNT_BAD_REQUEST;
    mynt_status st = s_add_segment(r, p, n);
    if(st)
      return st;
    if(r->segments[r->n_segments - 1].kind == ROUTES_SEG_GREEDY && slash)
      return MYNT_BAD_REQUEST;
    if(!slash)
      break;
    p = slash + 1;
  }
  return MYNT_OK;
}

mynt_status routes_add(routes_table *t, const char *key, routes_auth auth, size_t function)
{
  for(size_t i = 0; i < t->count; i++)
    if(strcmp(t->items[i].key, key) == 0)
      return MYNT_BAD_REQUEST;
  routes_route r;
  memset(&r, 0, sizeof(r));
  r.auth = auth;
  r.function = function;
  mynt_status st = MYNT_NOMEM;
  r.key = strdup(key);
  if(!r.key)
    goto cleanup;
  if(strcmp(key, "$default") == 0)
    r.is_default = 1;
  else if((st = s_parse_key(&r, key)) != MYNT_OK)
    goto cleanup;
  routes_route *grown = realloc(t->items, (t->count + 1) * sizeof(*grown));
  if(!grown) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  t->items = grown;
  t->items[t->count++] = r;
  return MYNT_OK;
cleanup:
  s_route_free(&r);
  return st;
}

char *routes_percent_decode(const char *s, size_t len, int plus_is_space, size_t *out_len)
{
  char *out = malloc(len + 1);
  if(!out)
    return NULL;
  size_t o = 0;
  for(size_t i = 0; i < len; i++) {
    if(s[i] == '%' && i + 2 < len && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out[o++] = (char)(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    }
    else if(plus_is_space && s[i] == '+') {
      out[o++] = ' ';
    }
    else {
      out[o++] = s[i];
    }
  }
  out[o] = '\0';
  if(out_len)
    *out_len = o;
  return out;
}

/* One segment of a request path: the raw bytes and their decoded form. */
typedef struct {
  const char *raw;
  size_t raw_len;
  char *decoded;
} s_req_segment;

static void s_req_segments_free(s_req_segment *segs, size_t n)
{
  for(size_t i = 0; i < n; i++)
    free(segs[i].decoded);
  free(segs);
}

/* Splits raw_path ("/a/b%20c") into segments; "/" has none. */
static mynt_status s_split(const char *raw_path, s_req_segment **out, size_t *out_n)
{
  *out = NULL;
  *out_n = 0;
  const char *p = raw_path[0] == '/' ? raw_path + 1 : raw_path;
  if(*p == '\0')
    return MYNT_OK;
  size_t n = 1;
  for(const char *q = p; *q; q++)
    n += *q == '/';
  s_req_segment *segs = calloc(n, sizeof(*segs));
  if(!segs)
    return MYNT_NOMEM;
  for(size_t i = 0; i < n; i++) {
    const char *slash = strchr(p, '/');
    size_t len = slash ? (size_t)(slash - p) : strlen(p);
    segs[i].raw = p;
    segs[i].raw_len = len;
    segs[i].decoded = routes_percent_decode(p, len, 0, NULL);
    if(!segs[i].decoded) {
      s_req_segments_free(segs, n);
      return MYNT_NOMEM;
    }
    p = slash ? slash + 1 : p + len;
  }
  *out = segs;
  *out_n = n;
  return MYNT_OK;
}

/* Returns 1 when route r's path matches the request segments, else 0. */
static int s_path_matches(const routes_route *r, const s_req_segment *segs, size_t n)
{
  for(size_t i = 0; i < r->n_segments; i++) {
    const routes_segment *rs = &r->segments[i];
    if(rs->kind == ROUTES_SEG_GREEDY)
      return i < n && segs[i].raw_len > 0;
    if(i >= n)
      return 0;
    if(rs->kind == ROUTES_SEG_PARAM && segs[i].raw_len == 0)
      return 0;
    if(rs->kind == ROUTES_SEG_LITERAL && strcmp(rs->text, segs[i].decoded) != 0)
      return 0;
  }
  return r->n_segments == n;
}

/* Returns 1 when a is a more specific match than b for the same request. */
static int s_more_specific(const routes_route *a, const routes_route *b)
{
  size_t n = a->n_segments < b->n_segments ? a->n_segments : b->n_segments;
  for(size_t i = 0; i < n; i++) {
    if(a->segments[i].kind != b->segments[i].kind)
      return a->segments[i].kind < b->segments[i].kind;
  }
  if(a->n_segments != b->n_segments)
    return a->n_segments > b->n_segments;
  int a_any = strcmp(a->method, "ANY") == 0;
  int b_any = strcmp(b->method, "ANY") == 0;
  return !a_any && b_any;
}

/* Fills m's parameters from the matched route's templated segments. */
static mynt_status s_collect_params(routes_match *m, const s_req_segment *segs, size_t n)
{
  const routes_route *r = m->route;
  size_t count = 0;
  for(size_t i = 0; i < r->n_segments; i++)
    count += r->segments[i].kind != ROUTES_SEG_LITERAL;
  if(count == 0)
    return MYNT_OK;
  m->params = calloc(count, sizeof(*m->params));
  if(!m->params)
    return MYNT_NOMEM;
  for(size_t i = 0; i < r->n_segments && i < n; i++) {
    const routes_segment *rs = &r->segments[i];
    if(rs->kind == ROUTES_SEG_LITERAL)
      continue;
    routes_param *p = &m->params[m->n_params];
    p->name = strdup(rs->text);
    if(rs->kind == ROUTES_SEG_GREEDY) {
      const char *rest = segs[i].raw;
      p->value = routes_percent_decode(rest, strlen(rest), 0, NULL);
    }
    else {
      p->value = strdup(segs[i].decoded);
    }
    m->n_params++;
    if(!p->name || !p->value)
      return MYNT_NOMEM;
  }
  return MYNT_OK;
}

mynt_status routes_find(const routes_table *t, const char *method, const char *raw_path, int skip_default,
                        routes_match *out)
{
  memset(out, 0, sizeof(*out));
  s_req_segment *segs = NULL;
  size_t n = 0;
  mynt_status st = s_split(raw_path, &segs, &n);
  if(st)
    return st;
  const routes_route *best = NULL;
  const routes_route *fallback = NULL;
  for(size_t i = 0; i < t->count; i++) {
    const routes_route *r = &t->items[i];
    if(r->is_default) {
      fallback = r;
      continue;
    }
    if(strcmp(r->method, "ANY") != 0 && strcmp(r->method, method) != 0)
      continue;
    if(!s_path_matches(r, segs, n))
      continue;
    if(!best || s_more_specific(r, best))
      best = r;
  }
  if(best) {
    out->route = best;
    st = s_collect_params(out, segs, n);
  }
  else if(fallback && !skip_default) {
    out->route = fallback;
  }
  else {
    st = MYNT_NOT_FOUND;
  }
  s_req_segments_free(segs, n);
  if(st && st != MYNT_NOT_FOUND)
    routes_match_free(out);
  return st;
}

void routes_match_free(routes_match *m)
{
  for(size_t i = 0; i < m->n_params; i++) {
    free(m->params[i].name);
    free(m->params[i].value);
  }
  free(m->params);
  memset(m, 0, sizeof(*m));
}
