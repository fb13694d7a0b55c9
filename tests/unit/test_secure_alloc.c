/* test_secure_alloc.c - the wiping allocator: what jansson and libcurl release holds no byte of a token. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <malloc.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "core/clock.h"
#include "core/secure_alloc.h"
#include "plaid/plaid.h"
#include "support/fake_plaid.h"
#include "support/script_server.h"
#include "support/unit_main.h"

#define TOKEN      "access-sandbox-5f1c2e7a-90b4-4d1e-8c3a-7b6d0e9f4a21"
#define TOKEN_BODY "{\"access_token\":\"" TOKEN "\",\"item_id\":\"item-1\",\"cursor\":\"c-1\"}"
#define CALL_MS    10000L
/* What the fake Plaid's /item/public_token/exchange answers. */
#define EXCHANGED_TOKEN "access-sandbox-item-a"

/* What the release functions saw (libcurl may release from another thread). */
static atomic_size_t s_released;
static atomic_size_t s_not_zero;
static atomic_size_t s_with_token;

static void s_reset(void)
{
  atomic_store(&s_released, 0);
  atomic_store(&s_not_zero, 0);
  atomic_store(&s_with_token, 0);
}

static void s_inspect(const void *p, size_t n)
{
  const unsigned char *bytes = p;
  atomic_fetch_add(&s_released, 1);
  for(size_t i = 0; i < n; i++) {
    if(bytes[i]) {
      atomic_fetch_add(&s_not_zero, 1);
      break;
    }
  }
  static const char *const secrets[] = {TOKEN, EXCHANGED_TOKEN, FAKE_PLAID_SECRET};
  for(size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
    if(memmem(p, n, secrets[i], strlen(secrets[i]))) {
      atomic_fetch_add(&s_with_token, 1);
      break;
    }
  }
}

/* The libraries' own behaviour, for the control runs: a plain free that looks at each block first. */
static void s_spy_free(void *p)
{
  if(!p)
    return;
  s_inspect(p, malloc_usable_size(p));
  free(p);
}

/* secure_alloc's release hook: each block after its wipe, before free(). */
static void s_check_release(void *p, size_t n)
{
  assert_int_equal(n, malloc_usable_size(p));
  s_inspect(p, n);
  free(p);
}

static void s_parse_and_release_a_token(void)
{
  json_error_t err;
  json_t *doc = json_loads(TOKEN_BODY, 0, &err);
  assert_non_null(doc);
  assert_string_equal(json_string_value(json_object_get(doc, "access_token")), TOKEN);
  json_decref(doc);
}

static size_t s_sink(char *data, size_t size, size_t n, void *user)
{
  (void)data;
  *(size_t *)user += size * n;
  return size * n;
}

/* POSTs TOKEN_BODY with "Authorization: Bearer TOKEN" to a loopback server that answers with the token too,
 * through a fresh easy handle; checks the server received both. */
static void s_request_with_a_token(void)
{
  script_server *srv = NULL;
  assert_int_equal(script_server_new(NULL, NULL, &srv), MYNT_OK);
  assert_int_equal(script_server_reply(srv, 200, TOKEN_BODY), MYNT_OK);
  CURL *easy = curl_easy_init();
  assert_non_null(easy);
  struct curl_slist *headers = curl_slist_append(NULL, "Authorization: Bearer " TOKEN);
  assert_non_null(headers);
  size_t received = 0;
  assert_int_equal(curl_easy_setopt(easy, CURLOPT_URL, script_server_url(srv)), CURLE_OK);
  assert_int_equal(curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers), CURLE_OK);
  assert_int_equal(curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, TOKEN_BODY), CURLE_OK);
  assert_int_equal(curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, s_sink), CURLE_OK);
  assert_int_equal(curl_easy_setopt(easy, CURLOPT_WRITEDATA, &received), CURLE_OK);
  assert_int_equal(curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, CALL_MS), CURLE_OK);
  assert_int_equal(curl_easy_perform(easy), CURLE_OK);
  long http = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &http);
  assert_int_equal(http, 200);
  assert_int_equal(received, strlen(TOKEN_BODY));
  curl_easy_cleanup(easy);
  curl_slist_free_all(headers);
  const script_record *rec = script_server_record(srv, 0);
  assert_non_null(rec);
  assert_string_equal(rec->body, TOKEN_BODY);
  script_server_free(srv);
}

/* The control: with a plain free, jansson releases blocks that still hold the token. */
static void test_jansson_alone_releases_the_token_unwiped(void **state)
{
  (void)state;
  s_reset();
  json_set_alloc_funcs(malloc, s_spy_free);
  s_parse_and_release_a_token();
  json_set_alloc_funcs(malloc, free);
  assert_true(atomic_load(&s_with_token) >= 1);
}

/* The control: with a plain free, libcurl releases blocks that still hold the token. */
static void test_libcurl_alone_releases_the_token_unwiped(void **state)
{
  (void)state;
  s_reset();
  assert_int_equal(curl_global_init_mem(CURL_GLOBAL_DEFAULT, malloc, s_spy_free, realloc, strdup, calloc), CURLE_OK);
  s_request_with_a_token();
  curl_global_cleanup();
  assert_true(atomic_load(&s_with_token) >= 1);
}

/* Asserts that every block released since s_reset was zeroed (none still held the token), then takes the secure
 * allocator out again: the release hook, libcurl's global state and jansson's allocator back to plain free. */
static void s_assert_all_zeroed_and_uninstall(void)
{
  assert_int_equal(atomic_load(&s_not_zero), 0);
  assert_int_equal(atomic_load(&s_with_token), 0);
  secure_alloc_set_release(NULL);
  curl_global_cleanup();
  json_set_alloc_funcs(malloc, free);
}

static void test_installed_allocator_releases_only_zeroed_blocks_from_jansson_and_libcurl(void **state)
{
  (void)state;
  assert_int_equal(secure_alloc_install(CURL_GLOBAL_DEFAULT), MYNT_OK);
  secure_alloc_set_release(s_check_release);

  s_reset();
  s_parse_and_release_a_token();
  size_t from_jansson = atomic_load(&s_released);
  assert_true(from_jansson >= 3); /* the object, its key table and the token's string at least */
  assert_int_equal(atomic_load(&s_not_zero), 0);
  assert_int_equal(atomic_load(&s_with_token), 0);

  s_reset();
  s_request_with_a_token();
  assert_true(atomic_load(&s_released) >= 3); /* the header list, the request buffer, the handle at least */
  s_assert_all_zeroed_and_uninstall();
}

/* Mynt's own Plaid client against the loopback fake Plaid: exchanging a public token (the access token arrives in
 * libcurl's buffers and jansson's parse) and a call carrying an access token and the Plaid secret. */
static void test_plaid_calls_release_only_zeroed_blocks(void **state)
{
  (void)state;
  assert_int_equal(secure_alloc_install(CURL_GLOBAL_DEFAULT), MYNT_OK);
  fake_plaid *fake = NULL;
  assert_int_equal(fake_plaid_new(&fake), MYNT_OK);
  fake_plaid_add_item(fake, TOKEN, "txn", 3);
  plaid_config cfg = fake_plaid_config(script_server_url(fake->server), FAKE_PLAID_SECRET);
  plaid_client *client = NULL;
  assert_int_equal(plaid_client_new(&cfg, &client), MYNT_OK);
  plaid_config_wipe(&cfg);
  secure_alloc_set_release(s_check_release);
  s_reset();

  json_t *answer = NULL;
  plaid_error err;
  assert_int_equal(
    plaid_item_public_token_exchange(client, FAKE_PLAID_PUBLIC_TOKEN, clock_epoch_ms() + CALL_MS, &answer, &err),
    MYNT_OK);
  assert_string_equal(json_string_value(json_object_get(answer, "access_token")), EXCHANGED_TOKEN);
  json_decref(answer);
  assert_int_equal(plaid_accounts_get(client, TOKEN, clock_epoch_ms() + CALL_MS, &answer, &err), MYNT_OK);
  assert_non_null(json_object_get(answer, "accounts"));
  json_decref(answer);
  plaid_client_free(client);
  fake_plaid_free(fake);

  assert_true(atomic_load(&s_released) >= 10);
  s_assert_all_zeroed_and_uninstall();
}

static void test_realloc_keeps_the_contents_and_wipes_the_old_block(void **state)
{
  (void)state;
  secure_alloc_set_release(s_check_release);
  s_reset();
  char *p = secure_alloc_realloc(NULL, sizeof(TOKEN));
  assert_non_null(p);
  memcpy(p, TOKEN, sizeof(TOKEN));
  char *grown = secure_alloc_realloc(p, 4096);
  assert_non_null(grown);
  assert_string_equal(grown, TOKEN);
  assert_int_equal(atomic_load(&s_released), 1);
  assert_int_equal(atomic_load(&s_not_zero), 0);
  char *shrunk = secure_alloc_realloc(grown, 8);
  assert_non_null(shrunk);
  assert_memory_equal(shrunk, TOKEN, 8);
  secure_alloc_free(shrunk);
  secure_alloc_free(NULL);
  assert_int_equal(atomic_load(&s_released), 3);
  assert_int_equal(atomic_load(&s_not_zero), 0);
  assert_int_equal(atomic_load(&s_with_token), 0);
  secure_alloc_set_release(NULL);
}

UNIT_MAIN("secure_alloc", NULL, NULL,
          {
            cmocka_unit_test(test_jansson_alone_releases_the_token_unwiped),
            cmocka_unit_test(test_libcurl_alone_releases_the_token_unwiped),
            cmocka_unit_test(test_installed_allocator_releases_only_zeroed_blocks_from_jansson_and_libcurl),
            cmocka_unit_test(test_plaid_calls_release_only_zeroed_blocks),
            cmocka_unit_test(test_realloc_keeps_the_contents_and_wipes_the_old_block),
          })
