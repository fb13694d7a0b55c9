/* sigv4.c - AWS Signature Version 4: canonical request, string to sign, signature, header and query signing. */
#include "aws/sigv4.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/hex.h"
#include "core/wipe.h"

#define S_BUF_MAX     (256u * 1024u)
#define S_MAX_HEADERS 256u
#define S_MAX_PARAMS  1024u
#define S_ALGORITHM   "AWS4-HMAC-SHA256"

typedef struct {
  char *name;   /* lower-case */
  char *value;  /* canonical (trimmed, whitespace runs collapsed) */
  size_t order; /* position in the request, so duplicate names keep their order */
} s_header;

typedef struct {
  char *key;   /* URI-encoded */
  char *value; /* URI-encoded */
} s_param;

static bool s_is_unreserved(unsigned char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

static bool s_is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void sigv4_amz_date(time_t t, char out[17])
{
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

mynt_status sigv4_sha256_hex(const void *data, size_t len, char out_hex[65])
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if(!EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) || md_len != 32) {
    out_hex[0] = '\0';
    return MYNT_INTERNAL;
  }
  hex_encode(md, md_len, out_hex);
  return MYNT_OK;
}

mynt_status sigv4_uri_encode(mynt_buf *out, const char *s, size_t len, int keep_slash)
{
  for(size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    mynt_status st;
    if(s_is_unreserved(c) || (keep_slash && c == '/')) {
      st = buf_append(out, &s[i], 1);
    }
    else {
      char esc[4] = {'%'};
      hex_encode_upper(&c, 1, esc + 1);
      st = buf_append(out, esc, 3);
    }
    if(st)
      return st;
  }
  /* An empty input still leaves a valid (empty, NUL-terminated) buffer behind. */
  return buf_append(out, "", 0);
}

/* Appends raw header value v in canonical form: trimmed, with every run of whitespace
 * (line breaks of folded values included) turned into one space. */
static mynt_status s_canonical_value(mynt_buf *out, const char *v)
{
  int pending_space = 0;
  int any = 0;
  mynt_status st = buf_append(out, "", 0);
  for(const char *p = v; *p && !st; p++) {
    if(s_is_space(*p)) {
      pending_space = any;
      continue;
    }
    if(pending_space)
      st = buf_append(out, " ", 1);
    if(!st)
      st = buf_append(out, p, 1);
    pending_space = 0;
    any = 1;
  }
  return st;
}

/* Appends the canonical URI of path to out. */
static mynt_status s_canonical_path(mynt_buf *out, const char *path, int normalize)
{
  if(!path || !*path)
    path = "/";
  size_t n = strlen(path);
  if(!normalize)
    return sigv4_uri_encode(out, path, n, 1);

  size_t max_segments = 1;
  for(size_t i = 0; i < n; i++)
    max_segments += path[i] == '/';
  mynt_str *stack = malloc(max_segments * sizeof *stack);
  if(!stack)
    return MYNT_NOMEM;

  size_t top = 0;
  int trailing_slash = 0;
  const char *p = path;
  const char *end = path + n;
  while(p <= end) {
    const char *slash = memchr(p, '/', (size_t)(end - p));
    const char *segment_end = slash ? slash : end;
    size_t len = (size_t)(segment_end - p);
    int is_dot = len == 1 && p[0] == '.';
    int is_dotdot = len == 2 && p[0] == '.' && p[1] == '.';
    if(is_dotdot) {
      if(top)
        top--;
    }
    else if(len && !is_dot) {
      stack[top].ptr = p;
      stack[top].len = len;
      top++;
    }
    trailing_slash = len == 0 || is_dot || is_dotdot;
    if(!slash)
      break;
    p = slash + 1;
  }

  mynt_status st = MYNT_OK;
  if(top == 0)
    st = buf_append(out, "/", 1);
  for(size_t i = 0; i < top && !st; i++) {
    st = buf_append(out, "/", 1);
    if(!st)
      st = sigv4_uri_encode(out, stack[i].ptr, stack[i].len, 0);
  }
  if(!st && top && trailing_slash)
    st = buf_append(out, "/", 1);
  free(stack);
  return st;
}

/* Returns a malloc'd URI-encoding of s (len bytes) after decoding any valid %XX escapes in it,
 * or NULL on allocation failure. */
static char *s_reencode(const char *s, size_t len)
{
  mynt_buf decoded;
  mynt_buf encoded;
  char *result = NULL;
  buf_init(&decoded, S_BUF_MAX);
  buf_init(&encoded, S_BUF_MAX);
  mynt_status st = buf_append(&decoded, "", 0);
  for(size_t i = 0; i < len && !st; i++) {
    int hi = i + 2 < len && s[i] == '%' ? hex_value(s[i + 1]) : -1;
    int lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
    if(hi >= 0 && lo >= 0) {
      char c = (char)(hi * 16 + lo);
      st = buf_append(&decoded, &c, 1);
      i += 2;
    }
    else {
      st = buf_append(&decoded, &s[i], 1);
    }
  }
  if(st)
    goto cleanup;
  if(sigv4_uri_encode(&encoded, decoded.ptr, decoded.len, 0))
    goto cleanup;
  result = buf_detach(&encoded);

cleanup:
  buf_free(&decoded);
  buf_free(&encoded);
  return result;
}

static int s_header_cmp(const void *a, const void *b)
{
  const s_header *x = a;
  const s_header *y = b;
  int c = strcmp(x->name, y->name);
  if(c)
    return c;
  return x->order < y->order ? -1 : x->order > y->order;
}

static int s_param_cmp(const void *a, const void *b)
{
  const s_param *x = a;
  const s_param *y = b;
  int c = strcmp(x->key, y->key);
  return c ? c : strcmp(x->value, y->value);
}

/* Adds a header to list (taking the name lower-cased and the value canonicalised). */
static mynt_status s_header_add(s_header *list, size_t *count, const char *name, const char *value)
{
  mynt_buf v;
  buf_init(&v, S_BUF_MAX);
  size_t n = strlen(name);
  char *lname = malloc(n + 1);
  if(!lname)
    return MYNT_NOMEM;
  for(size_t i = 0; i <= n; i++)
    lname[i] = (name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] - 'A' + 'a') : name[i];
  if(s_canonical_value(&v, value ? value : "")) {
    free(lname);
    return MYNT_NOMEM;
  }
  list[*count].name = lname;
  list[*count].value = buf_detach(&v);
  list[*count].order = *count;
  if(!list[*count].value) {
    free(lname);
    return MYNT_NOMEM;
  }
  (*count)++;
  return MYNT_OK;
}

/* Adds key=value to list, both percent-encoded (after decoding any %XX escapes in them when
 * decode is set, so a query as sent is normalised rather than encoded twice). */
static mynt_status s_param_add(s_param *list, size_t *count, const char *key, const char *value, int decode)
{
  char *k;
  char *v;
  if(decode) {
    k = s_reencode(key, strlen(key));
    v = s_reencode(value, strlen(value));
  }
  else {
    mynt_buf kb;
    mynt_buf vb;
    buf_init(&kb, S_BUF_MAX);
    buf_init(&vb, S_BUF_MAX);
    sigv4_uri_encode(&kb, key, strlen(key), 0);
    sigv4_uri_encode(&vb, value, strlen(value), 0);
    k = kb.ptr;
    v = vb.ptr;
  }
  if(!k || !v) {
    free(k);
    free(v);
    return MYNT_NOMEM;
  }
  list[*count].key = k;
  list[*count].value = v;
  (*count)++;
  return MYNT_OK;
}

static bool s_is_reserved_header(const char *name)
{
  static const char *const reserved[] = {"authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"};
  for(size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
    if(strcasecmp(name, reserved[i]) == 0)
      return true;
  return false;
}

mynt_status sigv4_string_to_sign(const char *amz_date, const char *region, const char *service,
                                 const char *canonical_request, size_t len, mynt_buf *out)
{
  char hash[65];
  mynt_status st = sigv4_sha256_hex(canonical_request, len, hash);
  if(st)
    return st;
  return buf_appendf(out, S_ALGORITHM "\n%s\n%.8s/%s/%s/aws4_request\n%s", amz_date, amz_date, region, service, hash);
}

static int s_hmac(const void *key, size_t key_len, const void *data, size_t len, unsigned char out[32])
{
  unsigned int out_len = 0;
  return HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &out_len) && out_len == 32;
}

mynt_status sigv4_signature(const char *secret, const char *amz_date, const char *region, const char *service,
                            const char *string_to_sign, size_t len, char out_hex[65])
{
  mynt_status st = MYNT_INTERNAL;
  size_t secret_len = strlen(secret);
  unsigned char k_date[32];
  unsigned char k_region[32];
  unsigned char k_service[32];
  unsigned char k_signing[32];
  unsigned char sig[32];
  char *k_secret = malloc(secret_len + 5);
  out_hex[0] = '\0';
  if(!k_secret)
    return MYNT_NOMEM;
  memcpy(k_secret, "AWS4", 4);
  memcpy(k_secret + 4, secret, secret_len + 1);
  if(s_hmac(k_secret, secret_len + 4, amz_date, 8, k_date) &&
     s_hmac(k_date, sizeof k_date, region, strlen(region), k_region) &&
     s_hmac(k_region, sizeof k_region, service, strlen(service), k_service) &&
     s_hmac(k_service, sizeof k_service, "aws4_request", 12, k_signing) &&
     s_hmac(k_signing, sizeof k_signing, string_to_sign, len, sig)) {
    hex_encode(sig, sizeof sig, out_hex);
    st = MYNT_OK;
  }
  mynt_wipe(k_secret, secret_len + 5);
  mynt_wipe(k_date, sizeof k_date);
  mynt_wipe(k_region, sizeof k_region);
  mynt_wipe(k_service, sizeof k_service);
  mynt_wipe(k_signing, sizeof k_signing);
  free(k_secret);
  return st;
}

static void s_result_init(sigv4_result *r)
{
  memset(r, 0, sizeof *r);
  buf_init(&r->canonical_request, S_BUF_MAX);
  buf_init(&r->string_to_sign, S_BUF_MAX);
  buf_init(&r->signed_headers, S_BUF_MAX);
  buf_init(&r->authorization, S_BUF_MAX);
  buf_init(&r->query, S_BUF_MAX);
  buf_init(&r->token_copy, S_BUF_MAX);
}

void sigv4_result_free(sigv4_result *r)
{
  if(r->token_copy.ptr)
    mynt_wipe(r->token_copy.ptr, r->token_copy.len);
  buf_free(&r->canonical_request);
  buf_free(&r->string_to_sign);
  buf_free(&r->signed_headers);
  buf_free(&r->authorization);
  buf_free(&r->query);
  buf_free(&r->token_copy);
  r->added_count = 0;
  r->signature[0] = '\0';
}

/* Sorts list and writes its canonical header lines (each "name:value\n", duplicate names
 * joined with ',') to lines and the ';'-joined names to names. */
static mynt_status s_emit_headers(mynt_buf *lines, mynt_buf *names, s_header *list, size_t count)
{
  mynt_status st = MYNT_OK;
  qsort(list, count, sizeof *list, s_header_cmp);
  for(size_t i = 0; i < count && !st; i++) {
    int same_as_previous = i > 0 && strcmp(list[i].name, list[i - 1].name) == 0;
    if(same_as_previous) {
      st = buf_appendf(lines, ",%s", list[i].value);
      continue;
    }
    st = buf_appendf(lines, "%s%s:%s", i > 0 ? "\n" : "", list[i].name, list[i].value);
    if(!st)
      st = buf_appendf(names, "%s%s", i > 0 ? ";" : "", list[i].name);
  }
  if(!st)
    st = buf_append(lines, "\n", 1);
  return st;
}

/* Parses the raw query and the presigning parameters into params, sorted. */
static mynt_status s_collect_params(const sigv4_request *req, const sigv4_params *p, const sigv4_result *r,
                                    const char *credential, int sign_token, s_param *list, size_t *count)
{
  mynt_status st = MYNT_OK;
  const char *q = req->query ? req->query : "";
  while(*q && !st) {
    size_t len = strcspn(q, "&");
    if(len) {
      if(*count >= S_MAX_PARAMS)
        return MYNT_BAD_REQUEST;
      const char *eq = memchr(q, '=', len);
      size_t key_len = eq ? (size_t)(eq - q) : len;
      char *key = strndup(q, key_len);
      char *value = eq ? strndup(eq + 1, len - key_len - 1) : strdup("");
      st = key && value ? s_param_add(list, count, key, value, 1) : MYNT_NOMEM;
      free(key);
      free(value);
    }
    q += len;
    if(*q == '&')
      q++;
  }
  if(st || p->mode != SIGV4_SIGN_QUERY)
    return st;

  char expires[24];
  snprintf(expires, sizeof expires, "%ld", p->expires_seconds);
  st = s_param_add(list, count, "X-Amz-Algorithm", S_ALGORITHM, 0);
  if(!st)
    st = s_param_add(list, count, "X-Amz-Credential", credential, 0);
  if(!st)
    st = s_param_add(list, count, "X-Amz-Date", r->amz_date, 0);
  if(!st)
    st = s_param_add(list, count, "X-Amz-Expires", expires, 0);
  if(!st)
    st = s_param_add(list, count, "X-Amz-SignedHeaders", buf_cstr(&r->signed_headers), 0);
  if(!st && sign_token)
    st = s_param_add(list, count, "X-Amz-Security-Token", p->session_token, 0);
  return st;
}

static mynt_status s_append_param(mynt_buf *out, const char *key, const char *value)
{
  mynt_status st = buf_appendf(out, "%s%s=", out->len ? "&" : "", key);
  if(!st)
    st = sigv4_uri_encode(out, value, strlen(value), 0);
  return st;
}

/* Builds the query-mode output: the X-Amz-* parameters in the conventional order. */
static mynt_status s_emit_presigned_query(sigv4_result *r, const sigv4_params *p, const char *credential, int has_token)
{
  char expires[24];
  snprintf(expires, sizeof expires, "%ld", p->expires_seconds);
  mynt_status st = s_append_param(&r->query, "X-Amz-Algorithm", S_ALGORITHM);
  if(!st)
    st = s_append_param(&r->query, "X-Amz-Credential", credential);
  if(!st)
    st = s_append_param(&r->query, "X-Amz-Date", r->amz_date);
  if(!st)
    st = s_append_param(&r->query, "X-Amz-SignedHeaders", buf_cstr(&r->signed_headers));
  if(!st)
    st = s_append_param(&r->query, "X-Amz-Expires", expires);
  if(!st && has_token)
    st = s_append_param(&r->query, "X-Amz-Security-Token", p->session_token);
  if(!st)
    st = s_append_param(&r->query, "X-Amz-Signature", r->signature);
  return st;
}

static mynt_status s_emit_added_headers(sigv4_result *r, const sigv4_params *p, const char *credential, int has_token)
{
  mynt_status st = buf_appendf(&r->authorization, S_ALGORITHM " Credential=%s, SignedHeaders=%s, Signature=%s",
                               credential, buf_cstr(&r->signed_headers), r->signature);
  if(!st && has_token)
    st = buf_appends(&r->token_copy, p->session_token);
  if(st)
    return st;
  if(has_token)
    r->added[r->added_count++] = (sigv4_header){"X-Amz-Security-Token", r->token_copy.ptr};
  r->added[r->added_count++] = (sigv4_header){"X-Amz-Date", r->amz_date};
  if(p->sign_body)
    r->added[r->added_count++] = (sigv4_header){"x-amz-content-sha256", r->payload_hash};
  r->added[r->added_count++] = (sigv4_header){"Authorization", r->authorization.ptr};
  return MYNT_OK;
}

static bool s_params_valid(const sigv4_request *req, const sigv4_params *p)
{
  if(!req->method || !*req->method || !p->access_key_id || !*p->access_key_id || !p->secret_access_key || !p->region ||
     !*p->region || !p->service || !*p->service)
    return false;
  if(req->header_count > S_MAX_HEADERS || (req->header_count && !req->headers) || (req->body_len && !req->body))
    return false;
  if(p->mode == SIGV4_SIGN_QUERY && (p->expires_seconds < 1 || p->expires_seconds > 604800))
    return false;
  int has_host = 0;
  for(size_t i = 0; i < req->header_count; i++) {
    if(!req->headers[i].name || !*req->headers[i].name || s_is_reserved_header(req->headers[i].name))
      return false;
    has_host |= strcasecmp(req->headers[i].name, "host") == 0;
  }
  return has_host;
}

mynt_status sigv4_sign(const sigv4_request *req, const sigv4_params *p, sigv4_result *out)
{
  mynt_status st = MYNT_OK;
  s_header *headers = NULL;
  size_t header_count = 0;
  s_param *params = NULL;
  size_t param_count = 0;
  size_t max_params = 7;
  int has_token = p->session_token && *p->session_token;
  int sign_token = has_token && !p->omit_session_token;
  int header_mode = p->mode == SIGV4_SIGN_HEADERS;
  mynt_buf credential;
  mynt_buf header_lines;
  buf_init(&credential, S_BUF_MAX);
  buf_init(&header_lines, S_BUF_MAX);
  s_result_init(out);

  if(!s_params_valid(req, p)) {
    st = MYNT_BAD_REQUEST;
    goto cleanup;
  }
  sigv4_amz_date(p->timestamp, out->amz_date);
  st = sigv4_sha256_hex(req->body ? req->body : "", req->body_len, out->payload_hash);
  if(!st)
    st = buf_appendf(&credential, "%s/%.8s/%s/%s/aws4_request", p->access_key_id, out->amz_date, p->region, p->service);
  if(st)
    goto cleanup;

  for(const char *q = req->query; q && *q; q++)
    max_params += *q == '&';
  headers = calloc(req->header_count + 3, sizeof *headers);
  params = calloc(max_params, sizeof *params);
  if(!headers || !params) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  for(size_t i = 0; i < req->header_count && !st; i++)
    st = s_header_add(headers, &header_count, req->headers[i].name, req->headers[i].value);
  if(!st && header_mode)
    st = s_header_add(headers, &header_count, "x-amz-date", out->amz_date);
  if(!st && header_mode && sign_token)
    st = s_header_add(headers, &header_count, "x-amz-security-token", p->session_token);
  if(!st && header_mode && p->sign_body)
    st = s_header_add(headers, &header_count, "x-amz-content-sha256", out->payload_hash);
  /* The signed headers come before the query: a presigned query carries them as a parameter. */
  if(!st)
    st = s_emit_headers(&header_lines, &out->signed_headers, headers, header_count);
  if(!st)
    st = s_collect_params(req, p, out, buf_cstr(&credential), sign_token, params, &param_count);
  if(st)
    goto cleanup;
  qsort(params, param_count, sizeof *params, s_param_cmp);

  /* Canonical request: method, URI, query, header lines, blank, signed headers, payload hash. */
  st = buf_appendf(&out->canonical_request, "%s\n", req->method);
  if(!st)
    st = s_canonical_path(&out->canonical_request, req->path, p->normalize_path);
  if(!st)
    st = buf_append(&out->canonical_request, "\n", 1);
  for(size_t i = 0; i < param_count && !st; i++)
    st = buf_appendf(&out->canonical_request, "%s%s=%s", i ? "&" : "", params[i].key, params[i].value);
  if(!st)
    st = buf_appendf(&out->canonical_request, "\n%s\n%s\n%s", buf_cstr(&header_lines), buf_cstr(&out->signed_headers),
                     out->payload_hash);
  if(st)
    goto cleanup;

  st = sigv4_string_to_sign(out->amz_date, p->region, p->service, out->canonical_request.ptr,
                            out->canonical_request.len, &out->string_to_sign);
  if(!st)
    st = sigv4_signature(p->secret_access_key, out->amz_date, p->region, p->service, out->string_to_sign.ptr,
                         out->string_to_sign.len, out->signature);
  if(!st && header_mode)
    st = s_emit_added_headers(out, p, buf_cstr(&credential), has_token);
  if(!st && !header_mode)
    st = s_emit_presigned_query(out, p, buf_cstr(&credential), has_token);

cleanup:
  for(size_t i = 0; headers && i < header_count; i++) {
    free(headers[i].name);
    free(headers[i].value);
  }
  for(size_t i = 0; params && i < param_count; i++) {
    free(params[i].key);
    free(params[i].value);
  }
  free(headers);
  free(params);
  buf_free(&credential);
  buf_free(&header_lines);
  if(st)
    sigv4_result_free(out);
  return st;
}
