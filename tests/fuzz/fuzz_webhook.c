/* fuzz_webhook.c - fuzzes the verification of Plaid's webhooks: the Plaid-Verification JWS, the body it
 * covers, the key JSON Plaid answers (/webhook_verification_key/get) and the body parser.
 * Input: NUL-separated parts: the header's token, the body, then optionally the JWK the key source
 * answers for an unknown kid (absent: Plaid refuses the kid). The clock is fixed; every input starts
 * from a fresh key cache holding the seed key, so runs do not depend on each other. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/detail.h"
#include "fuzz_support.h"
#include "plaid/webhook.h"

#define S_NOW_S 1767225600

/* The public key the seed corpus was signed with (its private half was thrown away). */
static const char s_jwk_text[] =
  "{\"alg\":\"ES256\",\"created_at\":1767000000,\"crv\":\"P-256\",\"expired_at\":null,\"kid\":\"fuzz-kid\",\"kty\":"
  "\"EC\",\"use\":\"sig\",\"x\":\"iNprOx64gfxeNrhm6qVXsFoDk7V0C9FDbwhxjUnaink\",\"y\":"
  "\"Oo9cl2Hr278lFwiDGoHSyxBoghOJmm9uzPJL1NFRYKs\"}";
static json_t *s_jwk;

typedef struct {
  const char *text; /* the JWK to answer; NULL: refuse */
  size_t len;
} s_source;

static mynt_status s_fetch(void *ctx, const char *kid, json_t **out_jwk, mynt_detail *detail)
{
  const s_source *src = ctx;
  (void)kid;
  if(!src->text)
    return mynt_fail(detail, MYNT_BAD_REQUEST, "Plaid answered 400 INVALID_WEBHOOK_VERIFICATION_KEY_ID");
  *out_jwk = json_loadb(src->text, src->len, 0, NULL);
  return *out_jwk ? MYNT_OK : mynt_fail(detail, MYNT_UNAVAILABLE, "Plaid's answer was not JSON");
}

FUZZ_JSON_INITIALIZE(s_jwk_text, &s_jwk)

/* Whether the reason quotes a long enough piece of text (the token or the body): it never may. */
static bool s_quotes(const char *reason, const char *text, size_t len)
{
  return len >= 16 && memmem(reason, strlen(reason), text, len) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  fuzz_parts parts;
  plaid_webhook_keys *keys = NULL;
  json_t *jwk = NULL;
  mynt_buf payload;
  buf_init(&payload, PLAID_WEBHOOK_MAX_TOKEN);
  if(fuzz_split(data, size, 3, &parts) != 0)
    return 0;
  const char *token = parts.part[0];
  const char *body = parts.count > 1 ? parts.part[1] : "";
  size_t body_len = parts.count > 1 ? parts.len[1] : 0;
  s_source src = {parts.count > 2 ? parts.part[2] : NULL, parts.count > 2 ? parts.len[2] : 0};
  if(plaid_webhook_keys_new(&keys) != MYNT_OK)
    goto cleanup;
  mynt_detail why;
  mynt_detail_clear(&why);
  FUZZ_CHECK(plaid_webhook_keys_add(keys, s_jwk, &why) == MYNT_OK);

  /* The key JSON alone: refused keys leave the cache as it was. */
  if(src.text && (jwk = json_loadb(src.text, src.len, 0, NULL))) {
    size_t before = plaid_webhook_keys_count(keys);
    mynt_status st = plaid_webhook_keys_add(keys, jwk, &why);
    FUZZ_CHECK(st == MYNT_OK || st == MYNT_BAD_REQUEST || st == MYNT_NOMEM);
    if(st)
      FUZZ_CHECK(plaid_webhook_keys_count(keys) == before);
    FUZZ_CHECK(plaid_webhook_keys_count(keys) <= PLAID_WEBHOOK_MAX_KEYS);
    plaid_webhook_keys_free(keys);
    keys = NULL;
    if(plaid_webhook_keys_new(&keys) != MYNT_OK || plaid_webhook_keys_add(keys, s_jwk, NULL) != MYNT_OK)
      goto cleanup;
  }

  /* The JWS layer with the seed key. */
  mynt_status st = plaid_webhook_jws_verify(s_jwk, token, &payload, &why);
  FUZZ_CHECK(st == MYNT_OK || st == MYNT_UNAUTHORIZED);
  if(st)
    FUZZ_CHECK(payload.len == 0);

  /* The whole check, as the webhook handler makes it. */
  plaid_webhook_key_source source = {s_fetch, &src};
  mynt_detail_clear(&why);
  st = plaid_webhook_verify(keys, &source, token, body, body_len, S_NOW_S, &why);
  FUZZ_CHECK(st == MYNT_OK || st == MYNT_UNAUTHORIZED || st == MYNT_UNAVAILABLE || st == MYNT_RATE_LIMITED ||
             st == MYNT_NOMEM);
  if(st) {
    FUZZ_CHECK(mynt_detail_text(&why)[0] != '\0');
    FUZZ_CHECK(!s_quotes(mynt_detail_text(&why), token, strlen(token)));
    FUZZ_CHECK(!s_quotes(mynt_detail_text(&why), body, body_len));
  }

  /* The body parser, verified or not. */
  plaid_webhook_event event;
  st = plaid_webhook_parse(body, body_len, &event, &why);
  FUZZ_CHECK(st == MYNT_OK || st == MYNT_BAD_REQUEST || st == MYNT_TOO_LARGE || st == MYNT_NOMEM);
  if(st == MYNT_OK) {
    FUZZ_CHECK(event.webhook_type[0] && event.webhook_code[0]);
    FUZZ_CHECK(memchr(event.item_id, '\0', sizeof event.item_id));
    FUZZ_CHECK(memchr(event.new_webhook_url, '\0', sizeof event.new_webhook_url));
  }

cleanup:
  json_decref(jwk);
  buf_free(&payload);
  plaid_webhook_keys_free(keys);
  fuzz_parts_free(&parts);
  return 0;
}
