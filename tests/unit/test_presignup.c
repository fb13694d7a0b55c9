/* test_presignup.c - the presignup group's handler against the loopback cognito-idp: who is linked, who is not, and
 * what Cognito gets back when the lookup fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/clock.h"
#include "handlers/presignup.h"
#include "support/log_capture.h"
#include "support/unit_main.h"
#include "support/fake_cognito.h"

typedef struct {
  fake_cognito *fake;
  handlers_env env;
  log_capture log;
} s_fixture;

static int s_setup(void **state)
{
  s_fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  f->fake = fake_cognito_start();
  f->env.cognito = f->fake->client;
  log_capture_start(&f->log);
  *state = f;
  return 0;
}

/* Fails when a log line carried an email address (every address in these tests is at example.com). */
static int s_teardown(void **state)
{
  s_fixture *f = *state;
  log_capture_stop(&f->log);
  if(f->log.text && strstr(f->log.text, "example.com"))
    fail_msg("a log line carries an email: %s", f->log.text);
  log_capture_free(&f->log);
  fake_cognito_free(f->fake);
  free(f);
  return 0;
}

/* The event Cognito sends for a first sign-in with an external provider, as its documentation shows it. */
static json_t *s_event(const char *source, const char *username, const char *email, const char *email_verified)
{
  json_t *attrs = json_pack("{s:s}", "cognito:user_status", "EXTERNAL_PROVIDER");
  if(email)
    json_object_set_new(attrs, "email", json_string(email));
  if(email_verified)
    json_object_set_new(attrs, "email_verified", json_string(email_verified));
  json_t *event = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}, s:{s:o, s:n}, s:{s:b, s:b, s:b}}", "version", "1",
                            "triggerSource", source, "region", "us-east-1", "userPoolId", FAKE_COGNITO_POOL_ID,
                            "userName", username, "callerContext", "awsSdkVersion", "aws-sdk-unknown-unknown",
                            "clientId", "client-1", "request", "userAttributes", attrs, "validationData", "response",
                            "autoConfirmUser", 0, "autoVerifyEmail", 0, "autoVerifyPhone", 0);
  assert_non_null(event);
  return event;
}

/* Runs the handler on event (stolen) and asserts it answered the event back: same fields, response's booleans
 * false. */
static void s_expect_answered(s_fixture *f, json_t *event)
{
  json_t *answer = NULL;
  mynt_detail why;
  mynt_detail_clear(&why);
  assert_int_equal(presignup_handle(&f->env, event, 0, "req-1", &answer, &why), MYNT_OK);
  assert_non_null(answer);
  assert_true(json_equal(answer, event));
  json_t *response = json_object_get(answer, "response");
  assert_true(json_is_false(json_object_get(response, "autoConfirmUser")));
  assert_true(json_is_false(json_object_get(response, "autoVerifyEmail")));
  assert_true(json_is_false(json_object_get(response, "autoVerifyPhone")));
  json_decref(answer);
  json_decref(event);
}

static size_t s_link_count(s_fixture *f)
{
  json_t *links = fake_cognito_links(f->fake);
  size_t n = json_array_size(links);
  json_decref(links);
  return n;
}

/* Asserts the fake made count links so far, link index being Google's subject to destination, as
 * AdminLinkProviderForUser's fields name them. */
static void s_assert_linked(s_fixture *f, size_t count, size_t index, const char *destination, const char *subject)
{
  json_t *links = fake_cognito_links(f->fake);
  assert_int_equal(json_array_size(links), count);
  json_t *l = json_array_get(links, index);
  assert_string_equal(json_string_value(json_object_get(l, "destination")), destination);
  assert_string_equal(json_string_value(json_object_get(l, "provider")), "Google");
  assert_string_equal(json_string_value(json_object_get(l, "attribute")), "Cognito_Subject");
  assert_string_equal(json_string_value(json_object_get(l, "subject")), subject);
  json_decref(links);
}

/* One user of the pool: username, UserStatus, email, email_verified (NULL: none). */
typedef struct {
  const char *username;
  const char *status;
  const char *email;
  const char *verified;
} s_user;

static void test_presignup_links_only_a_confirmed_user_with_the_same_verified_email(void **state)
{
  (void)state;
  static const struct {
    s_user users[2];
    const char *username; /* signing in */
    const char *email;
    const char *verified;
    const char *linked_to; /* NULL: no link */
    int lookups;
  } rows[] = {
    /* A new Google identity: nobody has the address. */
    {{{"u-bob", "CONFIRMED", "bob@example.com", "true"}}, "Google_1001", "new@example.com", "true", NULL, 1},
    {{{"u-ann", "CONFIRMED", "ann@example.com", "true"}, {"u-bob", "CONFIRMED", "bob@example.com", "true"}},
     "Google_2002",
     "ann@example.com",
     "true",
     "u-ann",
     1},
    /* Cognito spells a federated username's prefix in lower case in places: the provider is still Google. */
    {{{"u-cat", "CONFIRMED", "cat@example.com", "true"}}, "google_3003", "cat@example.com", NULL, "u-cat", 1},
    {{{"u-dan", "UNCONFIRMED", "dan@example.com", "true"}}, "Google_4004", "dan@example.com", "true", NULL, 1},
    {{{"u-eve", "CONFIRMED", "eve@example.com", "false"}}, "Google_4004", "eve@example.com", "true", NULL, 1},
    {{{"u-fay", "CONFIRMED", "fay@example.com", NULL}}, "Google_4004", "fay@example.com", "true", NULL, 1},
    {{{"Google_777", "EXTERNAL_PROVIDER", "gus@example.com", "true"}},
     "Google_4004",
     "gus@example.com",
     "true",
     NULL,
     1},
    {{{"u-hal", "RESET_REQUIRED", "hal@example.com", "true"}}, "Google_4004", "hal@example.com", "true", NULL, 1},
    /* The provider itself says the address is unproven: not even looked up. */
    {{{"u-ivy", "CONFIRMED", "ivy@example.com", "true"}}, "Google_5005", "ivy@example.com", "false", NULL, 0},
    /* A quote in the address: the filter escapes it, and only that user matches. */
    {{{"u-quote", "CONFIRMED", "\"o'brien\"@example.com", "true"},
      {"u-other", "CONFIRMED", "o'brien@example.com", "true"}},
     "Google_6006",
     "\"o'brien\"@example.com",
     "true",
     "u-quote",
     1},
    /* Two confirmed users with one address: which one is meant cannot be known. */
    {{{"u-jo", "CONFIRMED", "jo@example.com", "true"}, {"u-jo2", "CONFIRMED", "jo@example.com", "true"}},
     "Google_6007",
     "jo@example.com",
     "true",
     NULL,
     1},
  };
  for(size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    void *fixture = NULL;
    s_setup(&fixture);
    s_fixture *f = fixture;
    for(size_t u = 0; u < 2 && rows[i].users[u].username; u++)
      fake_cognito_add_user(f->fake, rows[i].users[u].username, rows[i].users[u].status, rows[i].users[u].email,
                            rows[i].users[u].verified);
    s_expect_answered(f, s_event("PreSignUp_ExternalProvider", rows[i].username, rows[i].email, rows[i].verified));
    assert_int_equal(f->fake->list_calls, rows[i].lookups);
    if(rows[i].linked_to)
      s_assert_linked(f, 1, 0, rows[i].linked_to, strchr(rows[i].username, '_') + 1);
    else
      assert_int_equal(s_link_count(f), 0);
    assert_int_equal(f->fake->link_calls, rows[i].linked_to ? 1 : 0);
    s_teardown(&fixture);
  }
}

static void test_presignup_fails_the_sign_up_when_cognito_is_down(void **state)
{
  s_fixture *f = *state;
  fake_cognito_add_user(f->fake, "u-ann", "CONFIRMED", "ann@example.com", "true");
  fake_cognito_fail(f->fake, "ListUsers", -1, 500, "InternalErrorException");
  json_t *event = s_event("PreSignUp_ExternalProvider", "Google_7007", "ann@example.com", "true");
  json_t *answer = NULL;
  mynt_detail why;
  int64_t start = clock_epoch_ms();
  mynt_status st = presignup_handle(&f->env, event, start + 1500, "req-down", &answer, &why);
  int64_t took = clock_epoch_ms() - start;
  assert_int_equal(st, MYNT_UNAVAILABLE);
  assert_null(answer);
  assert_true(f->fake->list_calls > 1); /* retried */
  assert_true(took < 1500);             /* within the invocation's deadline */
  /* What the person reads: nothing about Cognito, no address. */
  assert_null(strstr(mynt_detail_text(&why), "Cognito"));
  assert_null(strstr(mynt_detail_text(&why), "@"));
  assert_true(strlen(mynt_detail_text(&why)) > 0);
  assert_int_equal(f->fake->link_calls, 0);
  json_decref(event);
  /* A link that fails past the retries fails the sign-up too: no second user is made silently. */
  fake_cognito_fail(f->fake, "AdminLinkProviderForUser", -1, 500, "InternalErrorException");
  event = s_event("PreSignUp_ExternalProvider", "Google_7007", "ann@example.com", "true");
  start = clock_epoch_ms();
  assert_int_equal(presignup_handle(&f->env, event, start + 1500, "req-down", &answer, &why), MYNT_UNAVAILABLE);
  assert_null(answer);
  assert_true(clock_epoch_ms() - start < 1500);
  json_decref(event);
  /* By itself the budget ends inside Cognito's 5 s, whatever Lambda's deadline. */
  event = s_event("PreSignUp_ExternalProvider", "Google_7007", "ann@example.com", "true");
  start = clock_epoch_ms();
  assert_int_equal(presignup_handle(&f->env, event, start + 30000, "req-down", &answer, &why), MYNT_UNAVAILABLE);
  assert_true(clock_epoch_ms() - start < 5000);
  json_decref(event);
}

static void test_presignup_passes_other_trigger_sources_through_untouched(void **state)
{
  s_fixture *f = *state;
  fake_cognito_add_user(f->fake, "u-ann", "CONFIRMED", "ann@example.com", "true");
  s_expect_answered(f, s_event("PreSignUp_SignUp", "ann@example.com", "ann@example.com", NULL));
  s_expect_answered(f, s_event("PreSignUp_AdminCreateUser", "someone", "ann@example.com", NULL));
  assert_int_equal(f->fake->list_calls, 0);
  /* An event without response is answered with response's booleans added. */
  json_t *event = s_event("PreSignUp_SignUp", "zed", "zed@example.com", NULL);
  json_object_del(event, "response");
  json_t *answer = NULL;
  assert_int_equal(presignup_handle(&f->env, event, 0, "req-1", &answer, NULL), MYNT_OK);
  assert_true(json_is_false(json_object_get(json_object_get(answer, "response"), "autoConfirmUser")));
  json_decref(answer);
  json_decref(event);
}

static void test_presignup_a_second_google_identity_does_not_fail_the_sign_in(void **state)
{
  s_fixture *f = *state;
  fake_cognito_add_user(f->fake, "u-ann", "CONFIRMED", "ann@example.com", "true");
  s_expect_answered(f, s_event("PreSignUp_ExternalProvider", "Google_8001", "ann@example.com", "true"));
  /* The same identity again (a retried first sign-in): nothing to do, no second call. */
  s_expect_answered(f, s_event("PreSignUp_ExternalProvider", "Google_8001", "ann@example.com", "true"));
  assert_int_equal(f->fake->link_calls, 1);
  /* Another Google account with the address: Cognito refusing that link still lets the person in. */
  fake_cognito_fail(f->fake, "AdminLinkProviderForUser", 1, 400, "InvalidParameterException");
  s_expect_answered(f, s_event("PreSignUp_ExternalProvider", "Google_8002", "ann@example.com", "true"));
  fake_cognito_fail(f->fake, "AdminLinkProviderForUser", 1, 400, "LimitExceededException");
  s_expect_answered(f, s_event("PreSignUp_ExternalProvider", "Google_8003", "ann@example.com", "true"));
  assert_int_equal(f->fake->link_calls, 3);
  assert_int_equal(s_link_count(f), 1);
  /* But an InvalidParameterException for a user with no identity yet is our bug: the sign-up fails. */
  fake_cognito_add_user(f->fake, "u-bob", "CONFIRMED", "bob@example.com", "true");
  fake_cognito_fail(f->fake, "AdminLinkProviderForUser", 1, 400, "InvalidParameterException");
  json_t *event = s_event("PreSignUp_ExternalProvider", "Google_8004", "bob@example.com", "true");
  json_t *answer = NULL;
  assert_int_equal(presignup_handle(&f->env, event, 0, "req-1", &answer, NULL), MYNT_UPSTREAM);
  assert_null(answer);
  json_decref(event);
}

static void test_presignup_refuses_what_is_not_a_pre_sign_up_event(void **state)
{
  s_fixture *f = *state;
  const char *texts[] = {
    "{}", "{\"Records\":[]}",
    "{\"version\":\"1\",\"triggerSource\":\"PostConfirmation_ConfirmSignUp\",\"userPoolId\":\"p\","
    "\"userName\":\"u\",\"request\":{\"userAttributes\":{}}}",
    "{\"version\":\"1\",\"triggerSource\":\"PreSignUp_ExternalProvider\",\"userPoolId\":\"p\","
    "\"userName\":\"u\",\"request\":{}}",
    "{\"version\":\"1\",\"triggerSource\":\"PreSignUp_ExternalProvider\",\"userPoolId\":\"p\","
    "\"userName\":\"nounderscore\",\"request\":{\"userAttributes\":{\"email\":\"a@example.com\"}}}"};
  for(size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    json_t *event = json_loads(texts[i], 0, NULL);
    assert_non_null(event);
    json_t *answer = NULL;
    mynt_detail why;
    assert_int_equal(presignup_handle(&f->env, event, 0, "req-1", &answer, &why), MYNT_BAD_REQUEST);
    assert_null(answer);
    json_decref(event);
  }
  assert_int_equal(f->fake->list_calls, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, s_setup, s_teardown)
UNIT_MAIN("presignup", NULL, NULL,
          {
            cmocka_unit_test(test_presignup_links_only_a_confirmed_user_with_the_same_verified_email),
            T(test_presignup_fails_the_sign_up_when_cognito_is_down),
            T(test_presignup_passes_other_trigger_sources_through_untouched),
            T(test_presignup_a_second_google_identity_does_not_fail_the_sign_in),
            T(test_presignup_refuses_what_is_not_a_pre_sign_up_event),
          })
