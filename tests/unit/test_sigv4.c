/* test_sigv4.c - the SigV4 signer against AWS's official test suite (every case, both modes, every stage). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "aws/sigv4.h"
#include "support/shared_data.h"

#define S_EXPECTED_CASES   38
#define S_MAX_CASE_HEADERS 32

/* One case folder, parsed. */
typedef struct {
  char name[128];
  char dir[1400];
  char *raw; /* request.txt, owned; the fields below point into it */
  char *method;
  char *target; /* path with query, as on the request line */
  char *path;   /* owned copy of the path part */
  char *query;  /* points into target after '?', or NULL */
  sigv4_header headers[S_MAX_CASE_HEADERS];
  size_t header_count;
  const char *body;
  size_t body_len;
  json_t *context;
} s_case;

static char s_suite[1024];

static int s_is_dir(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Finds the suite ($MYNT_SIGV4_SUITE, else $MYNT_SOURCE_DIR/../shared/testdata/sigv4/v4); returns 1 when it is a
 * directory. s_suite holds the path looked at either way ("" when neither variable is set). */
static int s_find_suite(void)
{
  const char *env = getenv("MYNT_SIGV4_SUITE");
  const char *src = getenv("MYNT_SOURCE_DIR");
  s_suite[0] = '\0';
  if(env && *env)
    snprintf(s_suite, sizeof s_suite, "%s", env);
  else if(src && *src)
    snprintf(s_suite, sizeof s_suite, "%s/../shared/testdata/sigv4/v4", src);
  return s_suite[0] && s_is_dir(s_suite);
}

static char *s_read_file(const char *dir, const char *file, size_t *out_len)
{
  char path[1500];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  FILE *f = fopen(path, "rb");
  if(!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *data = malloc((size_t)n + 1);
  if(data && fread(data, 1, (size_t)n, f) != (size_t)n) {
    free(data);
    data = NULL;
  }
  fclose(f);
  if(data) {
    data[n] = '\0';
    if(out_len)
      *out_len = (size_t)n;
  }
  return data;
}

/* Splits request.txt in place: request line, headers (continuation lines folded into the
 * previous value with their line break kept), blank line, body. */
static int s_parse_request(s_case *c)
{
  char *p = c->raw;
  char *eol = strchr(p, '\n');
  if(!eol)
    return 0;
  *eol = '\0';
  char *sp = strchr(p, ' ');
  char *proto = strstr(p, " HTTP/");
  if(!sp || !proto || proto < sp)
    return 0;
  *sp = '\0';
  *proto = '\0';
  c->method = p;
  c->target = sp + 1;
  char *q = strchr(c->target, '?');
  c->path = q ? strndup(c->target, (size_t)(q - c->target)) : strdup(c->target);
  c->query = q ? q + 1 : NULL;

  p = eol + 1;
  while(*p && *p != '\n') {
    eol = strchr(p, '\n');
    char *next = eol ? eol + 1 : p + strlen(p);
    if(eol)
      *eol = '\0';
    if((*p == ' ' || *p == '\t') && c->header_count) {
      /* Folded continuation: re-join with the line break that the request text has. */
      char *value = (char *)c->headers[c->header_count - 1].value;
      value[strlen(value)] = '\n';
    }
    else {
      char *colon = strchr(p, ':');
      if(!colon || c->header_count == S_MAX_CASE_HEADERS)
        return 0;
      *colon = '\0';
      c->headers[c->header_count].name = p;
      c->headers[c->header_count].value = colon + 1;
      c->header_count++;
    }
    p = next;
  }
  c->body = *p == '\n' ? p + 1 : p;
  c->body_len = strlen(c->body);
  return 1;
}

static int s_load_case(const char *name, s_case *c)
{
  memset(c, 0, sizeof *c);
  snprintf(c->name, sizeof c->name, "%s", name);
  snprintf(c->dir, sizeof c->dir, "%s/%s", s_suite, name);
  char path[1500];
  snprintf(path, sizeof path, "%s/context.json", c->dir);
  c->context = json_load_file(path, 0, NULL);
  c->raw = s_read_file(c->dir, "request.txt", NULL);
  return c->context && c->raw && s_parse_request(c);
}

static void s_free_case(s_case *c)
{
  json_decref(c->context);
  free(c->raw);
  free(c->path);
}

static time_t s_parse_timestamp(const char *iso)
{
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  if(!strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm))
    return (time_t)-1;
  return timegm(&tm);
}

static sigv4_params s_params_of(const s_case *c, sigv4_mode mode)
{
  json_t *creds = json_object_get(c->context, "credentials");
  sigv4_params p = {
    .access_key_id = json_string_value(json_object_get(creds, "access_key_id")),
    .secret_access_key = json_string_value(json_object_get(creds, "secret_access_key")),
    .session_token = json_string_value(json_object_get(creds, "token")),
    .region = json_string_value(json_object_get(c->context, "region")),
    .service = json_string_value(json_object_get(c->context, "service")),
    .timestamp = s_parse_timestamp(json_string_value(json_object_get(c->context, "timestamp"))),
    .mode = mode,
    .normalize_path = json_is_true(json_object_get(c->context, "normalize")),
    .sign_body = json_is_true(json_object_get(c->context, "sign_body")),
    .omit_session_token = json_is_true(json_object_get(c->context, "omit_session_token")),
    .expires_seconds = (long)json_integer_value(json_object_get(c->context, "expiration_in_seconds")),
  };
  return p;
}

/* Compares actual with the expected file, ignoring one trailing newline on either side.
 * Prints both on a mismatch and returns 1 for a match. */
static int s_matches(const s_case *c, const char *file, const char *actual, size_t actual_len)
{
  size_t expected_len = 0;
  char *expected = s_read_file(c->dir, file, &expected_len);
  if(!expected) {
    fprintf(stderr, "%s: cannot read %s\n", c->name, file);
    return 0;
  }
  if(expected_len && expected[expected_len - 1] == '\n')
    expected_len--;
  if(actual_len && actual[actual_len - 1] == '\n')
    actual_len--;
  int ok = expected_len == actual_len && memcmp(expected, actual, actual_len) == 0;
  if(!ok)
    fprintf(stderr, "%s: %s differs\n--- expected\n%.*s\n--- actual\n%.*s\n---\n", c->name, file, (int)expected_len,
            expected, (int)actual_len, actual);
  free(expected);
  return ok;
}

/* Rebuilds the signed request as the suite writes it: the request line (with the presigned
 * parameters appended to the query in query mode), the original header lines unchanged, the
 * headers the signer added, a blank line, the body. */
static void s_signed_request_text(const s_case *c, const sigv4_result *r, mynt_buf *out)
{
  const char *query = c->query;
  int has_query = query != NULL;
  buf_appendf(out, "%s %s", c->method, c->path);
  if(has_query)
    buf_appendf(out, "?%s", query);
  if(r->query.len)
    buf_appendf(out, "%s%s", has_query ? "&" : "?", buf_cstr(&r->query));
  buf_appends(out, " HTTP/1.1\n");
  for(size_t i = 0; i < c->header_count; i++)
    buf_appendf(out, "%s:%s\n", c->headers[i].name, c->headers[i].value);
  for(size_t i = 0; i < r->added_count; i++)
    buf_appendf(out, "%s:%s\n", r->added[i].name, r->added[i].value);
  buf_appends(out, "\n");
  buf_append(out, c->body, c->body_len);
}

/* Runs one case in one mode; returns the number of mismatching stages. */
static int s_run_case(const s_case *c, sigv4_mode mode)
{
  const char *prefix = mode == SIGV4_SIGN_HEADERS ? "header" : "query";
  char file[64];
  int failures = 0;
  sigv4_params p = s_params_of(c, mode);
  sigv4_request req = {
    .method = c->method,
    .path = c->path,
    .query = c->query,
    .headers = c->headers,
    .header_count = c->header_count,
    .body = c->body,
    .body_len = c->body_len,
  };
  sigv4_result r;
  mynt_status st = sigv4_sign(&req, &p, &r);
  if(st) {
    fprintf(stderr, "%s (%s): sigv4_sign failed: %s\n", c->name, prefix, mynt_strerror(st));
    sigv4_result_free(&r);
    return 1;
  }

  snprintf(file, sizeof file, "%s-canonical-request.txt", prefix);
  failures += !s_matches(c, file, buf_cstr(&r.canonical_request), r.canonical_request.len);
  snprintf(file, sizeof file, "%s-string-to-sign.txt", prefix);
  failures += !s_matches(c, file, buf_cstr(&r.string_to_sign), r.string_to_sign.len);
  snprintf(file, sizeof file, "%s-signature.txt", prefix);
  failures += !s_matches(c, file, r.signature, strlen(r.signature));

  mynt_buf signed_text;
  buf_init(&signed_text, 1 << 20);
  s_signed_request_text(c, &r, &signed_text);
  snprintf(file, sizeof file, "%s-signed-request.txt", prefix);
  failures += !s_matches(c, file, buf_cstr(&signed_text), signed_text.len);
  buf_free(&signed_text);

  /* Each later stage on its own, fed the suite's expected input rather than our output. */
  size_t len = 0;
  snprintf(file, sizeof file, "%s-canonical-request.txt", prefix);
  char *expected_creq = s_read_file(c->dir, file, &len);
  if(expected_creq) {
    if(len && expected_creq[len - 1] == '\n')
      len--;
    mynt_buf sts;
    buf_init(&sts, 1 << 16);
    assert_int_equal(sigv4_string_to_sign(r.amz_date, p.region, p.service, expected_creq, len, &sts), MYNT_OK);
    snprintf(file, sizeof file, "%s-string-to-sign.txt", prefix);
    failures += !s_matches(c, file, buf_cstr(&sts), sts.len);
    buf_free(&sts);
    free(expected_creq);
  }
  snprintf(file, sizeof file, "%s-string-to-sign.txt", prefix);
  char *expected_sts = s_read_file(c->dir, file, &len);
  if(expected_sts) {
    if(len && expected_sts[len - 1] == '\n')
      len--;
    char sig[65];
    assert_int_equal(sigv4_signature(p.secret_access_key, r.amz_date, p.region, p.service, expected_sts, len, sig),
                     MYNT_OK);
    snprintf(file, sizeof file, "%s-signature.txt", prefix);
    failures += !s_matches(c, file, sig, strlen(sig));
    free(expected_sts);
  }
  sigv4_result_free(&r);
  return failures;
}

static int s_name_cmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every case folder in mode; asserts all stages match and that exactly 38 cases ran. */
static void s_run_suite(sigv4_mode mode)
{
  assert_true(s_find_suite()); /* main checked */
  DIR *d = opendir(s_suite);
  assert_non_null(d);
  char *names[128];
  size_t count = 0;
  struct dirent *e;
  while((e = readdir(d)) != NULL && count < 128) {
    char context[1500];
    snprintf(context, sizeof context, "%s/%s/context.json", s_suite, e->d_name);
    if(e->d_name[0] != '.' && access(context, R_OK) == 0)
      names[count++] = strdup(e->d_name);
  }
  closedir(d);
  qsort(names, count, sizeof names[0], s_name_cmp);

  int failures = 0;
  size_t ran = 0;
  for(size_t i = 0; i < count; i++) {
    s_case c;
    if(!s_load_case(names[i], &c)) {
      fprintf(stderr, "%s: cannot load the case\n", names[i]);
      failures++;
    }
    else {
      failures += s_run_case(&c, mode);
      ran++;
    }
    s_free_case(&c);
    free(names[i]);
  }
  assert_int_equal(failures, 0);
  assert_int_equal(ran, S_EXPECTED_CASES);
}

static void test_sigv4_header_signing_matches_every_suite_case(void **state)
{
  (void)state;
  s_run_suite(SIGV4_SIGN_HEADERS);
}

static void test_sigv4_query_signing_matches_every_suite_case(void **state)
{
  (void)state;
  s_run_suite(SIGV4_SIGN_QUERY);
}

static sigv4_params s_plain_params(sigv4_mode mode)
{
  sigv4_params p = {
    .access_key_id = "AKIDEXAMPLE",
    .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    .region = "us-east-1",
    .service = "dynamodb",
    .timestamp = 1440938160,
    .mode = mode,
    .normalize_path = 1,
    .expires_seconds = 60,
  };
  return p;
}

/* Asserts sigv4_sign refuses req with p as a bad request and adds no header. */
static void s_assert_refused(const sigv4_request *req, sigv4_params p)
{
  sigv4_result r;
  assert_int_equal(sigv4_sign(req, &p, &r), MYNT_BAD_REQUEST);
  assert_int_equal(r.added_count, 0);
  sigv4_result_free(&r);
}

static void test_sigv4_rejects_caller_supplied_authorization_and_date_headers(void **state)
{
  (void)state;
  const char *reserved[] = {"Authorization", "X-Amz-Date", "x-amz-security-token", "X-Amz-Content-Sha256"};
  for(size_t i = 0; i < 4; i++) {
    sigv4_header h[2] = {{"Host", "example.amazonaws.com"}, {reserved[i], "x"}};
    sigv4_request req = {.method = "POST", .path = "/", .headers = h, .header_count = 2};
    s_assert_refused(&req, s_plain_params(SIGV4_SIGN_HEADERS));
  }
}

static void test_sigv4_rejects_missing_host_and_bad_expiry(void **state)
{
  (void)state;
  sigv4_header other = {"Content-Type", "x"};
  sigv4_request req = {.method = "GET", .path = "/", .headers = &other, .header_count = 1};
  s_assert_refused(&req, s_plain_params(SIGV4_SIGN_HEADERS));

  sigv4_header host = {"Host", "example.amazonaws.com"};
  req.headers = &host;
  sigv4_params p = s_plain_params(SIGV4_SIGN_QUERY);
  p.expires_seconds = 604801;
  s_assert_refused(&req, p);
}

static void test_sigv4_encodes_already_encoded_path_again_and_keeps_unreserved(void **state)
{
  (void)state;
  mynt_buf b;
  buf_init(&b, 256);
  assert_int_equal(sigv4_uri_encode(&b, "/a%20b/~x y+z", 13, 1), MYNT_OK);
  assert_string_equal(buf_cstr(&b), "/a%2520b/~x%20y%2Bz");
  buf_reset(&b);
  assert_int_equal(sigv4_uri_encode(&b, "a/b", 3, 0), MYNT_OK);
  assert_string_equal(buf_cstr(&b), "a%2Fb");
  buf_free(&b);
}

static void test_sigv4_keeps_trailing_slash_after_dot_segments(void **state)
{
  (void)state;
  sigv4_header host = {"Host", "h"};
  sigv4_request req = {.method = "GET", .path = "/a/b/../c/.", .headers = &host, .header_count = 1};
  sigv4_params p = s_plain_params(SIGV4_SIGN_HEADERS);
  sigv4_result r;
  assert_int_equal(sigv4_sign(&req, &p, &r), MYNT_OK);
  assert_true(strncmp(buf_cstr(&r.canonical_request), "GET\n/a/c/\n", 10) == 0);
  sigv4_result_free(&r);
}

static void test_sigv4_session_token_is_signed_in_header_mode(void **state)
{
  (void)state;
  sigv4_header h[2] = {{"Host", "dynamodb.us-east-1.amazonaws.com"}, {"X-Amz-Target", "DynamoDB_20120810.GetItem"}};
  sigv4_request req = {.method = "POST", .path = "/", .headers = h, .header_count = 2, .body = "{}", .body_len = 2};
  sigv4_params p = s_plain_params(SIGV4_SIGN_HEADERS);
  p.session_token = "tok";
  sigv4_result r;
  assert_int_equal(sigv4_sign(&req, &p, &r), MYNT_OK);
  assert_string_equal(buf_cstr(&r.signed_headers), "host;x-amz-date;x-amz-security-token;x-amz-target");
  assert_int_equal(r.added_count, 3);
  assert_string_equal(r.added[0].name, "X-Amz-Security-Token");
  assert_string_equal(r.added[0].value, "tok");
  assert_string_equal(r.added[2].name, "Authorization");
  assert_true(strstr(r.added[2].value, "Credential=AKIDEXAMPLE/20150830/us-east-1/dynamodb/aws4_request") != NULL);
  sigv4_result_free(&r);
}

/* Without arguments: the tests of the signer's own rules. With --suite: the AWS suite's cases (ctest's
 * test_sigv4_suite), which exits as shared_data_missing says when the suite is absent. */
int main(int argc, char **argv)
{
  if(argc > 1 && strcmp(argv[1], "--suite") == 0) {
    if(!s_find_suite())
      return shared_data_missing("the SigV4 suite (set MYNT_SIGV4_SUITE)", s_suite[0] ? s_suite : "(no path set)");
    const struct CMUnitTest suite[] = {
      cmocka_unit_test(test_sigv4_header_signing_matches_every_suite_case),
      cmocka_unit_test(test_sigv4_query_signing_matches_every_suite_case),
    };
    return cmocka_run_group_tests_name("sigv4_suite", suite, NULL, NULL);
  }
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_sigv4_rejects_caller_supplied_authorization_and_date_headers),
    cmocka_unit_test(test_sigv4_rejects_missing_host_and_bad_expiry),
    cmocka_unit_test(test_sigv4_encodes_already_encoded_path_again_and_keeps_unreserved),
    cmocka_unit_test(test_sigv4_keeps_trailing_slash_after_dot_segments),
    cmocka_unit_test(test_sigv4_session_token_is_signed_in_header_mode),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
