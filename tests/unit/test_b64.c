/* test_b64.c - unit tests for base64: standard and base64url, checked against OpenSSL's EVP_EncodeBlock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "core/b64.h"
#include "support/unit_main.h"

/* Fills p[0..n) with a fixed pseudo-random pattern. */
static void s_pattern(unsigned char *p, size_t n, unsigned seed)
{
  for(size_t i = 0; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    p[i] = (unsigned char)(seed >> 16);
  }
}

static void test_b64_std_encode_matches_openssl_and_decodes_back(void **state)
{
  (void)state;
  unsigned char data[200];
  char want[300];
  for(size_t n = 0; n <= sizeof data; n++) {
    s_pattern(data, n, (unsigned)n);
    int want_len = EVP_EncodeBlock((unsigned char *)want, data, (int)n);
    mynt_buf text;
    buf_init(&text, 1024);
    assert_int_equal(b64_std_encode_buf(data, n, &text), MYNT_OK);
    assert_int_equal(text.len, (size_t)want_len);
    assert_int_equal(b64_std_encoded_len(n), (size_t)want_len);
    assert_string_equal(buf_cstr(&text), want);
    size_t checked = 99;
    assert_int_equal(b64_std_check(buf_cstr(&text), text.len, &checked), MYNT_OK);
    assert_int_equal(checked, n);
    mynt_buf back;
    buf_init(&back, 1024);
    assert_int_equal(b64_std_decode_buf(buf_cstr(&text), text.len, &back), MYNT_OK);
    assert_int_equal(back.len, n);
    if(n)
      assert_memory_equal(back.ptr, data, n);
    buf_free(&back);
    buf_free(&text);
  }
}

static void test_b64_std_decode_agrees_with_openssl_on_padded_text(void **state)
{
  (void)state;
  unsigned char data[96];
  char text[200];
  unsigned char want[200];
  unsigned char got[200];
  for(size_t n = 1; n <= sizeof data; n++) {
    s_pattern(data, n, (unsigned)(n * 7));
    int text_len = EVP_EncodeBlock((unsigned char *)text, data, (int)n);
    int want_len = EVP_DecodeBlock(want, (unsigned char *)text, text_len);
    assert_true(want_len >= (int)n);
    size_t got_len = 0;
    assert_int_equal(b64_std_decode(text, (size_t)text_len, got, sizeof got, &got_len), MYNT_OK);
    assert_int_equal(got_len, n); /* EVP_DecodeBlock counts padding as zero bytes */
    assert_memory_equal(got, want, n);
  }
}

static void test_b64_url_encode_is_the_unpadded_url_alphabet_of_openssl_text(void **state)
{
  (void)state;
  unsigned char data[64];
  for(size_t n = 0; n <= sizeof data; n++) {
    s_pattern(data, n, (unsigned)(n + 3));
    char std[100];
    EVP_EncodeBlock((unsigned char *)std, data, (int)n);
    size_t len = strcspn(std, "=");
    std[len] = '\0';
    for(size_t i = 0; i < len; i++)
      std[i] = std[i] == '+' ? '-' : std[i] == '/' ? '_' : std[i];
    char url[100];
    assert_int_equal(b64_url_encode(data, n, url, sizeof url), MYNT_OK);
    assert_string_equal(url, std);
    assert_int_equal(b64_url_encoded_len(n), len);
  }
}

static void test_b64_std_round_trips_the_rfc_4648_vectors(void **state)
{
  (void)state;
  const char *inputs[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char *encoded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for(size_t i = 0; i < 7; i++) {
    mynt_buf b, d;
    buf_init(&b, 64);
    buf_init(&d, 64);
    assert_int_equal(b64_std_encode_buf(inputs[i], strlen(inputs[i]), &b), MYNT_OK);
    assert_string_equal(buf_cstr(&b), encoded[i]);
    assert_int_equal(b64_std_decode_buf(b.ptr ? b.ptr : "", b.len, &d), MYNT_OK);
    assert_string_equal(buf_cstr(&d), inputs[i]);
    buf_free(&b);
    buf_free(&d);
  }
  mynt_buf d;
  buf_init(&d, 64);
  assert_int_equal(b64_std_decode_buf("Zm9v!", 5, &d), MYNT_BAD_REQUEST);
  buf_free(&d);
}

static void test_b64_std_rejects_bad_padding_and_foreign_characters(void **state)
{
  (void)state;
  static const char *const bad[] = {
    "T", "TQ=", "TQ===", "TWE==", "TW@u", "TQ==TQ==", " TWFu", "TWFu\n", "T-_u", "=", "TR=="};
  for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    size_t n = 7;
    if(b64_std_check(bad[i], strlen(bad[i]), &n) != MYNT_BAD_REQUEST)
      fail_msg("\"%s\" was accepted", bad[i]);
    assert_int_equal(n, 0);
    mynt_buf out;
    buf_init(&out, 64);
    assert_int_equal(b64_std_decode_buf(bad[i], strlen(bad[i]), &out), MYNT_BAD_REQUEST);
    assert_int_equal(out.len, 0);
    buf_free(&out);
  }
}

static void test_b64_url_decode_is_strict(void **state)
{
  (void)state;
  static const struct {
    const char *in;
    mynt_status st;
    const char *out;
    size_t len;
  } cases[] = {
    {"aGk", MYNT_OK, "hi", 2},        {"-_8", MYNT_OK, "\xfb\xff", 2},    {"aGk=", MYNT_BAD_REQUEST, "", 0},
    {"a+k", MYNT_BAD_REQUEST, "", 0}, {"aGkhZ", MYNT_BAD_REQUEST, "", 0}, {"aGl", MYNT_BAD_REQUEST, "", 0},
  };
  for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    mynt_buf b;
    buf_init(&b, 64);
    assert_int_equal(b64_url_decode_buf(cases[i].in, strlen(cases[i].in), &b), cases[i].st);
    assert_int_equal(b.len, cases[i].len);
    assert_memory_equal(buf_cstr(&b), cases[i].out, cases[i].len);
    buf_free(&b);
  }
}

static void test_b64_buf_functions_answer_too_large_past_the_cap(void **state)
{
  (void)state;
  mynt_buf out;
  buf_init(&out, 2);
  assert_int_equal(b64_std_decode_buf("TWFu", 4, &out), MYNT_TOO_LARGE);
  assert_null(out.ptr);
  assert_int_equal(b64_std_decode_buf("TWE=", 4, &out), MYNT_OK);
  assert_string_equal(buf_cstr(&out), "Ma");
  buf_free(&out);
  buf_init(&out, 7);
  assert_int_equal(b64_std_encode_buf("Man", 3, &out), MYNT_OK);
  assert_int_equal(b64_std_encode_buf("Man", 3, &out), MYNT_TOO_LARGE);
  buf_free(&out);
  buf_init(&out, 1);
  assert_int_equal(b64_url_decode_buf("aGk", 3, &out), MYNT_TOO_LARGE);
  buf_free(&out);
}

UNIT_MAIN("b64", NULL, NULL,
          {
            cmocka_unit_test(test_b64_std_encode_matches_openssl_and_decodes_back),
            cmocka_unit_test(test_b64_std_decode_agrees_with_openssl_on_padded_text),
            cmocka_unit_test(test_b64_url_encode_is_the_unpadded_url_alphabet_of_openssl_text),
            cmocka_unit_test(test_b64_std_round_trips_the_rfc_4648_vectors),
            cmocka_unit_test(test_b64_std_rejects_bad_padding_and_foreign_characters),
            cmocka_unit_test(test_b64_url_decode_is_strict),
            cmocka_unit_test(test_b64_buf_functions_answer_too_large_past_the_cap),
          })
