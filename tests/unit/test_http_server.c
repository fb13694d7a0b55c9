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
#include "support/unit_curl.h"

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

/* Sends one request to the server on port; body NULL = GET; host NULL = curl's own Host header
 * (127.0.0.1:port), "" = none at all (as HTTP/1.0), else "Host: <host>". Returns the status (0 when the
 * transfer failed) with the answer's text in out. */
static long s_request_as(uint16_t port, const char *path, const char *body, const char *host, mynt_buf *out)
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
  struct curl_slist *headers = NULL;
  char host_header[256];
  if(host) {
    snprintf(host_header, sizeof(host_header), "Host:%s%s", *host ? " " : "", host);
    headers = curl_slist_append(NULL, host_header);
    assert_non_null(headers);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if(!*host)
      curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_0);
  }
  long status = 0;
  if(curl_easy_perform(h) == CURLE_OK)
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(h);
  curl_slist_free_all(headers);
  return status;
}

static long s_request(uint16_t port, const char *path, const char *body, mynt_buf *out)
{
  return s_request_as(port, path, body, NULL, out);
}

/* One server under test, what its handler saw, and the last answer. */
typedef struct {
  s_probe probe;
  http_server *server;
  mynt_buf answer;
} s_fixture;

/* Starts a server with opts (handler and ctx filled in here) on an ephemeral loopback port. */
static void s_open(s_fixture *fx, http_server_options opts)
{
  memset(fx, 0, sizeof(*fx));
  buf_init(&fx->answer, 4096);
  opts.handler = s_echo;
  opts.ctx = &fx->probe;
  mynt_detail detail;
  assert_int_equal(http_server_new(&opts, &detail, &fx->server), MYNT_OK);
  assert_non_null(fx->server);
  assert_int_not_equal(http_server_port(fx->server), 0);
}

/* Sends one request (body NULL = GET); returns the status, the answer's text in fx->answer. */
static long s_ask(s_fixture *fx, const char *path, const char *body)
{
  buf_reset(&fx->answer);
  return s_request(http_server_port(fx->server), path, body, &fx->answer);
}

/* Like s_ask with the Host header host (see s_request_as). */
static long s_ask_as(s_fixture *fx, const char *path, const char *body, const char *host)
{
  buf_reset(&fx->answer);
  return s_request_as(http_server_port(fx->server), path, body, host, &fx->answer);
}

static void s_close(s_fixture *fx)
{
  http_server_free(fx->server);
  buf_free(&fx->answer);
}

static void test_http_server_serves_the_whole_body_on_an_ephemeral_loopback_port(void **state)
{
  (void)state;
  s_fixture fx;
  s_open(&fx, (http_server_options){.thread_per_connection = true});
  assert_int_equal(s_ask(&fx, "/echo", "hello"), 200);
  assert_string_equal(buf_cstr(&fx.answer), "POST /echo /echo [hello] 5 fits");
  assert_int_equal(fx.probe.handled, 1);
  s_close(&fx);
}

static void test_http_server_gives_the_raw_uri_beside_the_decoded_path(void **state)
{
  (void)state;
  s_fixture fx;
  s_open(&fx, (http_server_options){0});
  assert_int_equal(s_ask(&fx, "/a%20b?x=1%2B2", NULL), 200);
  assert_string_equal(buf_cstr(&fx.answer), "GET /a b /a%20b?x=1%2B2 [] 0 fits");
  s_close(&fx);
}

static void test_http_server_flags_a_body_over_max_body_and_keeps_none_of_it(void **state)
{
  (void)state;
  s_fixture fx;
  s_open(&fx, (http_server_options){.max_body = 8});
  assert_int_equal(s_ask(&fx, "/big", "0123456789abcdef"), 200);
  assert_string_equal(buf_cstr(&fx.answer), "POST /big /big [] 0 too-large");
  assert_int_equal(s_ask(&fx, "/small", "01234567"), 200);
  assert_string_equal(buf_cstr(&fx.answer), "POST /small /small [01234567] 8 fits");
  s_close(&fx);
}

static void test_http_server_header_check_answers_before_the_handler(void **state)
{
  (void)state;
  s_fixture fx;
  s_open(&fx, (http_server_options){.on_headers = s_header_check, .thread_per_connection = true});
  fx.probe.refuse_in_header_check = true;
  assert_int_equal(s_ask(&fx, "/refused", "body"), 413);
  assert_string_equal(buf_cstr(&fx.answer), "refused early");
  assert_int_equal(fx.probe.header_checks, 1);
  assert_int_equal(fx.probe.handled, 0);

  fx.probe.refuse_in_header_check = false;
  assert_int_equal(s_ask(&fx, "/passed", "body"), 200);
  assert_int_equal(fx.probe.header_checks, 2);
  assert_int_equal(fx.probe.handled, 1);
  s_close(&fx);
}

static void test_http_server_host_is_loopback_accepts_loopback_names_only(void **state)
{
  (void)state;
  static const struct {
    const char *host;
    bool loopback;
  } cases[] = {
    {"localhost", true},
    {"localhost:8080", true},
    {"LocalHost:3000", true},
    {"127.0.0.1", true},
    {"127.0.0.1:65535", true},
    {"[::1]", true},
    {"[::1]:9", true},
    {NULL, false},
    {"", false},
    {"evil.example", false},
    {"evil.example:8080", false},
    {"localhost.evil.example", false},
    {"localhost.", false},
    {"127.0.0.1.nip.io", false},
    {"127.0.0.2", false},
    {"0.0.0.0:8080", false},
    {"::1", false},
    {"[::1]x", false},
    {"localhost:", false},
    {"localhost:80a", false},
    {"localhost:123456", false},
    {"localhost:80:80", false},
    {"localhost 8080", false},
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    if(http_server_host_is_loopback(cases[i].host) != cases[i].loopback)
      fail_msg("Host %s%s%s should be %s", cases[i].host ? "\"" : "", cases[i].host ? cases[i].host : "(none)",
               cases[i].host ? "\"" : "", cases[i].loopback ? "accepted" : "refused");
}

static void test_http_server_answers_421_to_a_request_for_another_host(void **state)
{
  (void)state;
  s_fixture fx;
  s_open(&fx, (http_server_options){.on_headers = s_header_check, .thread_per_connection = true});
  char host[64];
  snprintf(host, sizeof(host), "rebound.example:%u", (unsigned)http_server_port(fx.server));
  assert_int_equal(s_ask_as(&fx, "/drive", "{\"x\":1}", host), 421);
  assert_string_equal(buf_cstr(&fx.answer), "{\"message\":\"Misdirected Request\"}");
  assert_int_equal(s_ask_as(&fx, "/drive", NULL, "127.0.0.1.nip.io"), 421);
  assert_int_equal(s_ask_as(&fx, "/drive", NULL, ""), 421); /* HTTP/1.0 without a Host */
  /* neither callback saw any of them */
  assert_int_equal(fx.probe.header_checks, 0);
  assert_int_equal(fx.probe.handled, 0);

  snprintf(host, sizeof(host), "LOCALHOST:%u", (unsigned)http_server_port(fx.server));
  assert_int_equal(s_ask_as(&fx, "/ok", "a", host), 200);
  assert_string_equal(buf_cstr(&fx.answer), "POST /ok /ok [a] 1 fits");
  assert_int_equal(s_ask_as(&fx, "/ok", NULL, "[::1]"), 200);
  assert_int_equal(s_ask(&fx, "/ok", NULL), 200);
  assert_int_equal(fx.probe.header_checks, 3);
  assert_int_equal(fx.probe.handled, 3);
  s_close(&fx);
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
  s_fixture fx;
  s_open(&fx, (http_server_options){0});
  http_server_options again = {.port = http_server_port(fx.server), .handler = s_echo, .ctx = &fx.probe};
  http_server *second = NULL;
  mynt_detail detail;
  assert_int_equal(http_server_new(&again, &detail, &second), MYNT_IO);
  assert_null(second);
  assert_string_equal(mynt_detail_text(&detail), "cannot listen on 127.0.0.1 (port in use?)");
  s_close(&fx);
}

static void test_http_server_free_accepts_null_and_a_quiesced_server(void **state)
{
  (void)state;
  http_server_free(NULL);
  s_fixture fx;
  s_open(&fx, (http_server_options){.thread_per_connection = true});
  http_server_quiesce(fx.server);
  http_server_quiesce(fx.server);
  s_close(&fx);
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

UNIT_MAIN("http_server", unit_curl_setup, unit_curl_teardown,
          {
            cmocka_unit_test(test_http_server_serves_the_whole_body_on_an_ephemeral_loopback_port),
            cmocka_unit_test(test_http_server_gives_the_raw_uri_beside_the_decoded_path),
            cmocka_unit_test(test_http_server_flags_a_body_over_max_body_and_keeps_none_of_it),
            cmocka_unit_test(test_http_server_header_check_answers_before_the_handler),
            cmocka_unit_test(test_http_server_host_is_loopback_accepts_loopback_names_only),
            cmocka_unit_test(test_http_server_answers_421_to_a_request_for_another_host),
            cmocka_unit_test(test_http_server_new_refuses_a_host_that_is_not_an_address),
            cmocka_unit_test(test_http_server_new_refuses_a_missing_handler),
            cmocka_unit_test(test_http_server_new_reports_a_port_already_in_use),
            cmocka_unit_test(test_http_server_free_accepts_null_and_a_quiesced_server),
            cmocka_unit_test(test_cli_parse_port_accepts_0_to_65535_only),
          })
