/* aws_http.c - signs and sends AWS JSON- and REST-JSON-protocol requests over one reused curl handle, retrying inside a
 * deadline. */
#include "aws/aws_http.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "aws/sigv4.h"
#include "core/backoff.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/wipe.h"

#define S_RESPONSE_MAX        (8u * 1024u * 1024u)
#define S_RESPONSE_RESERVE    (64u * 1024u) /* kept allocated so small answers never move in memory */
#define S_HEADER_LINE_MAX     (8u * 1024u)
#define S_DEFAULT_DEADLINE_MS 10000
#define S_BACKOFF_BASE_MS     25
#define S_BACKOFF_CAP_MS      1000
#define S_SLEEP_MARGIN_MS     100 /* a retry's sleep must end at least this long before the deadline */
#define S_SEND_MARGIN_MS      50  /* an attempt's timeout ends this long before the deadline */
/* A retry is not sent with a shorter timeout than the sleep margin leaves it (a sleep that
 * overslept into the margin would otherwise send a try the deadline cuts off at once). */
#define S_MIN_RETRY_TIMEOUT_MS (S_SLEEP_MARGIN_MS - S_SEND_MARGIN_MS)
#define S_CONNECT_TIMEOUT_MS   2000
#define S_MAX_ATTEMPTS         10
#define S_URL_MAX              2048
#define S_MAX_HEADERS          (3 + AWS_HTTP_MAX_EXTRA_HEADERS)
/* One attempt waits at most this long for its answer, whatever the deadline leaves: a write
 * whose answer is lost (it may have committed) is then sent again inside the same budget, and
 * the retry's answer (say, a failed condition) settles what happened. */
#define S_ATTEMPT_TIMEOUT_MS 2000

struct aws_http {
  CURL *curl;
  aws_http_service svc;
  aws_config cfg;
  char url[300];    /* the JSON protocol's: the endpoint with its path */
  char origin[300]; /* "scheme://host[:port]", where REST paths are appended after base_path */
  char host[256];
  char path[256];             /* the endpoint's path, "/" when it has none */
  char base_path[256];        /* path without its trailing '/', "" for "/" */
  char error_type_header[96]; /* the last answer's x-amzn-ErrorType, "" when it had none */
  mynt_buf response;
  char curl_error[CURL_ERROR_SIZE];
  mynt_backoff backoff;
};

static const char *const s_throttling_types[] = {
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "RequestThrottledException",
  "TooManyRequestsException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "SlowDown",
  "BandwidthLimitExceeded",
  "PriorRequestNotComplete",
};

static const char *const s_credential_types[] = {
  "UnrecognizedClientException",  "InvalidSignatureException",
  "IncompleteSignatureException", "MissingAuthenticationTokenException",
  "MissingAuthenticationToken",   "AccessDeniedException",
  "ExpiredTokenException",        "InvalidClientTokenId",
  "SignatureDoesNotMatch",        "AuthFailure",
};

static bool s_in_list(const char *type, const char *const *list, size_t n)
{
  for(size_t i = 0; i < n; i++)
    if(strcmp(type, list[i]) == 0)
      return true;
  return false;
}

mynt_status aws_http_classify_common(int http_status, const char *type, aws_retry_kind *out_retry)
{
  *out_retry = AWS_RETRY_NEVER;
  if(http_status == 429 ||
     s_in_list(type, s_throttling_types, sizeof s_throttling_types / sizeof *s_throttling_types)) {
    *out_retry = AWS_RETRY_THROTTLED;
    return MYNT_THROTTLED;
  }
  if(http_status >= 500) {
    *out_retry = AWS_RETRY_TRANSIENT;
    return MYNT_UNAVAILABLE;
  }
  if(http_status == 401 || http_status == 403 ||
     s_in_list(type, s_credential_types, sizeof s_credential_types / sizeof *s_credential_types))
    return MYNT_UPSTREAM;
  return MYNT_BAD_REQUEST;
}

static size_t s_on_data(char *data, size_t size, size_t n, void *userdata)
{
  mynt_buf *b = userdata;
  size_t len = size * n;
  return buf_append(b, data, len) ? 0 : len;
}

/* Keeps the value of an x-amzn-ErrorType response header (REST-JSON services name their error there). */
static size_t s_on_header(char *data, size_t size, size_t n, void *userdata)
{
  aws_http *h = userdata;
  size_t len = size * n;
  static const char name[] = "x-amzn-errortype:";
  if(len > sizeof name - 1 && strncasecmp(data, name, sizeof name - 1) == 0) {
    const char *v = data + sizeof name - 1;
    const char *end = data + len;
    while(v < end && (*v == ' ' || *v == '\t'))
      v++;
    while(end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
      end--;
    snprintf(h->error_type_header, sizeof h->error_type_header, "%.*s", (int)(end - v), v);
  }
  return len;
}

static bool s_valid_name(const char *s, size_t max, const char *extra)
{
  size_t n = 0;
  for(; s[n]; n++) {
    char c = s[n];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr(extra, c);
    if(!ok || n >= max)
      return false;
  }
  return n > 0;
}

/* Sets url, host and path from the endpoint override or the regional default. */
static mynt_status s_parse_endpoint(aws_http *h)
{
  const char *e = h->cfg.endpoint;
  if(!e[0]) {
    if(!s_valid_name(h->cfg.region, 31, "-"))
      return MYNT_BAD_REQUEST;
    snprintf(h->host, sizeof h->host, "%s.%s.amazonaws.com", h->svc.signing_name, h->cfg.region);
    snprintf(h->origin, sizeof h->origin, "https://%s", h->host);
    snprintf(h->url, sizeof h->url, "https://%s/", h->host);
    snprintf(h->path, sizeof h->path, "/");
    h->base_path[0] = '\0';
    return MYNT_OK;
  }
  const char *rest = strncmp(e, "http://", 7) == 0 ? e + 7 : strncmp(e, "https://", 8) == 0 ? e + 8 : NULL;
  if(!rest)
    return MYNT_BAD_REQUEST;
  size_t host_len = strcspn(rest, "/?#");
  if(host_len == 0 || host_len >= sizeof h->host || rest[host_len] == '?' || rest[host_len] == '#')
    return MYNT_BAD_REQUEST;
  memcpy(h->host, rest, host_len);
  h->host[host_len] = '\0';
  const char *path = rest + host_len;
  snprintf(h->path, sizeof h->path, "%s", *path ? path : "/");
  snprintf(h->url, sizeof h->url, "%s%s", e, *path ? "" : "/");
  snprintf(h->origin, sizeof h->origin, "%.*s", (int)(rest + host_len - e), e);
  size_t base_len = strlen(h->path);
  while(base_len > 0 && h->path[base_len - 1] == '/')
    base_len--;
  snprintf(h->base_path, sizeof h->base_path, "%.*s", (int)base_len, h->path);
  return MYNT_OK;
}

static void s_wipe_response(aws_http *h)
{
  if(h->response.ptr)
    mynt_wipe(h->response.ptr, h->response.alloc);
  buf_reset(&h->response);
}

mynt_status aws_http_new(const aws_config *cfg, const aws_http_service *svc, aws_http **out)
{
  mynt_status st = MYNT_OK;
  *out = NULL;
  aws_http *h = calloc(1, sizeof *h);
  if(!h)
    return MYNT_NOMEM;
  h->svc = *svc;
  h->cfg = *cfg;
  buf_init(&h->response, S_RESPONSE_MAX);
  /* Reference-counted by libcurl; balanced by aws_http_free. */
  if(curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    st = MYNT_INTERNAL;
    goto cleanup;
  }
  if(!h->cfg.creds.access_key_id[0] || !h->cfg.creds.secret_access_key[0] || !h->cfg.region[0]) {
    st = MYNT_BAD_REQUEST;
    goto cleanup;
  }
  st = s_parse_endpoint(h);
  if(st)
    goto cleanup;
  /* Reserve the response buffer once: answers below the reserve are never reallocated, so
   * a sensitive answer leaves no stale copy behind in freed memory. */
  char *zeros = calloc(1, S_RESPONSE_RESERVE);
  st = zeros ? buf_append(&h->response, zeros, S_RESPONSE_RESERVE) : MYNT_NOMEM;
  free(zeros);
  if(st)
    goto cleanup;
  buf_reset(&h->response);
  st = backoff_init(&h->backoff, S_BACKOFF_BASE_MS, S_BACKOFF_CAP_MS);
  if(st)
    goto cleanup;
  h->curl = curl_easy_init();
  if(!h->curl) {
    st = MYNT_INTERNAL;
    goto cleanup;
  }
  CURLcode rc = CURLE_OK;
  rc |= curl_easy_setopt(h->curl, CURLOPT_URL, h->url);
  rc |= curl_easy_setopt(h->curl, CURLOPT_POST, 1L);
  rc |= curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
  rc |= curl_easy_setopt(h->curl, CURLOPT_TCP_KEEPALIVE, 1L);
  rc |= curl_easy_setopt(h->curl, CURLOPT_PROTOCOLS_STR, "http,https");
  rc |= curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, s_on_data);
  rc |= curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, &h->response);
  rc |= curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, s_on_header);
  rc |= curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, h);
  rc |= curl_easy_setopt(h->curl, CURLOPT_ERRORBUFFER, h->curl_error);
  if(h->cfg.ca_bundle[0])
    rc |= curl_easy_setopt(h->curl, CURLOPT_CAINFO, h->cfg.ca_bundle);
  if(rc != CURLE_OK)
    st = MYNT_INTERNAL;

cleanup:
  if(st)
    aws_http_free(h);
  else
    *out = h;
  return st;
}

mynt_status aws_http_new_from_env(const aws_http_service *svc, aws_http **out, mynt_detail *detail)
{
  return aws_http_new_from_env_at(svc, NULL, out, detail);
}

mynt_status aws_http_new_from_env_at(const aws_http_service *svc, const char *endpoint_var, aws_http **out,
                                     mynt_detail *detail)
{
  *out = NULL;
  aws_config cfg;
  mynt_detail why;
  mynt_status st = aws_config_from_env(&cfg, &why);
  if(st)
    return mynt_fail(detail, st, "AWS configuration: %s", mynt_detail_text(&why));
  const char *endpoint = endpoint_var ? getenv(endpoint_var) : NULL;
  if(endpoint && *endpoint) {
    if(strlen(endpoint) >= sizeof cfg.endpoint) {
      mynt_wipe(&cfg.creds, sizeof(cfg.creds));
      return mynt_fail(detail, MYNT_BAD_REQUEST, "%s is too long", endpoint_var);
    }
    snprintf(cfg.endpoint, sizeof cfg.endpoint, "%s", endpoint);
  }
  st = aws_http_new(&cfg, svc, out);
  mynt_wipe(&cfg.creds, sizeof(cfg.creds));
  if(st)
    return mynt_fail(detail, st, "%s client: %s", svc->display_name, mynt_strerror(st));
  return MYNT_OK;
}

mynt_status aws_http_open(const aws_http_service *svc, const aws_config *cfg, const char *endpoint_var, aws_http **out,
                          mynt_detail *detail)
{
  if(!cfg)
    return aws_http_new_from_env_at(svc, endpoint_var, out, detail);
  mynt_status st = aws_http_new(cfg, svc, out);
  return st ? mynt_fail(detail, st, "%s client: %s", svc->display_name, mynt_strerror(st)) : MYNT_OK;
}

mynt_status aws_error_refuse(aws_error *err, mynt_status st, const char *message)
{
  if(err) {
    memset(err, 0, sizeof *err);
    err->status = st;
    snprintf(err->message, sizeof err->message, "%s", message);
  }
  return st;
}

void aws_http_free(aws_http *h)
{
  if(!h)
    return;
  if(h->curl)
    curl_easy_cleanup(h->curl);
  s_wipe_response(h);
  buf_free(&h->response);
  mynt_wipe(&h->cfg, sizeof h->cfg);
  free(h);
  curl_global_cleanup();
}

/* Adds "name: value" to *list. Returns MYNT_OK or MYNT_NOMEM. */
static mynt_status s_add_header(struct curl_slist **list, mynt_buf *line, const char *name, const char *value)
{
  buf_reset(line);
  if(buf_appendf(line, "%s: %s", name, value))
    return MYNT_NOMEM;
  struct curl_slist *next = curl_slist_append(*list, buf_cstr(line));
  mynt_wipe(line->ptr, line->len);
  if(!next)
    return MYNT_NOMEM;
  *list = next;
  return MYNT_OK;
}

/* One request as it goes on the wire, for either protocol. Strings are borrowed. */
typedef struct {
  const char *method;
  const char *url;                     /* the full URL */
  const char *path;                    /* the path as on the request line (what is signed) */
  sigv4_header headers[S_MAX_HEADERS]; /* Host and Content-Type first */
  size_t header_count;
  const char *body;
  size_t body_len;
} s_request;

/* Signs and sends one request. Returns MYNT_OK when an HTTP answer arrived (*out_http set,
 * body in h->response, error_type_header from its headers), or MYNT_TIMEOUT / MYNT_IO /
 * MYNT_NOMEM for a transport failure with the description in err->message. */
static mynt_status s_send_once(aws_http *h, const s_request *r, int64_t timeout_ms, int *out_http, aws_error *err)
{
  struct curl_slist *list = NULL;
  mynt_buf line;
  buf_init(&line, S_HEADER_LINE_MAX);
  sigv4_request req = {
    .method = r->method,
    .path = r->path,
    .headers = r->headers,
    .header_count = r->header_count,
    .body = r->body,
    .body_len = r->body_len,
  };
  sigv4_params p = {
    .access_key_id = h->cfg.creds.access_key_id,
    .secret_access_key = h->cfg.creds.secret_access_key,
    .session_token = h->cfg.creds.session_token,
    .region = h->cfg.region,
    .service = h->svc.signing_name,
    .timestamp = time(NULL),
    .mode = SIGV4_SIGN_HEADERS,
    .normalize_path = 1,
  };
  sigv4_result sig;
  mynt_status st = sigv4_sign(&req, &p, &sig);
  if(st) {
    snprintf(err->message, sizeof err->message, "signing failed: %s", mynt_strerror(st));
    goto cleanup;
  }
  for(size_t i = 0; i < r->header_count && !st; i++)
    st = s_add_header(&list, &line, r->headers[i].name, r->headers[i].value);
  for(size_t i = 0; i < sig.added_count && !st; i++)
    st = s_add_header(&list, &line, sig.added[i].name, sig.added[i].value);
  if(!st) {
    /* No "Expect: 100-continue" round trip for larger bodies. */
    struct curl_slist *next = curl_slist_append(list, "Expect:");
    st = next ? MYNT_OK : MYNT_NOMEM;
    list = next ? next : list;
  }
  if(st) {
    snprintf(err->message, sizeof err->message, "out of memory building the request");
    goto cleanup;
  }

  buf_reset(&h->response);
  h->curl_error[0] = '\0';
  h->error_type_header[0] = '\0';
  long connect_ms = timeout_ms < S_CONNECT_TIMEOUT_MS ? (long)timeout_ms : S_CONNECT_TIMEOUT_MS;
  curl_easy_setopt(h->curl, CURLOPT_URL, r->url);
  curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, list);
  if(strcmp(r->method, "GET") == 0) {
    curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);
  }
  else {
    /* POST and PATCH both send the body; PATCH only renames the request line's method. */
    curl_easy_setopt(h->curl, CURLOPT_POST, 1L);
    curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, r->body);
    curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
    curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, strcmp(r->method, "POST") == 0 ? NULL : r->method);
  }
  curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
  curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
  CURLcode rc = curl_easy_perform(h->curl);
  curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
  curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, NULL);
  curl_easy_setopt(h->curl, CURLOPT_CUSTOMREQUEST, NULL);
  if(rc != CURLE_OK) {
    st = rc == CURLE_OPERATION_TIMEDOUT ? MYNT_TIMEOUT : rc == CURLE_WRITE_ERROR ? MYNT_NOMEM : MYNT_IO;
    snprintf(err->message, sizeof err->message, "%s%s%.160s", rc == CURLE_WRITE_ERROR ? "response over the cap: " : "",
             h->curl_error[0] ? "" : curl_easy_strerror(rc), h->curl_error);
    goto cleanup;
  }
  long code = 0;
  curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &code);
  *out_http = (int)code;

cleanup:
  curl_slist_free_all(list);
  buf_free(&line);
  sigv4_result_free(&sig);
  return st;
}

/* Copies an error name into out as AWS's protocols say clients read it: the part before any
 * ':' (a URL some services append), after any "namespace#". */
static void s_error_name(const char *raw, char *out, size_t out_len)
{
  size_t len = strcspn(raw, ":");
  const char *hash = memchr(raw, '#', len);
  if(hash) {
    len -= (size_t)(hash + 1 - raw);
    raw = hash + 1;
  }
  snprintf(out, out_len, "%.*s", (int)len, raw);
}

/* Reads an error answer into err (the name from x-amzn-ErrorType, else the body's "__type"
 * or "code"; the body's message) and asks the service's classifier what it means. */
static mynt_status s_judge_error(aws_http *h, int http_status, const json_t *request, aws_retry_kind *out_retry,
                                 aws_error *err)
{
  json_t *doc = h->response.len ? json_loadb(h->response.ptr, h->response.len, 0, NULL) : NULL;
  const char *type = h->error_type_header[0] ? h->error_type_header : json_member_string_or(doc, "__type", "code");
  s_error_name(type ? type : "", err->type, sizeof err->type);
  const char *message = json_member_string_or(doc, "message", "Message");
  if(message)
    snprintf(err->message, sizeof err->message, "%s", message);
  else
    snprintf(err->message, sizeof err->message, "HTTP %d%s%s", http_status, err->type[0] ? " " : "", err->type);
  mynt_status st = h->svc.classify ? h->svc.classify(http_status, err->type, doc, request, out_retry)
                                   : aws_http_classify_common(http_status, err->type, out_retry);
  json_decref(doc);
  return st;
}

/* Sends r, retrying what the classifier allows (it sees classify_request, the JSON request
 * or NULL) while deadline_ms leaves room. Returns MYNT_OK with the 2xx answer's body in
 * h->response, or the failure; err is filled either way (but for status). */
static mynt_status s_exchange(aws_http *h, const s_request *r, const json_t *classify_request, int64_t deadline_ms,
                              int sensitive, aws_error *err)
{
  /* The last error the service itself answered: when the deadline then cuts a later try short,
   * that answer (say, throttling) is the cause worth reporting, not the cut-off. */
  aws_error answered = {0};
  mynt_status answered_st = MYNT_OK;
  mynt_status st = MYNT_TIMEOUT;
  snprintf(err->message, sizeof err->message, "the deadline passed before a request was sent");
  for(;;) {
    int64_t timeout_ms = deadline_ms - clock_epoch_ms() - S_SEND_MARGIN_MS;
    if(timeout_ms <= 0 || (err->attempts > 0 && timeout_ms < S_MIN_RETRY_TIMEOUT_MS))
      break;
    if(timeout_ms > S_ATTEMPT_TIMEOUT_MS)
      timeout_ms = S_ATTEMPT_TIMEOUT_MS;
    aws_retry_kind retry = AWS_RETRY_NEVER;
    int http_status = 0;
    err->attempts++;
    err->type[0] = '\0';
    st = s_send_once(h, r, timeout_ms, &http_status, err);
    err->http_status = http_status;
    if(!st && http_status >= 200 && http_status < 300) {
      err->message[0] = '\0';
      break;
    }
    if(!st) {
      st = s_judge_error(h, http_status, classify_request, &retry, err);
      answered = *err;
      answered_st = st;
    }
    else if(st == MYNT_IO || st == MYNT_TIMEOUT) {
      retry = AWS_RETRY_TRANSIENT;
      if(st == MYNT_TIMEOUT && answered_st) {
        int attempts = err->attempts;
        *err = answered;
        err->attempts = attempts;
        st = answered_st;
        break;
      }
    }
    if(sensitive)
      s_wipe_response(h);
    if(retry == AWS_RETRY_NEVER || err->attempts >= S_MAX_ATTEMPTS)
      break;
    int64_t delay = backoff_ms(&h->backoff, err->attempts);
    if(clock_epoch_ms() + delay + S_SLEEP_MARGIN_MS > deadline_ms)
      break;
    clock_sleep_ms(delay);
  }
  return st;
}

/* Parses the 2xx answer in h->response into *out (an empty answer is an empty object when
 * empty_is_object, else not JSON). Returns MYNT_OK or MYNT_PARSE / MYNT_NOMEM with err->message set. */
static mynt_status s_parse_answer(aws_http *h, bool empty_is_object, const char *what, json_t **out, aws_error *err)
{
  if(!h->response.len && empty_is_object)
    *out = json_object();
  else
    *out = json_loadb(buf_cstr(&h->response), h->response.len, 0, NULL);
  if(*out)
    return MYNT_OK;
  if(!h->response.len && empty_is_object) {
    snprintf(err->message, sizeof err->message, "out of memory");
    return MYNT_NOMEM;
  }
  snprintf(err->message, sizeof err->message, "the answer to %s is not JSON", what);
  return MYNT_PARSE;
}

mynt_status aws_http_call(aws_http *h, const char *operation, json_t *request, int64_t deadline_ms, int sensitive,
                          json_t **out_response, aws_error *out_err)
{
  aws_error local;
  aws_error *err = out_err ? out_err : &local;
  mynt_status st = MYNT_OK;
  char *body = NULL;
  size_t body_len = 0;
  char target[160];
  memset(err, 0, sizeof *err);
  *out_response = NULL;

  if(!h || !json_is_object(request) || !operation || !s_valid_name(operation, 63, "")) {
    st = MYNT_BAD_REQUEST;
    snprintf(err->message, sizeof err->message, "invalid operation or request");
    goto cleanup;
  }
  if(deadline_ms == 0)
    deadline_ms = clock_epoch_ms() + S_DEFAULT_DEADLINE_MS;
  snprintf(target, sizeof target, "%s.%s", h->svc.target_prefix, operation);
  body = json_dumps(request, JSON_COMPACT);
  if(!body) {
    st = MYNT_NOMEM;
    snprintf(err->message, sizeof err->message, "cannot serialise the request");
    goto cleanup;
  }
  body_len = strlen(body);
  s_request r = {
    .method = "POST",
    .url = h->url,
    .path = h->path,
    .headers = {{"Host", h->host}, {"Content-Type", h->svc.content_type}, {"X-Amz-Target", target}},
    .header_count = 3,
    .body = body,
    .body_len = body_len,
  };
  st = s_exchange(h, &r, request, deadline_ms, sensitive, err);
  if(!st)
    st = s_parse_answer(h, false, operation, out_response, err);

cleanup:
  if(sensitive && h)
    s_wipe_response(h);
  if(body) {
    if(sensitive)
      mynt_wipe(body, body_len);
    free(body);
  }
  err->status = st;
  return st;
}

/* Whether every extra header has a token name and a value without control characters. */
static bool s_valid_headers(const sigv4_header *headers, size_t count)
{
  for(size_t i = 0; i < count; i++) {
    if(!headers[i].name || !headers[i].value || !str_is_token(headers[i].name, 64) || strchr(headers[i].name, ':'))
      return false;
    for(const char *v = headers[i].value; *v; v++)
      if((unsigned char)*v < 0x20 || *v == 0x7f)
        return false;
  }
  return true;
}

mynt_status aws_http_rest_call(aws_http *h, const aws_http_rest_request *req, int64_t deadline_ms, int sensitive,
                               json_t **out_response, aws_error *out_err)
{
  aws_error local;
  aws_error *err = out_err ? out_err : &local;
  mynt_status st = MYNT_OK;
  char url[S_URL_MAX];
  char path[S_URL_MAX];
  char what[96];
  memset(err, 0, sizeof *err);
  if(out_response)
    *out_response = NULL;

  bool is_get = req && req->method && strcmp(req->method, "GET") == 0;
  bool known_method =
    is_get || (req && req->method && (strcmp(req->method, "POST") == 0 || strcmp(req->method, "PATCH") == 0));
  if(!h || !req || !known_method || (is_get && req->body_len) || !req->path || req->path[0] != '/' ||
     !str_is_token(req->path, S_URL_MAX - 1) || strpbrk(req->path, "?#") ||
     req->header_count > AWS_HTTP_MAX_EXTRA_HEADERS || (req->header_count && !req->headers) ||
     !s_valid_headers(req->headers, req->header_count) || (req->body_len && !req->body)) {
    st = MYNT_BAD_REQUEST;
    snprintf(err->message, sizeof err->message, "invalid method, path or headers");
    goto cleanup;
  }
  int n = snprintf(path, sizeof path, "%s%s", h->base_path, req->path);
  int m = n > 0 && (size_t)n < sizeof path ? snprintf(url, sizeof url, "%s%s", h->origin, path) : -1;
  if(m < 0 || (size_t)m >= sizeof url) {
    st = MYNT_BAD_REQUEST;
    snprintf(err->message, sizeof err->message, "the request path is too long");
    goto cleanup;
  }
  if(deadline_ms == 0)
    deadline_ms = clock_epoch_ms() + S_DEFAULT_DEADLINE_MS;
  snprintf(what, sizeof what, "%s %.80s", req->method, req->path);
  s_request r = {
    .method = req->method,
    .url = url,
    .path = path,
    .headers = {{"Host", h->host}, {"Content-Type", h->svc.content_type}},
    .header_count = is_get ? 1 : 2, /* a GET has no body, so no Content-Type */
    .body = req->body ? req->body : "",
    .body_len = req->body_len,
  };
  for(size_t i = 0; i < req->header_count; i++)
    r.headers[r.header_count++] = req->headers[i];
  st = s_exchange(h, &r, NULL, deadline_ms, sensitive, err);
  if(!st && out_response)
    st = s_parse_answer(h, true, what, out_response, err);

cleanup:
  if(sensitive && h)
    s_wipe_response(h);
  err->status = st;
  return st;
}
