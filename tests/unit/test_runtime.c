/* test_runtime.c - the Runtime API client against a fake Runtime API (libmicrohttpd on loopback). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <microhttpd.h>

#include "core/clock.h"
#include "runtime/runtime.h"
#include "support/big_json.h"
#include "support/fake_api.h"
#include "support/unit_curl.h"

#define FAKE_MAX FAKE_API_MAX

static fake_api *s_fake_start(void)
{
  fake_api *f = NULL;
  assert_int_equal(fake_api_new(&f), MYNT_OK);
  return f;
}

static void s_queue(fake_api *f, const char *request_id, const char *payload)
{
  assert_non_null(fake_api_queue(f, request_id, payload));
}

/* What the recording handler saw, invocation by invocation. */
typedef struct {
  int calls;
  char request_id[FAKE_MAX][64];
  char function_arn[FAKE_MAX][128];
  char trace_env[FAKE_MAX][128]; /* "(unset)" when _X_AMZN_TRACE_ID was not set */
  int64_t deadline_ms[FAKE_MAX];
  int64_t remaining_ms[FAKE_MAX];
  char payload[FAKE_MAX][128];
  int event_is_object[FAKE_MAX];
  int arena_was_empty[FAKE_MAX];
} seen_calls;

static seen_calls s_seen;

static const char s_reply[] = "{\"statusCode\":200,\"body\":\"h\\u00e9llo \\\"quoted\\\"\"}";

static mynt_status s_recording_handler(runtime_ctx *rt, const runtime_invocation *inv, mynt_buf *out_payload,
                                       runtime_error *out_error)
{
  (void)out_error;
  int i = s_seen.calls++;
  assert_true(i < FAKE_MAX);
  snprintf(s_seen.request_id[i], sizeof(s_seen.request_id[i]), "%s", inv->request_id);
  snprintf(s_seen.function_arn[i], sizeof(s_seen.function_arn[i]), "%s", inv->function_arn);
  const char *trace = getenv("_X_AMZN_TRACE_ID");
  snprintf(s_seen.trace_env[i], sizeof(s_seen.trace_env[i]), "%s", trace ? trace : "(unset)");
  s_seen.deadline_ms[i] = inv->deadline_ms;
  s_seen.remaining_ms[i] = runtime_remaining_ms(inv);
  snprintf(s_seen.payload[i], sizeof(s_seen.payload[i]), "%.*s", (int)inv->payload.len, inv->payload.ptr);
  s_seen.event_is_object[i] = json_is_object(inv->event);
  s_seen.arena_was_empty[i] = arena_used(runtime_arena(rt)) == 0;
  assert_non_null(arena_strdup(runtime_arena(rt), "scratch that must be gone next time"));
  assert_int_equal(out_payload->len, 0);
  return buf_appends(out_payload, s_reply);
}

static mynt_status s_failing_handler(runtime_ctx *rt, const runtime_invocation *inv, mynt_buf *out_payload,
                                     runtime_error *out_error)
{
  (void)rt;
  (void)inv;
  s_seen.calls++;
  assert_int_equal(buf_appends(out_payload, "must not be posted"), MYNT_OK);
  runtime_error_set(out_error, "Function.Boom", "it broke at step %d", 3);
  return MYNT_INTERNAL;
}

static mynt_status s_silent_failing_handler(runtime_ctx *rt, const runtime_invocation *inv, mynt_buf *out_payload,
                                            runtime_error *out_error)
{
  (void)rt;
  (void)inv;
  (void)out_payload;
  (void)out_error;
  s_seen.calls++;
  return MYNT_UNAVAILABLE;
}

static mynt_status s_oversize_handler(runtime_ctx *rt, const runtime_invocation *inv, mynt_buf *out_payload,
                                      runtime_error *out_error)
{
  (void)rt;
  (void)inv;
  (void)out_error;
  s_seen.calls++;
  static char chunk[1024 * 1024];
  memset(chunk, 'x', sizeof(chunk));
  for(int i = 0; i < 7; i++) {
    mynt_status st = buf_append(out_payload, chunk, sizeof(chunk));
    if(st)
      return st;
  }
  return MYNT_OK;
}

static int s_setup(void **state)
{
  memset(&s_seen, 0, sizeof(s_seen));
  fake_api *f = s_fake_start();
  runtime_ctx *rt = NULL;
  assert_int_equal(runtime_new(f->endpoint, f, &rt), MYNT_OK);
  void **pair = calloc(2, sizeof(void *));
  assert_non_null(pair);
  pair[0] = f;
  pair[1] = rt;
  *state = pair;
  return 0;
}

static int s_teardown(void **state)
{
  void **pair = *state;
  runtime_free(pair[1]);
  fake_api_free(pair[0]);
  free(pair);
  unsetenv("_X_AMZN_TRACE_ID");
  return 0;
}

#define FAKE(state) ((fake_api *)((void **)*(state))[0])
#define RT(state)   ((runtime_ctx *)((void **)*(state))[1])

static json_t *s_post_json(const fake_post *p)
{
  json_error_t err;
  json_t *doc = json_loadb(p->body, p->body_len, 0, &err);
  assert_non_null(doc);
  return doc;
}

/* Queues invocation request_id with the event {}, runs handler for it and asserts the one post
 * went to that invocation's kind path ("response" or "error") with error type error_type.
 * Returns the post. */
static const fake_post *s_run_one(void **state, const char *request_id, runtime_handler handler, const char *kind,
                                  const char *error_type)
{
  fake_api *f = FAKE(state);
  s_queue(f, request_id, "{}");
  assert_int_equal(runtime_run(RT(state), handler, 1), MYNT_OK);
  assert_int_equal(f->post_count, 1);
  if(kind) {
    char path[256];
    snprintf(path, sizeof(path), "/2018-06-01/runtime/invocation/%s/%s", request_id, kind);
    assert_string_equal(f->posts[0].path, path);
  }
  assert_string_equal(f->posts[0].error_type, error_type);
  return &f->posts[0];
}

static void test_runtime_hands_invocation_headers_and_event_to_the_handler(void **state)
{
  fake_api *f = FAKE(state);
  s_queue(f, "req-1", "{\"routeKey\":\"GET /health\"}");
  assert_int_equal(runtime_run(RT(state), s_recording_handler, 1), MYNT_OK);
  assert_int_equal(s_seen.calls, 1);
  assert_string_equal(s_seen.request_id[0], "req-1");
  assert_string_equal(s_seen.function_arn[0], "arn:aws:lambda:us-east-1:123456789012:function:mynt-users");
  assert_int_equal(s_seen.deadline_ms[0], f->queue[0].deadline_ms);
  assert_true(s_seen.remaining_ms[0] > 3000 && s_seen.remaining_ms[0] <= 5000);
  assert_string_equal(s_seen.payload[0], "{\"routeKey\":\"GET /health\"}");
  assert_true(s_seen.event_is_object[0]);
}

static void test_runtime_posts_exactly_the_handler_payload_to_response(void **state)
{
  const fake_post *post = s_run_one(state, "8476a536-e9f4-11e8-9739-2dfe598c3fcd", s_recording_handler, "response", "");
  assert_int_equal(post->body_len, strlen(s_reply));
  assert_memory_equal(post->body, s_reply, strlen(s_reply));
}

static void test_runtime_posts_error_json_and_type_header_for_a_failing_handler(void **state)
{
  const fake_post *post = s_run_one(state, "req-fail", s_failing_handler, "error", "Function.Boom");
  json_t *doc = s_post_json(post);
  assert_string_equal(json_string_value(json_object_get(doc, "errorMessage")), "it broke at step 3");
  assert_string_equal(json_string_value(json_object_get(doc, "errorType")), "Function.Boom");
  assert_true(json_is_array(json_object_get(doc, "stackTrace")));
  assert_int_equal(json_array_size(json_object_get(doc, "stackTrace")), 0);
  assert_int_equal(json_object_size(doc), 3);
  json_decref(doc);
}

static void test_runtime_derives_error_type_from_status_when_handler_gives_none(void **state)
{
  const fake_post *post = s_run_one(state, "req-quiet", s_silent_failing_handler, NULL, "Function.service_unavailable");
  json_t *doc = s_post_json(post);
  assert_string_equal(json_string_value(json_object_get(doc, "errorMessage")), mynt_strerror(MYNT_UNAVAILABLE));
  json_decref(doc);
}

static void test_runtime_answers_malformed_event_with_error_and_serves_the_next(void **state)
{
  fake_api *f = FAKE(state);
  s_queue(f, "req-bad", "{\"routeKey\": ");
  s_queue(f, "req-good", "[1,2]");
  assert_int_equal(runtime_run(RT(state), s_recording_handler, 2), MYNT_OK);
  assert_int_equal(s_seen.calls, 1);
  assert_string_equal(s_seen.request_id[0], "req-good");
  assert_int_equal(f->post_count, 2);
  assert_string_equal(f->posts[0].path, "/2018-06-01/runtime/invocation/req-bad/error");
  assert_string_equal(f->posts[0].error_type, "Runtime.MalformedEvent");
  json_t *doc = s_post_json(&f->posts[0]);
  assert_string_equal(json_string_value(json_object_get(doc, "errorType")), "Runtime.MalformedEvent");
  json_decref(doc);
  assert_string_equal(f->posts[1].path, "/2018-06-01/runtime/invocation/req-good/response");
}

static void test_runtime_sets_trace_env_per_invocation_and_unsets_it_when_absent(void **state)
{
  fake_api *f = FAKE(state);
  setenv("_X_AMZN_TRACE_ID", "stale-from-before", 1);
  s_queue(f, "req-a", "{}");
  f->queue[0].trace_id = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
  s_queue(f, "req-b", "{}");
  s_queue(f, "req-c", "{}");
  f->queue[2].trace_id = "Root=1-00000000-000000000000000000000003";
  assert_int_equal(runtime_run(RT(state), s_recording_handler, 3), MYNT_OK);
  assert_string_equal(s_seen.trace_env[0],
                      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1");
  assert_string_equal(s_seen.trace_env[1], "(unset)");
  assert_string_equal(s_seen.trace_env[2], "Root=1-00000000-000000000000000000000003");
}

static void test_runtime_resets_the_arena_between_invocations(void **state)
{
  fake_api *f = FAKE(state);
  s_queue(f, "req-1", "{}");
  s_queue(f, "req-2", "{}");
  assert_int_equal(runtime_run(RT(state), s_recording_handler, 2), MYNT_OK);
  assert_true(s_seen.arena_was_empty[0]);
  assert_true(s_seen.arena_was_empty[1]);
  assert_int_equal(arena_used(runtime_arena(RT(state))), 0);
}

static void test_runtime_reuses_one_connection_for_every_call(void **state)
{
  fake_api *f = FAKE(state);
  s_queue(f, "req-1", "{}");
  s_queue(f, "req-2", "{}");
  s_queue(f, "req-3", "{}");
  assert_int_equal(runtime_run(RT(state), s_recording_handler, 3), MYNT_OK);
  assert_int_equal(f->post_count, 3);
  assert_int_equal(f->connections, 1);
}

static void test_runtime_posts_init_error_to_init_error_path(void **state)
{
  fake_api *f = FAKE(state);
  assert_int_equal(runtime_post_init_error(RT(state), "Runtime.UnknownHandler", "no route group \"nope\""), MYNT_OK);
  assert_int_equal(f->post_count, 1);
  assert_string_equal(f->posts[0].path, "/2018-06-01/runtime/init/error");
  assert_string_equal(f->posts[0].error_type, "Runtime.UnknownHandler");
  json_t *doc = s_post_json(&f->posts[0]);
  assert_string_equal(json_string_value(json_object_get(doc, "errorMessage")), "no route group \"nope\"");
  assert_string_equal(json_string_value(json_object_get(doc, "errorType")), "Runtime.UnknownHandler");
  assert_int_equal(json_array_size(json_object_get(doc, "stackTrace")), 0);
  json_decref(doc);
}

static void test_runtime_refuses_event_over_6mb_without_calling_the_handler(void **state)
{
  fake_api *f = FAKE(state);
  char *big = big_json_string(RUNTIME_MAX_PAYLOAD + 1);
  assert_non_null(big);
  s_queue(f, "req-big", big);
  s_queue(f, "req-after", "{}");
  assert_int_equal(runtime_run(RT(state), s_recording_handler, 2), MYNT_OK);
  free(big);
  assert_int_equal(s_seen.calls, 1);
  assert_string_equal(s_seen.request_id[0], "req-after");
  assert_int_equal(f->post_count, 2);
  assert_string_equal(f->posts[0].path, "/2018-06-01/runtime/invocation/req-big/error");
  assert_string_equal(f->posts[0].error_type, "Runtime.EventTooLarge");
  assert_string_equal(f->posts[1].path, "/2018-06-01/runtime/invocation/req-after/response");
}

static void test_runtime_reports_a_response_over_6mb_as_an_error(void **state)
{
  s_run_one(state, "req-huge", s_oversize_handler, "error", "Function.internal_error");
}

static void test_runtime_run_gives_up_after_repeated_fetch_failures(void **state)
{
  fake_api *f = FAKE(state);
  f->next_status = MHD_HTTP_INTERNAL_SERVER_ERROR;
  int64_t started = clock_mono_ms();
  assert_int_equal(runtime_run(RT(state), s_recording_handler, 0), MYNT_UPSTREAM);
  assert_true(clock_mono_ms() - started < 5000);
  assert_int_equal(s_seen.calls, 0);
}

static void test_runtime_treats_a_missing_request_id_as_a_failed_fetch(void **state)
{
  fake_api *f = FAKE(state);
  s_queue(f, NULL, "{}");
  s_queue(f, NULL, "{}");
  s_queue(f, NULL, "{}");
  assert_int_equal(runtime_run(RT(state), s_recording_handler, 1), MYNT_UPSTREAM);
  assert_int_equal(s_seen.calls, 0);
  assert_int_equal(f->post_count, 0);
}

static void test_runtime_run_fails_when_the_runtime_api_is_unreachable(void **state)
{
  (void)state;
  fake_api *gone = s_fake_start();
  char endpoint[64];
  snprintf(endpoint, sizeof(endpoint), "%s", gone->endpoint);
  fake_api_free(gone);
  runtime_ctx *rt = NULL;
  assert_int_equal(runtime_new(endpoint, NULL, &rt), MYNT_OK);
  assert_int_equal(runtime_run(rt, s_recording_handler, 0), MYNT_IO);
  runtime_free(rt);
}

static void test_runtime_create_needs_an_endpoint(void **state)
{
  (void)state;
  runtime_ctx *rt = (runtime_ctx *)&rt;
  unsetenv("AWS_LAMBDA_RUNTIME_API");
  assert_int_equal(runtime_new(NULL, NULL, &rt), MYNT_BAD_REQUEST);
  assert_null(rt);
  setenv("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9", 1);
  assert_int_equal(runtime_new(NULL, NULL, &rt), MYNT_OK);
  assert_non_null(rt);
  runtime_free(rt);
  unsetenv("AWS_LAMBDA_RUNTIME_API");
}

static void test_runtime_remaining_ms_counts_down_and_stops_at_zero(void **state)
{
  (void)state;
  runtime_invocation inv;
  memset(&inv, 0, sizeof(inv));
  assert_int_equal(runtime_remaining_ms(&inv), INT64_MAX);
  inv.deadline_ms = clock_epoch_ms() - 1000;
  assert_int_equal(runtime_remaining_ms(&inv), 0);
  inv.deadline_ms = clock_epoch_ms() + 2000;
  int64_t left = runtime_remaining_ms(&inv);
  assert_true(left > 1500 && left <= 2000);
}

#define T(name) cmocka_unit_test_setup_teardown(name, s_setup, s_teardown)
UNIT_MAIN("runtime", unit_curl_setup, unit_curl_teardown,
          {
            T(test_runtime_hands_invocation_headers_and_event_to_the_handler),
            T(test_runtime_posts_exactly_the_handler_payload_to_response),
            T(test_runtime_posts_error_json_and_type_header_for_a_failing_handler),
            T(test_runtime_derives_error_type_from_status_when_handler_gives_none),
            T(test_runtime_answers_malformed_event_with_error_and_serves_the_next),
            T(test_runtime_sets_trace_env_per_invocation_and_unsets_it_when_absent),
            T(test_runtime_resets_the_arena_between_invocations),
            T(test_runtime_reuses_one_connection_for_every_call),
            T(test_runtime_posts_init_error_to_init_error_path),
            T(test_runtime_refuses_event_over_6mb_without_calling_the_handler),
            T(test_runtime_reports_a_response_over_6mb_as_an_error),
            T(test_runtime_run_gives_up_after_repeated_fetch_failures),
            T(test_runtime_treats_a_missing_request_id_as_a_failed_fetch),
            cmocka_unit_test(test_runtime_run_fails_when_the_runtime_api_is_unreachable),
            cmocka_unit_test(test_runtime_create_needs_an_endpoint),
            cmocka_unit_test(test_runtime_remaining_ms_counts_down_and_stops_at_zero),
          })
