/* test_cognito.c - the Cognito client against the loopback cognito-idp: ListUsers' filter and pages,
 * AdminLinkProviderForUser's fields, Cognito's errors, and where the client's endpoint comes from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aws/cognito.h"
#include "core/clock.h"
#include "support/unit_main.h"
#include "support/fake_cognito.h"

static int s_setup(void **state)
{
  *state = fake_cognito_start();
  return 0;
}

static int s_teardown(void **state)
{
  fake_cognito_finish(*state);
  return 0;
}

static const char *s_username(const json_t *users, size_t i)
{
  return json_string_value(json_object_get(json_array_get(users, i), "Username"));
}

static void test_cognito_filter_escapes_quotes_and_backslashes(void **state)
{
  (void)state;
  mynt_buf b;
  buf_init(&b, 256);
  assert_int_equal(cognito_email_filter(&b, "o\"brien\\x@example.com"), MYNT_OK);
  assert_string_equal(buf_cstr(&b), "email = \"o\\\"brien\\\\x@example.com\"");
  buf_reset(&b);
  assert_int_equal(cognito_email_filter(&b, "a\nb@example.com"), MYNT_BAD_REQUEST);
  assert_int_equal(cognito_email_filter(&b, ""), MYNT_BAD_REQUEST);
  buf_free(&b);
}

static void test_cognito_lists_exactly_the_users_with_an_email_even_one_with_quotes(void **state)
{
  fake_cognito *f = *state;
  fake_cognito_add_user(f, "u-ann", "CONFIRMED", "ann@example.com", "true");
  fake_cognito_add_user(f, "u-quote", "CONFIRMED", "o\"brien\\x@example.com", "true");
  fake_cognito_add_user(f, "u-annie", "CONFIRMED", "ann@example.com.evil", "true");
  json_t *users = NULL;
  aws_error err;
  assert_int_equal(cognito_list_users_by_email(f->client, FAKE_COGNITO_POOL_ID, "ann@example.com", 0, &users, &err),
                   MYNT_OK);
  assert_int_equal(json_array_size(users), 1);
  assert_string_equal(s_username(users, 0), "u-ann");
  assert_string_equal(cognito_user_attribute(json_array_get(users, 0), "email_verified"), "true");
  assert_null(cognito_user_attribute(json_array_get(users, 0), "identities"));
  json_decref(users);
  /* The quote would end the filter's value early if it were not escaped: Cognito refuses such a filter. */
  assert_int_equal(
    cognito_list_users_by_email(f->client, FAKE_COGNITO_POOL_ID, "o\"brien\\x@example.com", 0, &users, &err), MYNT_OK);
  assert_int_equal(json_array_size(users), 1);
  assert_string_equal(s_username(users, 0), "u-quote");
  json_decref(users);
  assert_int_equal(cognito_list_users_by_email(f->client, FAKE_COGNITO_POOL_ID, "nobody@example.com", 0, &users, &err),
                   MYNT_OK);
  assert_int_equal(json_array_size(users), 0);
  json_decref(users);
  assert_int_equal(f->list_calls, 3);
}

static void test_cognito_reads_every_page_of_a_listing_up_to_its_cap(void **state)
{
  fake_cognito *f = *state;
  char name[32];
  for(int i = 0; i < COGNITO_PAGE_MAX + 5; i++) {
    snprintf(name, sizeof name, "u-%03d", i);
    fake_cognito_add_user(f, name, "CONFIRMED", "shared@example.com", "true");
  }
  json_t *users = NULL;
  assert_int_equal(cognito_list_users_by_email(f->client, FAKE_COGNITO_POOL_ID, "shared@example.com", 0, &users, NULL),
                   MYNT_OK);
  assert_int_equal(json_array_size(users), COGNITO_PAGE_MAX + 5);
  assert_string_equal(s_username(users, COGNITO_PAGE_MAX + 4), "u-064");
  assert_int_equal(f->list_calls, 2);
  json_decref(users);
  /* Past COGNITO_LIST_PAGES_MAX pages the listing is refused, not cut short silently. */
  for(int i = COGNITO_PAGE_MAX + 5; i < COGNITO_PAGE_MAX * COGNITO_LIST_PAGES_MAX + 1; i++) {
    snprintf(name, sizeof name, "u-%03d", i);
    fake_cognito_add_user(f, name, "CONFIRMED", "shared@example.com", "true");
  }
  aws_error err;
  assert_int_equal(cognito_list_users_by_email(f->client, FAKE_COGNITO_POOL_ID, "shared@example.com", 0, &users, &err),
                   MYNT_TOO_LARGE);
  assert_null(users);
}

static void test_cognito_maps_its_errors_and_retries_only_what_may_pass(void **state)
{
  fake_cognito *f = *state;
  json_t *users = NULL;
  aws_error err;
  assert_int_equal(cognito_list_users_by_email(f->client, "us-east-1_Other", "a@example.com", 0, &users, &err),
                   MYNT_NOT_FOUND);
  assert_string_equal(err.type, "ResourceNotFoundException");
  assert_int_equal(err.attempts, 1);
  fake_cognito_fail(f, "ListUsers", 2, 400, "TooManyRequestsException");
  assert_int_equal(cognito_list_users_by_email(f->client, FAKE_COGNITO_POOL_ID, "a@example.com", 0, &users, &err),
                   MYNT_OK);
  assert_int_equal(err.attempts, 3);
  json_decref(users);
  fake_cognito_fail(f, "ListUsers", 1, 400, "NotAuthorizedException");
  assert_int_equal(cognito_list_users_by_email(f->client, FAKE_COGNITO_POOL_ID, "a@example.com", 0, &users, &err),
                   MYNT_UPSTREAM);
  assert_int_equal(err.attempts, 1);
  fake_cognito_fail(f, "ListUsers", 1, 400, "InvalidParameterException");
  assert_int_equal(cognito_list_users_by_email(f->client, FAKE_COGNITO_POOL_ID, "a@example.com", 0, &users, &err),
                   MYNT_BAD_REQUEST);
  assert_int_equal(err.http_status, 400);
  /* Cognito down: 5xx answers are sent again until the deadline, then the failure is reported by it. */
  fake_cognito_fail(f, "ListUsers", -1, 500, "InternalErrorException");
  int64_t start = clock_epoch_ms();
  assert_int_equal(
    cognito_list_users_by_email(f->client, FAKE_COGNITO_POOL_ID, "a@example.com", start + 1000, &users, &err),
    MYNT_UNAVAILABLE);
  assert_true(err.attempts > 1);
  assert_true(clock_epoch_ms() - start < 1500);
  assert_null(users);
  /* Nothing is sent for an email no filter can quote, or a malformed pool id. */
  int calls = f->list_calls;
  assert_int_equal(cognito_list_users_by_email(f->client, FAKE_COGNITO_POOL_ID, "a\x01@example.com", 0, &users, &err),
                   MYNT_BAD_REQUEST);
  assert_int_equal(err.http_status, 0);
  assert_int_equal(cognito_list_users_by_email(f->client, "bad pool", "a@example.com", 0, &users, &err),
                   MYNT_BAD_REQUEST);
  assert_int_equal(f->list_calls, calls);
}

static void test_cognito_links_a_google_identity_with_the_documented_fields(void **state)
{
  fake_cognito *f = *state;
  fake_cognito_add_user(f, "u-ann", "CONFIRMED", "ann@example.com", "true");
  aws_error err;
  assert_int_equal(
    cognito_admin_link_provider_for_user(f->client, FAKE_COGNITO_POOL_ID, "u-ann", "Google", "1122334455", 0, &err),
    MYNT_OK);
  json_t *links = fake_cognito_links(f);
  assert_int_equal(json_array_size(links), 1);
  json_t *l = json_array_get(links, 0);
  assert_string_equal(json_string_value(json_object_get(l, "destination")), "u-ann");
  assert_string_equal(json_string_value(json_object_get(l, "provider")), "Google");
  assert_string_equal(json_string_value(json_object_get(l, "attribute")), "Cognito_Subject");
  assert_string_equal(json_string_value(json_object_get(l, "subject")), "1122334455");
  json_decref(links);
  char *identities = fake_cognito_identities(f, "u-ann");
  assert_non_null(strstr(identities, "\"userId\":\"1122334455\""));
  free(identities);
  /* The same identity again: Cognito says it is linked already. */
  assert_int_equal(
    cognito_admin_link_provider_for_user(f->client, FAKE_COGNITO_POOL_ID, "u-ann", "Google", "1122334455", 0, &err),
    MYNT_CONFLICT);
  assert_string_equal(err.type, "AliasExistsException");
  assert_int_equal(
    cognito_admin_link_provider_for_user(f->client, FAKE_COGNITO_POOL_ID, "u-nobody", "Google", "99", 0, &err),
    MYNT_NOT_FOUND);
  assert_string_equal(err.type, "UserNotFoundException");
  /* A provider the pool does not have: Cognito's InvalidParameterException. */
  assert_int_equal(
    cognito_admin_link_provider_for_user(f->client, FAKE_COGNITO_POOL_ID, "u-ann", "Facebook", "77", 0, &err),
    MYNT_BAD_REQUEST);
  assert_string_equal(err.type, "InvalidParameterException");
  fake_cognito_fail(f, "AdminLinkProviderForUser", 1, 400, "LimitExceededException");
  assert_int_equal(
    cognito_admin_link_provider_for_user(f->client, FAKE_COGNITO_POOL_ID, "u-ann", "Google", "88", 0, &err),
    MYNT_CONFLICT);
  int calls = f->link_calls;
  assert_int_equal(cognito_admin_link_provider_for_user(f->client, FAKE_COGNITO_POOL_ID, "", "Google", "88", 0, &err),
                   MYNT_BAD_REQUEST);
  assert_int_equal(f->link_calls, calls);
}

/* Sets the AWS environment to f's keys, with MYNT_COGNITO_ENDPOINT and MYNT_AWS_ENDPOINT as given (NULL: unset). */
static void s_env(const fake_cognito *f, const char *cognito_endpoint, const char *aws_endpoint)
{
  aws_config cfg;
  fake_cognito_config(f, &cfg);
  request_check_export(&cfg);
  const char *names[] = {"MYNT_COGNITO_ENDPOINT", "MYNT_AWS_ENDPOINT"};
  const char *values[] = {cognito_endpoint, aws_endpoint};
  for(size_t i = 0; i < 2; i++) {
    if(values[i])
      setenv(names[i], values[i], 1);
    else
      unsetenv(names[i]);
  }
}

static void test_cognito_endpoint_is_its_own_then_mynt_aws_endpoint(void **state)
{
  fake_cognito *f = *state;
  const char *url = script_server_url(f->aws.srv);
  /* 127.0.0.1:9 (discard) answers nothing: a request sent there fails. */
  const char *const cases[][2] = {{url, "http://127.0.0.1:9"}, {NULL, url}, {"", url}};
  for(size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    s_env(f, cases[i][0], cases[i][1]);
    cognito_client *c = NULL;
    assert_int_equal(cognito_client_open(NULL, &c, NULL), MYNT_OK);
    json_t *users = NULL;
    assert_int_equal(cognito_list_users_by_email(c, FAKE_COGNITO_POOL_ID, "a@example.com", 0, &users, NULL), MYNT_OK);
    json_decref(users);
    cognito_client_free(c);
  }
  assert_int_equal(f->list_calls, 3);
  mynt_detail why;
  unsetenv("AWS_ACCESS_KEY_ID");
  cognito_client *c = NULL;
  assert_int_equal(cognito_client_open(NULL, &c, &why), MYNT_BAD_REQUEST);
  assert_null(c);
  assert_non_null(strstr(mynt_detail_text(&why), "AWS configuration"));
}

UNIT_MAIN(
  "cognito", NULL, NULL,
  {
    cmocka_unit_test(test_cognito_filter_escapes_quotes_and_backslashes),
    cmocka_unit_test_setup_teardown(test_cognito_lists_exactly_the_users_with_an_email_even_one_with_quotes, s_setup,
                                    s_teardown),
    cmocka_unit_test_setup_teardown(test_cognito_reads_every_page_of_a_listing_up_to_its_cap, s_setup, s_teardown),
    cmocka_unit_test_setup_teardown(test_cognito_maps_its_errors_and_retries_only_what_may_pass, s_setup, s_teardown),
    cmocka_unit_test_setup_teardown(test_cognito_links_a_google_identity_with_the_documented_fields, s_setup,
                                    s_teardown),
    cmocka_unit_test_setup_teardown(test_cognito_endpoint_is_its_own_then_mynt_aws_endpoint, s_setup, s_teardown),
  })
