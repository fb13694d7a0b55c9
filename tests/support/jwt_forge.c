/* jwt_forge.c - tests' RS256 tokens and the key sets (JWKS) that verify them, served on loopback. */
#include "support/jwt_forge.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>

#include "core/buf.h"
#include "core/b64.h"

char *jwt_forge_b64url(const void *data, size_t len)
{
  size_t cap = b64_url_encoded_len(len) + 1;
  char *out = malloc(cap);
  assert_non_null(out);
  assert_int_equal(b64_url_encode(data, len, out, cap), MYNT_OK);
  return out;
}

/* The base64url of one big-endian RSA parameter of key (caller frees). */
static char *s_param_b64url(EVP_PKEY *key, const char *param)
{
  BIGNUM *bn = NULL;
  assert_int_equal(EVP_PKEY_get_bn_param(key, param, &bn), 1);
  int n = BN_num_bytes(bn);
  unsigned char *raw = malloc((size_t)n);
  assert_non_null(raw);
  BN_bn2bin(bn, raw);
  char *out = jwt_forge_b64url(raw, (size_t)n);
  free(raw);
  BN_free(bn);
  return out;
}

json_t *jwt_forge_jwk(EVP_PKEY *key, const char *kid)
{
  char *n = s_param_b64url(key, OSSL_PKEY_PARAM_RSA_N);
  char *e = s_param_b64url(key, OSSL_PKEY_PARAM_RSA_E);
  json_t *jwk = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "kty", "RSA", "alg", "RS256", "use", "sig", "kid", kid, "n",
                          n, "e", e);
  assert_non_null(jwk);
  free(n);
  free(e);
  return jwk;
}

char *jwt_forge_sign(EVP_PKEY *key, const char *header, const char *claims)
{
  char *h = jwt_forge_b64url(header, strlen(header));
  char *c = jwt_forge_b64url(claims, strlen(claims));
  mynt_buf token;
  buf_init(&token, 1 << 16);
  assert_int_equal(buf_appendf(&token, "%s.%s", h, c), MYNT_OK);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  assert_non_null(md);
  size_t sig_len = 0;
  assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key), 1);
  assert_int_equal(EVP_DigestSign(md, NULL, &sig_len, (unsigned char *)token.ptr, token.len), 1);
  unsigned char *sig = malloc(sig_len);
  assert_non_null(sig);
  assert_int_equal(EVP_DigestSign(md, sig, &sig_len, (unsigned char *)token.ptr, token.len), 1);
  char *s = jwt_forge_b64url(sig, sig_len);
  assert_int_equal(buf_appendf(&token, ".%s", s), MYNT_OK);
  free(s);
  free(sig);
  EVP_MD_CTX_free(md);
  free(h);
  free(c);
  return buf_detach(&token);
}

static enum MHD_Result s_serve(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload_data, size_t *upload_data_size,
                               void **con_cls)
{
  (void)url;
  (void)method;
  (void)version;
  (void)upload_data;
  (void)upload_data_size;
  (void)con_cls;
  jwt_forge_jwks_server *srv = cls;
  pthread_mutex_lock(&srv->lock);
  srv->hits++;
  struct MHD_Response *r = MHD_create_response_from_buffer(strlen(srv->body), srv->body, MHD_RESPMEM_MUST_COPY);
  pthread_mutex_unlock(&srv->lock);
  if(!r)
    return MHD_NO;
  enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return ok;
}

void jwt_forge_jwks_start(jwt_forge_jwks_server *srv, json_t *jwks)
{
  memset(srv, 0, sizeof(*srv));
  pthread_mutex_init(&srv->lock, NULL);
  jwt_forge_jwks_set(srv, jwks);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  srv->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL, s_serve, srv,
                                 MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_END);
  assert_non_null(srv->daemon);
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
  assert_non_null(info);
  srv->port = info->port;
}

void jwt_forge_jwks_set(jwt_forge_jwks_server *srv, json_t *jwks)
{
  char *body = json_dumps(jwks, JSON_COMPACT);
  json_decref(jwks);
  assert_non_null(body);
  pthread_mutex_lock(&srv->lock);
  free(srv->body);
  srv->body = body;
  pthread_mutex_unlock(&srv->lock);
}

int jwt_forge_jwks_hits(jwt_forge_jwks_server *srv)
{
  pthread_mutex_lock(&srv->lock);
  int hits = srv->hits;
  pthread_mutex_unlock(&srv->lock);
  return hits;
}

void jwt_forge_jwks_stop(jwt_forge_jwks_server *srv)
{
  if(!srv->daemon)
    return;
  MHD_stop_daemon(srv->daemon);
  srv->daemon = NULL;
  free(srv->body);
  srv->body = NULL;
  pthread_mutex_destroy(&srv->lock);
}
