/* test_http_server.c - the local programs' shared HTTP server (local/common/http_server) and CLI plumbing (cli). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "core/buf.h"
#include "local/common/cli.h"
#include "local/common/http_server.h"

/* What the handler saw of the last request, and how often each callback ran. */
typedef struct {
  char seen[512];
  int handled;
  int header_checks;
  bool refuse_in_header_check;
} s_probe;

static enum MHD_Result s_reply(struct MHD_Connection *c, unsigned status, const char *text)
{
  struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
  if(!r)
    return MHD_NO;
  enum MHD_Result ok = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ok;
}

static enum MHD_Result s_echo(void *ctx, struct MHD_Connection *c, const http_server_request *req)
{
  s_probe *p = ctx;
  p->handled++;
  snprintf(p->seen, sizeof(p->seen), "%s %s %s [%.*s] %zu %s", req->method, req->url, req->raw_uri, (int)req->body_len,
           req->body, req->body_len, req->body_too_large ? "too-large" : "fits");
  return s_reply(c, 200, p->seen);
}

static bool s_header_check(void *ctx, struct MHD_Connection *c, const http_server_request *req, enum MHD_Result *out)
{
  s_probe *p = ctx;
  p->header_checks++;
  if(!p->refuse_in_header_check || req->body_len != 0)
    return false;
  *out = s_reply(c, 413, "refused early");
  return true;
}

static size_t s_collect(char *data, size_t size, size_t n, void *userp)
{
  return buf_append(userp, data, size * n) == MYNT_OK ? size * n : 0;
}

/* Sends one request to the server on port; body NULL = GET. Returns the status (0 when the
 * transfer failed) with the answer's text in out. */
static long s_request(uint16_t port, const char *path, const char *body, mynt_buf *out)
{
  char url[256];
  snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)port, path);
  CURL *h = curl_easy_init();
  assert_non_null(h);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, s_collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
  if(body)
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
  long status = 0;
  if(curl_easy_perform(h) == CURLE_OK)
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(h);
  return status;
}

static http_server *s_start(http_server_options *opts, s_probe *probe)
{
  opts->handler = s_echo;
  opts->ctx = probe;
  http_server *s = NULL;
  mynt_detail detail;
  assert_int_equal(http_server_new(opts, &detail, &s), MYNT_OK);
  assert_non_null(s);
  assert_int_not_equal(http_server_port(s), 0);
  return s;
}

static void test_http_server_serves_the_whole_body_on_an_ephemeral_loopback_port(void **state)
{
  (void)state;
  s_probe probe = {0};
  http_server_options opts = {.thread_per_connection = true};
  http_server *s = s_start(&opts, &probe);
  mynt_buf answer;
  buf_init(&answer, 4096);
  assert_int_equal(s_request(http_server_port(s), "/echo", "hello", &answer), 200);
  assert_string_equal(buf_cstr(&answer), "POST /echo /echo [hello] 5 fits");
  assert_int_equal(probe.handled, 1);
  buf_free(&answer);
  http_server_free(s);
}

static void test_http_server_gives_the_raw_uri_beside_the_decoded_path(void **state)
{
  (void)state;
  s_probe probe = {0};
  http_server_options opts = {0};
  http_server *s = s_start(&opts, &probe);
  mynt_buf answer;
  buf_init(&answer, 4096);
  assert_int_equal(s_request(http_server_port(s), "/a%20b?x=1%2B2", NULL, &answer), 200);
  assert_string_equal(buf_cstr(&answer), "GET /a b /a%20b?x=1%2B2 [] 0 fits");
  buf_free(&answer);
  http_server_free(s);
}

static void test_http_server_flags_a_body_over_max_body_and_keeps_none_of_it(void **state)
{
  (void)state;
  s_probe probe = {0};
  http_server_options opts = {.max_body = 8};
  http_server *s = s_start(&opts, &probe);
  mynt_buf answer;
  buf_init(&answer, 4096);
  assert_int_equal(s_request(http_server_port(s), "/big", "0123456789abcdef", &answer), 200);
  assert_string_equal(buf_cstr(&answer), "POST /big /big [] 0 too-large");
  buf_reset(&answer);
  assert_int_equal(s_request(http_server_port(s), "/small", "01234567", &answer), 200);
  assert_string_equal(buf_cstr(&answer), "POST /small /small [01234567] 8 fits");
  buf_free(&answer);
  http_server_free(s);
}

static void test_http_server_header_check_answers_before_the_handler(void **state)
{
  (void)state;
  s_probe probe = {.refuse_in_header_check = true};
  http_server_options opts = {.on_headers = s_header_check, .thread_per_connection = true};
  http_server *s = s_start(&opts, &probe);
  mynt_buf answer;
  buf_init(&answer, 4096);
  assert_int_equal(s_request(http_server_port(s), "/refused", "body", &answer), 413);
  assert_string_equal(buf_cstr(&answer), "refused early");
  assert_int_equal(probe.header_checks, 1);
  assert_int_equal(probe.handled, 0);

  probe.refuse_in_header_check = false;
  buf_reset(&answer);
  assert_int_equal(s_request(http_server_port(s), "/passed", "body", &answer), 200);
  assert_int_equal(probe.header_checks, 2);
  assert_int_equal(probe.handled, 1);
  buf_free(&answer);
  http_server_free(s);
}

static void test_http_server_new_refuses_a_host_that_is_not_an_address(void **state)
{
  (void)state;
  s_probe probe = {0};
  http_server_options opts = {.host = "localhost", .handler = s_echo, .ctx = &probe};
  http_server *s = (http_server *)&probe; /* must come back NULL */
  mynt_detail detail;
  assert_int_equal(http_server_new(&opts, &detail, &s), MYNT_BAD_REQUEST);
  assert_null(s);
  assert_string_equal(mynt_detail_text(&detail), "bad host localhost");
}

static void test_http_server_new_refuses_a_missing_handler(void **state)
{
  (void)state;
  http_server_options opts = {0};
  http_server *s = NULL;
  assert_int_equal(http_server_new(&opts, NULL, &s), MYNT_BAD_REQUEST);
  assert_null(s);
}

static void test_http_server_new_reports_a_port_already_in_use(void **state)
{
  (void)state;
  s_probe probe = {0};
  http_server_options opts = {0};
  http_server *first = s_start(&opts, &probe);
  http_server_options again = {.port = http_server_port(first), .handler = s_echo, .ctx = &probe};
  http_server *second = NULL;
  mynt_detail detail;
  assert_int_equal(http_server_new(&again, &detail, &second), MYNT_IO);
  assert_null(second);
  assert_string_equal(mynt_detail_text(&detail), "cannot listen on 127.0.0.1 (port in use?)");
  http_server_free(first);
}

static void test_http_server_free_accepts_null_and_a_quiesced_server(void **state)
{
  (void)state;
  http_server_free(NULL);
  s_probe probe = {0};
  http_server_options opts = {.thread_per_connection = true};
  http_server *s = s_start(&opts, &probe);
  http_server_quiesce(s);
  http_server_quiesce(s);
  http_server_free(s);
}

static void test_cli_parse_port_accepts_0_to_65535_only(void **state)
{
  (void)state;
  static const struct {
    const char *text;
    bool ok;
    uint16_t port;
  } cases[] = {
    {"0", true, 0},   {"8080", true, 8080}, {"65535", true, 65535}, {"65536", false, 0},
    {"-1", false, 0}, {"", false, 0},       {"80x", false, 0},      {"99999999999999999999", false, 0},
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    uint16_t port = 4242;
    assert_int_equal(cli_parse_port(cases[i].text, &port), cases[i].ok);
    assert_int_equal(port, cases[i].ok ? cases[i].port : 4242);
  }
  uint16_t port = 4242;
  assert_false(cli_parse_port(NULL, &port));
  assert_int_equal(port, 4242);
}

int main(void)
{
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_http_server_serves_the_whole_body_on_an_ephemeral_loopback_port),
    cmocka_unit_test(test_http_server_gives_the_raw_uri_beside_the_decoded_path),
    cmocka_unit_test(test_http_server_flags_a_body_over_max_body_and_keeps_none_of_it),
    cmocka_unit_test(test_http_server_header_check_answers_before_the_handler),
    cmocka_unit_test(test_http_server_new_refuses_a_host_that_is_not_an_address),
    cmocka_unit_test(test_http_server_new_refuses_a_missing_handler),
    cmocka_unit_test(test_http_server_new_reports_a_port_already_in_use),
    cmocka_unit_test(test_http_server_free_accepts_null_and_a_quiesced_server),
    cmocka_unit_test(test_cli_parse_port_accepts_0_to_65535_only),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  curl_global_cleanup();
  return failed;
}
