/* test_plaid_reply.c - the answer to a failed Plaid call: status, code, Mynt's own message and the item it names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "apigw/response.h"
#include "handlers/plaid_reply.h"
#include "support/apigw_forge.h"
#include "support/unit_main.h"

static plaid_error s_error(plaid_error_kind kind, mynt_status status)
{
  plaid_error err;
  memset(&err, 0, sizeof(err));
  err.kind = kind;
  err.status = status;
  return err;
}

static void test_plaid_reply_maps_each_kind_to_its_status_and_code(void **state)
{
  (void)state;
  static const struct {
    plaid_error_kind kind;
    mynt_status status;
    const char *code;
    bool names_item;
  } cases[] = {
    {PLAID_ERR_ITEM_LOGIN_REQUIRED, MYNT_CONFLICT, "item_login_required", true},
    {PLAID_ERR_INVALID_ACCESS_TOKEN, MYNT_CONFLICT, "item_invalid", true},
    {PLAID_ERR_RATE_LIMITED, MYNT_RATE_LIMITED, NULL, true},
    {PLAID_ERR_PRODUCT_NOT_READY, MYNT_UNAVAILABLE, NULL, true},
    {PLAID_ERR_INSTITUTION, MYNT_UNAVAILABLE, NULL, true},
    {PLAID_ERR_TRANSPORT, MYNT_UNAVAILABLE, NULL, true},
    {PLAID_ERR_DEADLINE, MYNT_UNAVAILABLE, NULL, true},
    {PLAID_ERR_SERVER, MYNT_UPSTREAM, NULL, true},
    {PLAID_ERR_MALFORMED, MYNT_UPSTREAM, NULL, true},
    {PLAID_ERR_INVALID_REQUEST, MYNT_INTERNAL, NULL, false},
    {PLAID_ERR_INVALID_CREDENTIALS, MYNT_INTERNAL, NULL, false},
    {PLAID_ERR_INVALID_PUBLIC_TOKEN, MYNT_INTERNAL, NULL, false},
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    plaid_error err = s_error(cases[i].kind, MYNT_UPSTREAM);
    plaid_reply reply = plaid_reply_for(&err);
    assert_int_equal(reply.status, cases[i].status);
    if(cases[i].code)
      assert_string_equal(reply.code, cases[i].code);
    else
      assert_null(reply.code);
    assert_int_equal(reply.names_item, cases[i].names_item);
    assert_int_equal(reply.message != NULL, cases[i].names_item);
  }
}

static void test_plaid_reply_of_mynt_own_failure_is_internal_error(void **state)
{
  (void)state;
  plaid_error err = s_error(PLAID_ERR_OTHER, MYNT_NOMEM);
  plaid_reply reply = plaid_reply_for(&err);
  assert_int_equal(reply.status, MYNT_INTERNAL);
  assert_false(reply.names_item);
}

static void test_plaid_reply_failure_answers_409_naming_the_item(void **state)
{
  (void)state;
  apigw_response res;
  apigw_response_init(&res, apigw_forge_arena());
  plaid_error err = s_error(PLAID_ERR_ITEM_LOGIN_REQUIRED, MYNT_UPSTREAM);
  assert_int_equal(plaid_reply_failure(&res, "it-1", "/accounts/get", &err), MYNT_CONFLICT);
  assert_int_equal(res.status_code, 409);
  assert_string_equal(res.body, "{\"error\":{\"code\":\"item_login_required\",\"message\":\"the bank asks the user to "
                                "sign in again: open Link in update mode for this item\",\"item_id\":\"it-1\"}}");
}

static void test_plaid_reply_failure_without_an_item_names_none(void **state)
{
  (void)state;
  apigw_response res;
  apigw_response_init(&res, apigw_forge_arena());
  plaid_error err = s_error(PLAID_ERR_RATE_LIMITED, MYNT_RATE_LIMITED);
  assert_int_equal(plaid_reply_failure(&res, NULL, "/item/get", &err), MYNT_RATE_LIMITED);
  assert_int_equal(res.status_code, 429);
  assert_null(strstr(res.body, "item_id"));
}

UNIT_MAIN("plaid_reply", NULL, NULL,
          {
            cmocka_unit_test(test_plaid_reply_maps_each_kind_to_its_status_and_code),
            cmocka_unit_test(test_plaid_reply_of_mynt_own_failure_is_internal_error),
            cmocka_unit_test_setup_teardown(test_plaid_reply_failure_answers_409_naming_the_item,
                                            apigw_forge_arena_setup, apigw_forge_arena_teardown),
            cmocka_unit_test_setup_teardown(test_plaid_reply_failure_without_an_item_names_none,
                                            apigw_forge_arena_setup, apigw_forge_arena_teardown),
          })
