/* runtime.c - the Lambda Runtime API client on one reused libcurl handle. */
#include "runtime/runtime.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "core/clock.h"
#include "core/logger.h"

#define RUNTIME_API_VERSION    "2018-06-01"
#define RUNTIME_FETCH_ATTEMPTS 3
#define RUNTIME_RETRY_STEP_MS  100
#define RUNTIME_TRACE_ENV      "_X_AMZN_TRACE_ID"

struct runtime_ctx {
  CURL *curl;
  char base_url[320];
  char curl_error[CURL_ERROR_SIZE];
  void *user;
  mynt_arena *arena;
  mynt_buf event;
  mynt_buf payload;
  int event_too_large;
  /* The headers of the last GET /next, captured as they arrive. */
  char request_id[128];
  char function_arn[256];
  char trace_id[512];
  char deadline[32];
};

mynt_status runtime_new(const char *api_endpoint, void *user, runtime_ctx **out_rt)
{
  *out_rt = NULL;
  if(!api_endpoint)
    api_endpoint = getenv("AWS_LAMBDA_RUNTIME_API");
  if(!api_endpoint || !*api_endpoint)
    return MYNT_BAD_REQUEST;

  runtime_ctx *rt = calloc(1, sizeof(*rt));
  if(!rt)
    return MYNT_NOMEM;
  mynt_status st = MYNT_OK;
  int n = snprintf(rt->base_url, sizeof(rt->base_url), "http://%s/" RUNTIME_API_VERSION, api_endpoint);
  if(n < 0 || (size_t)n >= sizeof(rt->base_url)) {
    st = MYNT_BAD_REQUEST;
    goto cleanup;
  }
  rt->user = user;
  buf_init(&rt->event, RUNTIME_MAX_PAYLOAD);
  buf_init(&rt->payload, RUNTIME_MAX_PAYLOAD);
  st = arena_new(RUNTIME_ARENA_MAX, &rt->arena);
  if(st)
    goto cleanup;
  rt->curl = curl_easy_init();
  if(!rt->curl) {
    st = MYNT_IO;
    goto cleanup;
  }
  *out_rt = rt;
  return MYNT_OK;

cleanup:
  runtime_free(rt);
  return st;
}

void runtime_free(runtime_ctx *rt)
{
  if(!rt)
    return;
  if(rt->curl)
    curl_easy_cleanup(rt->curl);
  arena_free(rt->arena);
  buf_free(&rt->event);
  buf_free(&rt->payload);
  free(rt);
}

void *runtime_user(runtime_ctx *rt)
{
  return rt->user;
}

mynt_arena *runtime_arena(runtime_ctx *rt)
{
  return rt->arena;
}

int64_t runtime_remaining_ms(const runtime_invocation *inv)
{
  if(inv->deadline_ms <= 0)
    return INT64_MAX;
  int64_t left = inv->deadline_ms - clock_epoch_ms();
  return left > 0 ? left : 0;
}

void runtime_error_set(runtime_error *e, const char *type, const char *fmt, ...)
{
  snprintf(e->type, sizeof(e->type), "%s", type);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->message, sizeof(e->message), fmt, ap);
  va_end(ap);
}

/* Options every call shares. curl_easy_reset keeps the live connections, so the
 * connection to the Runtime API is reused from call to call. */
static void s_prepare(runtime_ctx *rt, const char *url)
{
  curl_easy_reset(rt->curl);
  rt->curl_error[0] = '\0';
  curl_easy_setopt(rt->curl, CURLOPT_URL, url);
  curl_easy_setopt(rt->curl, CURLOPT_ERRORBUFFER, rt->curl_error);
  curl_easy_setopt(rt->curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(rt->curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(rt->curl, CURLOPT_PROTOCOLS_STR, "http");
  curl_easy_setopt(rt->curl, CURLOPT_TCP_NODELAY, 1L);
}

static size_t s_discard_body(char *data, size_t size, size_t nmemb, void *user)
{
  (void)data;
  (void)user;
  return size * nmemb;
}

static size_t s_on_event_body(char *data, size_t size, size_t nmemb, void *user)
{
  runtime_ctx *rt = user;
  size_t n = size * nmemb;
  if(buf_append(&rt->event, data, n)) {
    rt->event_too_large = 1;
    return 0;
  }
  return n;
}

/* Copies value into field when it fits; a value that does not fit counts as absent. */
static void s_capture(char *field, size_t cap, const char *value, size_t len)
{
  if(len >= cap) {
    field[0] = '\0';
    return;
  }
  memcpy(field, value, len);
  field[len] = '\0';
}

static size_t s_on_header(char *line, size_t size, size_t nmemb, void *user)
{
  runtime_ctx *rt = user;
  size_t n = size * nmemb;
  if(n >= 5 && strncmp(line, "HTTP/", 5) == 0) {
    rt->request_id[0] = rt->function_arn[0] = rt->trace_id[0] = rt->deadline[0] = '\0';
    return n;
  }
  const char *colon = memchr(line, ':', n);
  if(!colon)
    return n;
  size_t name_len = (size_t)(colon - line);
  const char *value = colon + 1;
  const char *end = line + n;
  while(value < end && (*value == ' ' || *value == '\t'))
    value++;
  while(end > value && isspace((unsigned char)end[-1]))
    end--;
  size_t value_len = (size_t)(end - value);

  const struct {
    const char *name;
    char *field;
    size_t cap;
  } wanted[] = {
    {"Lambda-Runtime-Aws-Request-Id", rt->request_id, sizeof(rt->request_id)},
    {"Lambda-Runtime-Invoked-Function-Arn", rt->function_arn, sizeof(rt->function_arn)},
    {"Lambda-Runtime-Trace-Id", rt->trace_id, sizeof(rt->trace_id)},
    {"Lambda-Runtime-Deadline-Ms", rt->deadline, sizeof(rt->deadline)},
  };
  for(size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
    if(strlen(wanted[i].name) == name_len && strncasecmp(line, wanted[i].name, name_len) == 0) {
      s_capture(wanted[i].field, wanted[i].cap, value, value_len);
      break;
    }
  }
  return n;
}

static int64_t s_parse_deadline(const char *text)
{
  if(!*text)
    return 0;
  char *end = NULL;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if(errno || *end || v <= 0)
    return 0;
  return (int64_t)v;
}

/* GET /runtime/invocation/next into rt->event and the captured headers; fills inv
 * (payload and event are left for the caller). */
static mynt_status s_fetch_next(runtime_ctx *rt, runtime_invocation *out_inv)
{
  char url[400];
  snprintf(url, sizeof(url), "%s/runtime/invocation/next", rt->base_url);
  buf_reset(&rt->event);
  rt->event_too_large = 0;
  rt->request_id[0] = rt->function_arn[0] = rt->trace_id[0] = rt->deadline[0] = '\0';

  s_prepare(rt, url);
  curl_easy_setopt(rt->curl, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(rt->curl, CURLOPT_WRITEFUNCTION, s_on_event_body);
  curl_easy_setopt(rt->curl, CURLOPT_WRITEDATA, rt);
  curl_easy_setopt(rt->curl, CURLOPT_HEADERFUNCTION, s_on_header);
  curl_easy_setopt(rt->curl, CURLOPT_HEADERDATA, rt);
  CURLcode rc = curl_easy_perform(rt->curl);
  if(rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && rt->event_too_large)) {
    logger_log(LOGGER_ERROR, NULL, "runtime: GET next failed: %s",
               rt->curl_error[0] ? rt->curl_error : curl_easy_strerror(rc));
    return MYNT_IO;
  }
  long code = 0;
  curl_easy_getinfo(rt->curl, CURLINFO_RESPONSE_CODE, &code);
  if(code != 200) {
    logger_log(LOGGER_ERROR, NULL, "runtime: GET next answered HTTP %ld", code);
    return MYNT_UPSTREAM;
  }
  if(!rt->request_id[0]) {
    logger_log(LOGGER_ERROR, NULL, "runtime: GET next carried no usable Lambda-Runtime-Aws-Request-Id");
    return MYNT_UPSTREAM;
  }
  memset(out_inv, 0, sizeof(*out_inv));
  out_inv->request_id = rt->request_id;
  out_inv->function_arn = rt->function_arn;
  out_inv->trace_id = rt->trace_id[0] ? rt->trace_id : NULL;
  out_inv->deadline_ms = s_parse_deadline(rt->deadline);
  out_inv->payload.ptr = buf_cstr(&rt->event);
  out_inv->payload.len = rt->event.len;
  return MYNT_OK;
}

/* POSTs body to base_url + path. error_type, when not NULL, is sent as
 * Lambda-Runtime-Function-Error-Type. Returns MYNT_OK on 202. */
static mynt_status s_post(runtime_ctx *rt, const char *path, const char *body, size_t len, const char *error_type,
                          const char *request_id)
{
  mynt_status st = MYNT_OK;
  struct curl_slist *headers = NULL;
  char url[1024];
  int n = snprintf(url, sizeof(url), "%s%s", rt->base_url, path);
  if(n < 0 || (size_t)n >= sizeof(url))
    return MYNT_INTERNAL;

  char type_line[128] = "";
  if(error_type)
    snprintf(type_line, sizeof(type_line), "Lambda-Runtime-Function-Error-Type: %s", error_type);
  const char *lines[] = {"Content-Type: application/json", "Expect:", type_line};
  for(size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
    if(!lines[i][0])
      continue;
    struct curl_slist *grown = curl_slist_append(headers, lines[i]);
    if(!grown) {
      st = MYNT_NOMEM;
      goto cleanup;
    }
    headers = grown;
  }

  s_prepare(rt, url);
  curl_easy_setopt(rt->curl, CURLOPT_POST, 1L);
  curl_easy_setopt(rt->curl, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(rt->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
  curl_easy_setopt(rt->curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(rt->curl, CURLOPT_WRITEFUNCTION, s_discard_body);
  CURLcode rc = curl_easy_perform(rt->curl);
  if(rc != CURLE_OK) {
    logger_log(LOGGER_ERROR, request_id, "runtime: POST %s failed: %s", path,
               rt->curl_error[0] ? rt->curl_error : curl_easy_strerror(rc));
    st = MYNT_IO;
    goto cleanup;
  }
  long code = 0;
  curl_easy_getinfo(rt->curl, CURLINFO_RESPONSE_CODE, &code);
  if(code != 202) {
    logger_log(LOGGER_ERROR, request_id, "runtime: POST %s answered HTTP %ld", path, code);
    st = MYNT_UPSTREAM;
  }

cleanup:
  curl_slist_free_all(headers);
  return st;
}

/* Keeps only printable ASCII so a type can never break the header it travels in. */
static void s_header_safe(char *out, size_t cap, const char *in)
{
  size_t j = 0;
  for(size_t i = 0; in[i] && j + 1 < cap; i++) {
    unsigned char c = (unsigned char)in[i];
    if(c > 0x20 && c < 0x7f)
      out[j++] = (char)c;
  }
  out[j] = '\0';
}

/* POSTs {"errorMessage","errorType","stackTrace":[]} to path. */
static mynt_status s_post_error(runtime_ctx *rt, const char *path, const char *type, const char *message,
                                const char *request_id)
{
  char safe_type[64];
  s_header_safe(safe_type, sizeof(safe_type), type);
  if(!safe_type[0])
    snprintf(safe_type, sizeof(safe_type), "Function.Error");
  json_t *doc = json_pack("{s:s, s:s, s:[]}", "errorMessage", message, "errorType", safe_type, "stackTrace");
  if(!doc)
    doc = json_pack("{s:s, s:s, s:[]}", "errorMessage", "(message is not valid UTF-8)", "errorType", safe_type,
                    "stackTrace");
  char *body = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(doc);
  if(!body)
    return MYNT_NOMEM;
  mynt_status st = s_post(rt, path, body, strlen(body), safe_type, request_id);
  free(body);
  return st;
}

/* Writes "/runtime/invocation/<request_id, URL-escaped>/<what>" into path (512 bytes).
 * Returns MYNT_OK or MYNT_NOMEM. */
static mynt_status s_invocation_path(runtime_ctx *rt, const char *request_id, const char *what, char path[512])
{
  char *escaped = curl_easy_escape(rt->curl, request_id, 0);
  if(!escaped)
    return MYNT_NOMEM;
  snprintf(path, 512, "/runtime/invocation/%s/%s", escaped, what);
  curl_free(escaped);
  return MYNT_OK;
}

static mynt_status s_post_invocation_error(runtime_ctx *rt, const char *request_id, const char *type,
                                           const char *message)
{
  char path[512];
  if(s_invocation_path(rt, request_id, "error", path))
    return MYNT_NOMEM;
  logger_log(LOGGER_WARN, request_id, "runtime: invocation failed: %s: %s", type, message);
  return s_post_error(rt, path, type, message, request_id);
}

static mynt_status s_post_invocation_response(runtime_ctx *rt, const char *request_id)
{
  char path[512];
  if(s_invocation_path(rt, request_id, "response", path))
    return MYNT_NOMEM;
  return s_post(rt, path, buf_cstr(&rt->payload), rt->payload.len, NULL, request_id);
}

mynt_status runtime_post_init_error(runtime_ctx *rt, const char *error_type, const char *message)
{
  logger_log(LOGGER_ERROR, NULL, "runtime: init failed: %s: %s", error_type, message);
  return s_post_error(rt, "/runtime/init/error", error_type, message, NULL);
}

static void s_set_trace_env(const char *trace_id)
{
  if(trace_id)
    setenv(RUNTIME_TRACE_ENV, trace_id, 1);
  else
    unsetenv(RUNTIME_TRACE_ENV);
}

mynt_status runtime_serve_one(runtime_ctx *rt, runtime_handler handler)
{
  runtime_invocation inv;
  mynt_status st = s_fetch_next(rt, &inv);
  if(st)
    return st;

  if(rt->event_too_large) {
    s_post_invocation_error(rt, inv.request_id, "Runtime.EventTooLarge", "the event is larger than 6 MB");
    goto cleanup;
  }
  json_error_t jerr;
  inv.event = json_loadb(inv.payload.ptr, inv.payload.len, JSON_DECODE_ANY, &jerr);
  if(!inv.event) {
    char message[160];
    snprintf(message, sizeof(message), "the event is not valid JSON (line %d, column %d)", jerr.line, jerr.column);
    s_post_invocation_error(rt, inv.request_id, "Runtime.MalformedEvent", message);
    goto cleanup;
  }

  s_set_trace_env(inv.trace_id);
  buf_reset(&rt->payload);
  runtime_error err;
  memset(&err, 0, sizeof(err));
  int64_t started = clock_mono_ms();
  mynt_status handled = handler(rt, &inv, &rt->payload, &err);
  if(handled == MYNT_OK) {
    s_post_invocation_response(rt, inv.request_id);
  }
  else {
    /* A payload over its cap is this function's own failure, reported as before the buffers
     * told MYNT_TOO_LARGE from MYNT_NOMEM. */
    if(handled == MYNT_TOO_LARGE)
      handled = MYNT_NOMEM;
    if(!err.type[0])
      snprintf(err.type, sizeof(err.type), "Function.%s", mynt_status_code(handled));
    if(!err.message[0])
      snprintf(err.message, sizeof(err.message), "%s", mynt_strerror(handled));
    s_post_invocation_error(rt, inv.request_id, err.type, err.message);
  }
  logger_log(LOGGER_DEBUG, inv.request_id, "runtime: invocation answered in %lld ms",
             (long long)(clock_mono_ms() - started));

cleanup:
  json_decref(inv.event);
  arena_reset(rt->arena);
  buf_reset(&rt->event);
  return MYNT_OK;
}

mynt_status runtime_run(runtime_ctx *rt, runtime_handler handler, unsigned long max_invocations)
{
  unsigned long served = 0;
  int failures = 0;
  while(max_invocations == 0 || served < max_invocations) {
    mynt_status st = runtime_serve_one(rt, handler);
    if(st) {
      if(++failures >= RUNTIME_FETCH_ATTEMPTS)
        return st;
      clock_sleep_ms((int64_t)RUNTIME_RETRY_STEP_MS * failures);
      continue;
    }
    failures = 0;
    served++;
  }
  return MYNT_OK;
}
