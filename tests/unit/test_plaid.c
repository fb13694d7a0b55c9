/* test_plaid.c - unit tests for the Plaid client: errors, request bodies, retries, deadlines and parallel paging against a validating loopback server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <microhttpd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "plaid/plaid.h"
#include "plaid/plaid_error.h"
#include "plaid/plaid_http.h"
#include "plaid/plaid_request.h"
#include "plaid/plaid_window.h"

#define CLIENT_ID "test-client-id-0001"
#define SECRET "test-secret-0123456789"
#define PUBLIC_GOOD "public-sandbox-5c224a01-8314-4491-a06f-39e193d5cddc"
#define START "2024-01-01"
#define END "2024-06-30"
/* How late after its deadline a call may return: the client's transfers time out at the
 * deadline, and what follows is the scheduler's on a loaded runner (a stall of over 150 ms was
 * seen). Still well short of the 1500 ms a stalled test server makes a client wait. */
#define S_LATE_MS 500

/* ---------------------------------------------------------------- the loopback Plaid */

/* One item the server knows, with its scripted behaviour and what it saw. */
typedef struct {
  const char *token;
  const char *prefix;      /* transaction ids are "<prefix>-<index>" */
  int total;               /* transactions in the window */
  int fail_count;          /* failures still to serve; -1 = forever */
  long fail_offset;        /* fail only /transactions/get at this offset; -1 = any request */
  int fail_http;
  const char *fail_type;   /* NULL = a non-JSON body */
  const char *fail_code;
  int delay_ms;            /* sleep before answering */
  int delay_after;         /* answers served at once before delay_ms applies (0: every answer waits) */
  int hits;
  int n_pages;
  long offsets[64];
  int counts[64];
} s_item;

typedef struct {
  struct MHD_Daemon *daemon;
  unsigned short port;
  pthread_mutex_t lock;
  s_item items[4];
  size_t n_items;
  int requests;
  int in_flight;
  int max_in_flight;
  int secret_in_body;
  int n_ports;
  unsigned short client_ports[64];
  json_t *last_link_body;
} s_server;

typedef struct {
  mynt_buf body;
} s_req;

typedef struct {
  s_server srv;
  plaid_client *client;
  char base_url[64];
} s_fixture;

static char *s_error_json(const char *type, const char *code, const char *message)
{
  json_t *e = json_pack("{s:s, s:s, s:s, s:n, s:s}", "error_type", type, "error_code", code, "error_message", message,
                        "display_message", "request_id", "req-error");
  char *text = json_dumps(e, JSON_COMPACT);
  json_decref(e);
  return text;
}

static int s_date_ok(const json_t *v)
{
  return json_is_string(v) && plaid_request_date_valid(json_string_value(v));
}

static s_item *s_find_item(s_server *srv, const char *token)
{
  for(size_t i = 0; token && i < srv->n_items; i++) {
    if(strcmp(srv->items[i].token, token) == 0)
      return &srv->items[i];
  }
  return NULL;
}

/* /link/token/create as Plaid validates it, plus Mynt's own rule: transactions only. */
static char *s_link_token(s_server *srv, json_t *body, int *http)
{
  json_t *user = json_object_get(body, "user");
  json_t *countries = json_object_get(body, "country_codes");
  if(!json_is_string(json_object_get(body, "client_name")) || !json_is_string(json_object_get(body, "language")) ||
     !json_is_array(countries) || json_array_size(countries) == 0 ||
     !json_is_string(json_object_get(user, "client_user_id"))) {
    *http = 400;
    return s_error_json("INVALID_REQUEST", "MISSING_FIELDS", "missing required fields");
  }
  const char *forbidden[] = {"required_if_supported_products", "optional_products", "additional_consented_products"};
  for(size_t i = 0; i < 3; i++) {
    if(json_object_get(body, forbidden[i])) {
      *http = 400;
      return s_error_json("INVALID_REQUEST", "INVALID_FIELD", "Mynt never asks for more products");
    }
  }
  json_t *products = json_object_get(body, "products");
  json_t *days = json_object_get(json_object_get(body, "transactions"), "days_requested");
  int update = json_is_string(json_object_get(body, "access_token"));
  const char *first = json_string_value(json_array_get(products, 0));
  int products_ok = update ? products == NULL
                           : json_is_array(products) && json_array_size(products) == 1 && first &&
                               strcmp(first, "transactions") == 0;
  if(!products_ok || (days && (!json_is_integer(days) || json_integer_value(days) < 1 || json_integer_value(days) > 730))) {
    *http = 400;
    return s_error_json("INVALID_REQUEST", "INVALID_FIELD", "products or transactions.days_requested");
  }
  pthread_mutex_lock(&srv->lock);
  json_decref(srv->last_link_body);
  srv->last_link_body = json_deep_copy(body);
  pthread_mutex_unlock(&srv->lock);
  *http = 200;
  return strdup("{\"link_token\":\"link-sandbox-0000\",\"expiration\":\"2024-01-01T04:00:00Z\",\"request_id\":\"req-link\"}");
}

/* /transactions/get: validates like Plaid and serves the item's page. */
static char *s_transactions(s_item *item, json_t *body, int *http)
{
  json_t *options = json_object_get(body, "options");
  json_t *count = json_object_get(options, "count");
  json_t *offset = json_object_get(options, "offset");
  if(!json_object_get(body, "start_date") || !json_object_get(body, "end_date")) {
    *http = 400;
    return s_error_json("INVALID_REQUEST", "MISSING_FIELDS", "start_date and end_date are required");
  }
  if(!s_date_ok(json_object_get(body, "start_date")) || !s_date_ok(json_object_get(body, "end_date")) ||
     (count && (!json_is_integer(count) || json_integer_value(count) < 1 || json_integer_value(count) > 500)) ||
     (offset && (!json_is_integer(offset) || json_integer_value(offset) < 0))) {
    *http = 400;
    return s_error_json("INVALID_REQUEST", "INVALID_FIELD", "a field is out of range");
  }
  long off = offset ? (long)json_integer_value(offset) : 0;
  int n = count ? (int)json_integer_value(count) : 100;
  if(item->n_pages < 64) {
    item->offsets[item->n_pages] = off;
    item->counts[item->n_pages] = n;
  }
  item->n_pages++;
  json_t *txns = json_array();
  for(long i = off; i < off + n && i < item->total; i++) {
    char id[64];
    char date[16];
    snprintf(id, sizeof id, "%s-%04ld", item->prefix, i);
    snprintf(date, sizeof date, "2024-06-%02ld", 28 - i % 28);
    json_array_append_new(txns, json_pack("{s:s, s:s, s:f, s:s, s:s, s:s, s:b}", "transaction_id", id, "account_id",
                                          "acc-1", "amount", (double)(i % 50) + 0.25, "iso_currency_code", "USD",
                                          "date", date, "name", "Shop", "pending", 0));
  }
  json_t *answer = json_pack("{s:[{s:s}], s:o, s:i, s:{s:s}, s:s}", "accounts", "account_id", "acc-1",
                             "transactions", txns, "total_transactions", item->total, "item", "item_id",
                             item->prefix, "request_id", "req-txn");
  char *text = json_dumps(answer, JSON_COMPACT);
  json_decref(answer);
  *http = 200;
  return text;
}

/* Answers one complete request; returns a malloc'd body and sets *http. */
static char *s_serve(s_server *srv, struct MHD_Connection *conn, const char *url, const char *method, s_req *r,
                     int *http)
{
  const char *id = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "PLAID-CLIENT-ID");
  const char *secret = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "PLAID-SECRET");
  const char *version = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Plaid-Version");
  const char *type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
  *http = 400;
  if(strcmp(method, "POST") != 0)
    return s_error_json("INVALID_REQUEST", "INVALID_HTTP_METHOD", "only POST");
  if(!id || !secret || strcmp(id, CLIENT_ID) != 0 || strcmp(secret, SECRET) != 0)
    return s_error_json("INVALID_INPUT", "INVALID_API_KEYS", "invalid client_id or secret provided");
  if(!version || strcmp(version, "2020-09-14") != 0)
    return s_error_json("INVALID_REQUEST", "INVALID_FIELD", "Plaid-Version");
  if(!type || strncmp(type, "application/json", 16) != 0)
    return s_error_json("INVALID_REQUEST", "INVALID_BODY", "the body must be JSON");
  json_t *body = json_loadb(r->body.ptr ? r->body.ptr : "", r->body.len, 0, NULL);
  if(!json_is_object(body)) {
    json_decref(body);
    return s_error_json("INVALID_REQUEST", "INVALID_BODY", "the body must be a JSON object");
  }
  char *answer = NULL;
  if(json_object_get(body, "secret") || json_object_get(body, "client_id")) {
    pthread_mutex_lock(&srv->lock);
    srv->secret_in_body = 1;
    pthread_mutex_unlock(&srv->lock);
  }
  if(strcmp(url, "/link/token/create") == 0) {
    answer = s_link_token(srv, body, http);
    goto done;
  }
  if(strcmp(url, "/item/public_token/exchange") == 0) {
    json_t *pt = json_object_get(body, "public_token");
    if(!json_is_string(pt)) {
      answer = s_error_json("INVALID_REQUEST", "MISSING_FIELDS", "public_token is required");
    }
    else if(strcmp(json_string_value(pt), PUBLIC_GOOD) != 0) {
      char msg[300];
      snprintf(msg, sizeof msg, "provided public token %s is invalid", json_string_value(pt));
      answer = s_error_json("INVALID_INPUT", "INVALID_PUBLIC_TOKEN", msg);
    }
    else {
      *http = 200;
      answer = strdup("{\"access_token\":\"access-sandbox-item-a\",\"item_id\":\"item-a\",\"request_id\":\"req-x\"}");
    }
    goto done;
  }
  int known = strcmp(url, "/item/get") == 0 || strcmp(url, "/item/remove") == 0 ||
              strcmp(url, "/accounts/get") == 0 || strcmp(url, "/transactions/get") == 0;
  if(!known) {
    *http = 404;
    answer = s_error_json("INVALID_REQUEST", "NOT_FOUND", "unknown path");
    goto done;
  }
  json_t *token = json_object_get(body, "access_token");
  if(!json_is_string(token)) {
    answer = s_error_json("INVALID_REQUEST", "MISSING_FIELDS", "access_token is required");
    goto done;
  }
  pthread_mutex_lock(&srv->lock);
  s_item *item = s_find_item(srv, json_string_value(token));
  int delay = 0;
  int fail = 0;
  if(item) {
    item->hits++;
    delay = item->hits > item->delay_after ? item->delay_ms : 0;
    long off = (long)json_integer_value(json_object_get(json_object_get(body, "options"), "offset"));
    int offset_matches = item->fail_offset < 0 || (strcmp(url, "/transactions/get") == 0 && off == item->fail_offset);
    if(item->fail_count != 0 && offset_matches) {
      fail = 1;
      if(item->fail_count > 0)
        item->fail_count--;
    }
  }
  pthread_mutex_unlock(&srv->lock);
  if(delay)
    usleep((useconds_t)delay * 1000);
  if(!item) {
    answer = s_error_json("INVALID_INPUT", "INVALID_ACCESS_TOKEN", "provided access token is in an invalid format");
    goto done;
  }
  if(fail) {
    *http = item->fail_http;
    answer = item->fail_type ? s_error_json(item->fail_type, item->fail_code, "scripted failure")
                             : strdup("<html><body>Bad gateway</body></html>");
    goto done;
  }
  *http = 200;
  if(strcmp(url, "/transactions/get") == 0) {
    pthread_mutex_lock(&srv->lock);
    answer = s_transactions(item, body, http);
    pthread_mutex_unlock(&srv->lock);
  }
  else if(strcmp(url, "/item/get") == 0) {
    answer = strdup("{\"item\":{\"item_id\":\"item-a\"},\"request_id\":\"req-item\"}");
  }
  else if(strcmp(url, "/accounts/get") == 0) {
    answer = strdup("{\"accounts\":[{\"account_id\":\"acc-1\"}],\"item\":{\"item_id\":\"item-a\"},\"request_id\":\"r\"}");
  }
  else {
    answer = strdup("{\"request_id\":\"req-remove\"}");
  }

done:
  json_decref(body);
  return answer;
}

static enum MHD_Result s_handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                 const char *version, const char *upload_data, size_t *upload_data_size,
                                 void **req_cls)
{
  (void)version;
  s_server *srv = cls;
  s_req *r = *req_cls;
  if(!r) {
    r = calloc(1, sizeof *r);
    if(!r)
      return MHD_NO;
    buf_init(&r->body, 1 << 20);
    *req_cls = r;
    return MHD_YES;
  }
  if(*upload_data_size) {
    if(buf_append(&r->body, upload_data, *upload_data_size))
      return MHD_NO;
    *upload_data_size = 0;
    return MHD_YES;
  }
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  pthread_mutex_lock(&srv->lock);
  srv->requests++;
  if(++srv->in_flight > srv->max_in_flight)
    srv->max_in_flight = srv->in_flight;
  if(ci && srv->n_ports < 64)
    srv->client_ports[srv->n_ports++] = ntohs(((const struct sockaddr_in *)ci->client_addr)->sin_port);
  pthread_mutex_unlock(&srv->lock);

  int http = 500;
  char *answer = s_serve(srv, conn, url, method, r, &http);

  pthread_mutex_lock(&srv->lock);
  srv->in_flight--;
  pthread_mutex_unlock(&srv->lock);
  if(!answer)
    return MHD_NO;
  struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(answer), answer, MHD_RESPMEM_MUST_FREE);
  if(!resp) {
    free(answer);
    return MHD_NO;
  }
  MHD_add_response_header(resp, "Content-Type", answer[0] == '{' ? "application/json" : "text/html");
  enum MHD_Result ret = MHD_queue_response(conn, (unsigned int)http, resp);
  MHD_destroy_response(resp);
  return ret;
}

static void s_completed(void *cls, struct MHD_Connection *conn, void **req_cls, enum MHD_RequestTerminationCode toe)
{
  (void)cls;
  (void)conn;
  (void)toe;
  s_req *r = *req_cls;
  if(r) {
    buf_free(&r->body);
    free(r);
    *req_cls = NULL;
  }
}

static s_item *s_add_item(s_server *srv, const char *token, const char *prefix, int total)
{
  assert_true(srv->n_items < 4);
  s_item *item = &srv->items[srv->n_items++];
  memset(item, 0, sizeof *item);
  item->token = token;
  item->prefix = prefix;
  item->total = total;
  item->fail_offset = -1;
  return item;
}

static void s_fail(s_item *item, int count, int http, const char *type, const char *code)
{
  item->fail_count = count;
  item->fail_http = http;
  item->fail_type = type;
  item->fail_code = code;
}

static plaid_config s_config(const char *base_url, const char *secret)
{
  plaid_config cfg;
  memset(&cfg, 0, sizeof cfg);
  snprintf(cfg.base_url, sizeof cfg.base_url, "%s", base_url);
  snprintf(cfg.client_id, sizeof cfg.client_id, "%s", CLIENT_ID);
  snprintf(cfg.secret, sizeof cfg.secret, "%s", secret);
  cfg.retry_base_ms = 20;
  cfg.retry_cap_ms = 100;
  return cfg;
}

static int s_setup(void **state)
{
  s_fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  pthread_mutex_init(&f->srv.lock, NULL);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  f->srv.daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
                                   s_handler, &f->srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                                   MHD_OPTION_NOTIFY_COMPLETED, s_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
                                   (unsigned int)10, MHD_OPTION_END);
  assert_non_null(f->srv.daemon);
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(f->srv.daemon, MHD_DAEMON_INFO_BIND_PORT);
  assert_non_null(info);
  f->srv.port = info->port;
  assert_int_not_equal(f->srv.port, 0);
  snprintf(f->base_url, sizeof f->base_url, "http://127.0.0.1:%u", (unsigned)f->srv.port);
  plaid_config cfg = s_config(f->base_url, SECRET);
  assert_int_equal(plaid_client_new(&cfg, &f->client), MYNT_OK);
  plaid_config_wipe(&cfg);
  *state = f;
  return 0;
}

static int s_teardown(void **state)
{
  s_fixture *f = *state;
  plaid_client_free(f->client);
  MHD_stop_daemon(f->srv.daemon);
  json_decref(f->srv.last_link_body);
  pthread_mutex_destroy(&f->srv.lock);
  free(f);
  return 0;
}

static int64_t s_in(int64_t ms)
{
  return clock_epoch_ms() + ms;
}

/* item's hits once those still on their way (a try the deadline cut short may reach the server
 * after the client gave up) have arrived: waits up to a second for expected. */
static int s_hits_settled(s_server *srv, const s_item *item, int expected)
{
  int64_t until = clock_mono_ms() + 1000;
  for(;;) {
    pthread_mutex_lock(&srv->lock);
    int hits = item->hits;
    pthread_mutex_unlock(&srv->lock);
    if(hits >= expected || clock_mono_ms() >= until)
      return hits;
    clock_sleep_ms(10);
  }
}

/* ---------------------------------------------------------------- errors */

static void test_plaid_error_parses_every_field(void **state)
{
  (void)state;
  const char *body = "{\"error_type\":\"ITEM_ERROR\",\"error_code\":\"ITEM_LOGIN_REQUIRED\","
                     "\"error_message\":\"the login details of this item have changed\","
                     "\"display_message\":\"Please sign in to your bank again\",\"request_id\":\"HNTDNrA8F1shFEW\","
                     "\"causes\":[],\"status\":400}";
  plaid_error e;
  assert_int_equal(plaid_error_parse(400, body, strlen(body), NULL, &e), MYNT_CONFLICT);
  assert_int_equal(e.status, MYNT_CONFLICT);
  assert_int_equal(e.kind, PLAID_ERR_ITEM_LOGIN_REQUIRED);
  assert_int_equal(e.http_status, 400);
  assert_string_equal(e.error_type, "ITEM_ERROR");
  assert_string_equal(e.error_code, "ITEM_LOGIN_REQUIRED");
  assert_string_equal(e.error_message, "the login details of this item have changed");
  assert_string_equal(e.display_message, "Please sign in to your bank again");
  assert_string_equal(e.request_id, "HNTDNrA8F1shFEW");
  assert_string_equal(e.detail, "");
  assert_string_equal(plaid_error_kind_name(e.kind), "item_login_required");
}

static void test_plaid_error_tolerates_missing_and_null_fields(void **state)
{
  (void)state;
  const char *body = "{\"error_type\":\"INVALID_REQUEST\",\"error_code\":\"INVALID_FIELD\",\"display_message\":null}";
  plaid_error e;
  assert_int_equal(plaid_error_parse(400, body, strlen(body), NULL, &e), MYNT_BAD_REQUEST);
  assert_int_equal(e.kind, PLAID_ERR_INVALID_REQUEST);
  assert_string_equal(e.error_message, "");
  assert_string_equal(e.display_message, "");
  assert_string_equal(e.request_id, "");

  const char *wrong_types = "{\"error_type\":42,\"error_code\":[\"x\"],\"request_id\":{}}";
  assert_int_equal(plaid_error_parse(400, wrong_types, strlen(wrong_types), NULL, &e), MYNT_UPSTREAM);
  assert_int_equal(e.kind, PLAID_ERR_MALFORMED);
  assert_string_equal(e.error_type, "");
  assert_string_equal(e.error_code, "");
}

static void test_plaid_error_treats_a_non_json_5xx_body_as_a_retryable_server_error(void **state)
{
  (void)state;
  const char *body = "<html><body>502 Bad Gateway</body></html>";
  plaid_error e;
  assert_int_equal(plaid_error_parse(502, body, strlen(body), NULL, &e), MYNT_UPSTREAM);
  assert_int_equal(e.kind, PLAID_ERR_SERVER);
  assert_true(plaid_error_retryable(e.kind));
  assert_int_equal(e.http_status, 502);
  assert_string_equal(e.error_code, "");
  assert_non_null(strstr(e.detail, "502"));

  assert_int_equal(plaid_error_parse(429, "", 0, NULL, &e), MYNT_RATE_LIMITED);
  assert_int_equal(e.kind, PLAID_ERR_RATE_LIMITED);
  assert_int_equal(plaid_error_parse(400, "nope", 4, NULL, &e), MYNT_UPSTREAM);
  assert_int_equal(e.kind, PLAID_ERR_MALFORMED);
  assert_false(plaid_error_retryable(e.kind));
}

static void test_plaid_error_maps_each_code_to_a_status(void **state)
{
  (void)state;
  const struct {
    int http;
    const char *type;
    const char *code;
    plaid_error_kind kind;
    mynt_status status;
    int retry;
  } rows[] = {
    {400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED", PLAID_ERR_ITEM_LOGIN_REQUIRED, MYNT_CONFLICT, 0},
    {400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN", PLAID_ERR_INVALID_ACCESS_TOKEN, MYNT_CONFLICT, 0},
    {400, "ITEM_ERROR", "ITEM_NOT_FOUND", PLAID_ERR_INVALID_ACCESS_TOKEN, MYNT_CONFLICT, 0},
    {400, "INVALID_INPUT", "INVALID_PUBLIC_TOKEN", PLAID_ERR_INVALID_PUBLIC_TOKEN, MYNT_BAD_REQUEST, 0},
    {400, "ITEM_ERROR", "PRODUCT_NOT_READY", PLAID_ERR_PRODUCT_NOT_READY, MYNT_UNAVAILABLE, 0},
    {400, "INVALID_REQUEST", "INVALID_FIELD", PLAID_ERR_INVALID_REQUEST, MYNT_BAD_REQUEST, 0},
    {400, "INVALID_REQUEST", "MISSING_FIELDS", PLAID_ERR_INVALID_REQUEST, MYNT_BAD_REQUEST, 0},
    {400, "INVALID_INPUT", "INVALID_API_KEYS", PLAID_ERR_INVALID_CREDENTIALS, MYNT_INTERNAL, 0},
    {429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT", PLAID_ERR_RATE_LIMITED, MYNT_RATE_LIMITED, 1},
    {429, "RATE_LIMIT_EXCEEDED", "TRANSACTIONS_LIMIT", PLAID_ERR_RATE_LIMITED, MYNT_RATE_LIMITED, 1},
    {500, "API_ERROR", "INTERNAL_SERVER_ERROR", PLAID_ERR_SERVER, MYNT_UPSTREAM, 1},
    {503, "API_ERROR", "PLANNED_MAINTENANCE", PLAID_ERR_SERVER, MYNT_UPSTREAM, 1},
    {400, "INSTITUTION_ERROR", "INSTITUTION_DOWN", PLAID_ERR_INSTITUTION, MYNT_UNAVAILABLE, 0},
    {400, "ITEM_ERROR", "NO_ACCOUNTS", PLAID_ERR_OTHER, MYNT_UPSTREAM, 0},
  };
  for(size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    char body[256];
    snprintf(body, sizeof body, "{\"error_type\":\"%s\",\"error_code\":\"%s\",\"error_message\":\"m\"}", rows[i].type,
             rows[i].code);
    plaid_error e;
    assert_int_equal(plaid_error_parse(rows[i].http, body, strlen(body), NULL, &e), rows[i].status);
    assert_int_equal(e.kind, rows[i].kind);
    assert_int_equal(plaid_error_retryable(e.kind), rows[i].retry);
  }
  assert_int_equal(plaid_error_kind_status(PLAID_ERR_TRANSPORT), MYNT_UNAVAILABLE);
  assert_int_equal(plaid_error_kind_status(PLAID_ERR_DEADLINE), MYNT_TIMEOUT);
  assert_true(plaid_error_retryable(PLAID_ERR_TRANSPORT));
  assert_int_equal(mynt_status_http(plaid_error_kind_status(PLAID_ERR_RATE_LIMITED)), 429);
  assert_int_equal(mynt_status_http(plaid_error_kind_status(PLAID_ERR_SERVER)), 502);
  assert_int_equal(mynt_status_http(plaid_error_kind_status(PLAID_ERR_TRANSPORT)), 503);
}

static void test_plaid_error_never_contains_a_token(void **state)
{
  (void)state;
  const char *token = "access-sandbox-de3ce8ef-33f8-452c-a685-8671031fc0f6";
  char body[512];
  snprintf(body, sizeof body,
           "{\"error_type\":\"INVALID_INPUT\",\"error_code\":\"INVALID_ACCESS_TOKEN\","
           "\"error_message\":\"token %s is bad; so is access-production-0123456789ab and public-sandbox-77777777\","
           "\"display_message\":\"%s\"}",
           token, token);
  plaid_error e;
  plaid_error_parse(400, body, strlen(body), token, &e);
  assert_null(strstr(e.error_message, "de3ce8ef"));
  assert_null(strstr(e.error_message, "0123456789ab"));
  assert_null(strstr(e.error_message, "77777777"));
  assert_null(memmem(&e, sizeof e, "de3ce8ef", 8));
  assert_string_equal(e.error_message, "token [redacted] is bad; so is [redacted] and [redacted]");
  assert_string_equal(e.display_message, "[redacted]");

  char text[64] = "my-secret-x in the access-token text";
  plaid_error_redact(text, sizeof text, "my-secret-x");
  assert_string_equal(text, "[redacted] in the access-token text");
}

/* ---------------------------------------------------------------- request bodies */

static void test_plaid_link_token_body_asks_only_for_transactions(void **state)
{
  (void)state;
  json_t *body = NULL;
  assert_int_equal(plaid_request_link_token_create("user-123", NULL, "https://api.example.com/plaid/webhook", &body),
                   MYNT_OK);
  json_t *products = json_object_get(body, "products");
  assert_true(json_is_array(products));
  assert_int_equal(json_array_size(products), 1);
  assert_string_equal(json_string_value(json_array_get(products, 0)), "transactions");
  assert_null(json_object_get(body, "required_if_supported_products"));
  assert_null(json_object_get(body, "optional_products"));
  assert_null(json_object_get(body, "additional_consented_products"));
  assert_null(json_object_get(body, "access_token"));
  assert_int_equal(json_integer_value(json_object_get(json_object_get(body, "transactions"), "days_requested")), 730);
  assert_string_equal(json_string_value(json_object_get(json_object_get(body, "user"), "client_user_id")), "user-123");
  assert_string_equal(json_string_value(json_object_get(body, "client_name")), "Mynt");
  assert_string_equal(json_string_value(json_object_get(body, "language")), "en");
  json_t *countries = json_object_get(body, "country_codes");
  assert_int_equal(json_array_size(countries), 1);
  assert_string_equal(json_string_value(json_array_get(countries, 0)), "US");
  assert_string_equal(json_string_value(json_object_get(body, "webhook")), "https://api.example.com/plaid/webhook");
  assert_null(json_object_get(body, "secret"));
  assert_null(json_object_get(body, "client_id"));
  json_decref(body);

  assert_int_equal(plaid_request_link_token_create("user-123", "", NULL, &body), MYNT_OK);
  assert_null(json_object_get(body, "webhook"));
  assert_non_null(json_object_get(body, "products"));
  json_decref(body);

  assert_int_equal(plaid_request_link_token_create("", NULL, NULL, &body), MYNT_BAD_REQUEST);
  assert_null(body);
  assert_int_equal(plaid_request_link_token_create("user 1", NULL, NULL, &body), MYNT_BAD_REQUEST);
  assert_int_equal(plaid_request_link_token_create("user-1", NULL, "ftp://x", &body), MYNT_BAD_REQUEST);
}

static void test_plaid_link_token_update_mode_sends_the_item_and_no_products(void **state)
{
  (void)state;
  json_t *body = NULL;
  assert_int_equal(plaid_request_link_token_create("user-123", "access-sandbox-abc", NULL, &body), MYNT_OK);
  assert_string_equal(json_string_value(json_object_get(body, "access_token")), "access-sandbox-abc");
  assert_null(json_object_get(body, "products"));
  assert_null(json_object_get(body, "transactions"));
  assert_null(json_object_get(body, "required_if_supported_products"));
  assert_null(json_object_get(body, "optional_products"));
  assert_null(json_object_get(body, "additional_consented_products"));
  assert_string_equal(json_string_value(json_object_get(json_object_get(body, "user"), "client_user_id")), "user-123");
  json_decref(body);
}

static void test_plaid_transactions_body_validates_dates_count_and_offset(void **state)
{
  (void)state;
  const char *accounts[] = {"acc-1", "acc-2"};
  plaid_transactions_query q = {"access-sandbox-abc", "2024-02-01", "2024-02-29", 500, 1000, accounts, 2};
  json_t *body = NULL;
  assert_int_equal(plaid_request_transactions_get(&q, &body), MYNT_OK);
  assert_string_equal(json_string_value(json_object_get(body, "start_date")), "2024-02-01");
  assert_string_equal(json_string_value(json_object_get(body, "end_date")), "2024-02-29");
  json_t *options = json_object_get(body, "options");
  assert_int_equal(json_integer_value(json_object_get(options, "count")), 500);
  assert_int_equal(json_integer_value(json_object_get(options, "offset")), 1000);
  assert_int_equal(json_array_size(json_object_get(options, "account_ids")), 2);
  json_decref(body);

  q.n_account_ids = 0;
  q.count = 1;
  assert_int_equal(plaid_request_transactions_get(&q, &body), MYNT_OK);
  assert_null(json_object_get(json_object_get(body, "options"), "account_ids"));
  json_decref(body);

  const struct {
    const char *start;
    const char *end;
    int count;
    long offset;
  } bad[] = {
    {"2024-02-01", "2024-02-29", 0, 0},   {"2024-02-01", "2024-02-29", 501, 0},
    {"2024-02-01", "2024-02-29", 10, -1}, {"2023-02-29", "2023-03-01", 10, 0},
    {"2024-03-01", "2024-02-01", 10, 0},  {"2024-1-01", "2024-02-01", 10, 0},
    {"2024-13-01", "2024-12-01", 10, 0},  {"2024-01-01", "2024-01-32", 10, 0},
  };
  for(size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    plaid_transactions_query b = {"access-sandbox-abc", bad[i].start, bad[i].end, bad[i].count, bad[i].offset, NULL, 0};
    assert_int_equal(plaid_request_transactions_get(&b, &body), MYNT_BAD_REQUEST);
    assert_null(body);
  }
  assert_true(plaid_request_date_valid("2024-02-29"));
  assert_false(plaid_request_date_valid("2100-02-29"));
}

static void test_plaid_config_picks_the_base_url_from_the_environment(void **state)
{
  (void)state;
  char url[256];
  assert_int_equal(plaid_base_url_resolve(NULL, "sandbox", url, sizeof url), MYNT_OK);
  assert_string_equal(url, "https://sandbox.plaid.com");
  assert_int_equal(plaid_base_url_resolve("", "production", url, sizeof url), MYNT_OK);
  assert_string_equal(url, "https://production.plaid.com");
  assert_int_equal(plaid_base_url_resolve("http://127.0.0.1:4010/", "nonsense", url, sizeof url), MYNT_OK);
  assert_string_equal(url, "http://127.0.0.1:4010");
  assert_int_equal(plaid_base_url_resolve(NULL, "development", url, sizeof url), MYNT_BAD_REQUEST);
  assert_string_equal(url, "");
  assert_int_equal(plaid_base_url_resolve(NULL, NULL, url, sizeof url), MYNT_BAD_REQUEST);
  assert_int_equal(plaid_base_url_resolve("sandbox.plaid.com", NULL, url, sizeof url), MYNT_BAD_REQUEST);

  plaid_config cfg;
  mynt_detail why;
  unsetenv("PLAID_BASE_URL");
  setenv("PLAID_ENV", "production", 1);
  assert_int_equal(plaid_config_from_env(&cfg, CLIENT_ID, SECRET, &why), MYNT_OK);
  assert_string_equal(cfg.base_url, "https://production.plaid.com");
  assert_string_equal(cfg.client_id, CLIENT_ID);
  assert_string_equal(cfg.secret, SECRET);
  plaid_config_wipe(&cfg);
  setenv("PLAID_BASE_URL", "http://127.0.0.1:9", 1);
  assert_int_equal(plaid_config_from_env(&cfg, CLIENT_ID, SECRET, &why), MYNT_OK);
  assert_string_equal(cfg.base_url, "http://127.0.0.1:9");
  unsetenv("PLAID_BASE_URL");
  setenv("PLAID_ENV", "staging", 1);
  assert_int_equal(plaid_config_from_env(&cfg, CLIENT_ID, SECRET, &why), MYNT_BAD_REQUEST);
  assert_non_null(strstr(mynt_detail_text(&why), "PLAID_ENV"));
  setenv("PLAID_ENV", "sandbox", 1);
  assert_int_equal(plaid_config_from_env(&cfg, CLIENT_ID, "", &why), MYNT_BAD_REQUEST);
  assert_int_equal(plaid_config_from_env(&cfg, CLIENT_ID, "has space", &why), MYNT_BAD_REQUEST);
  assert_null(strstr(mynt_detail_text(&why), "has space"));
  assert_string_equal(cfg.secret, "");
  unsetenv("PLAID_ENV");
}

static void test_plaid_backoff_stays_within_the_capped_exponential_ceiling(void **state)
{
  s_fixture *f = *state;
  int64_t ceilings[] = {20, 40, 80, 100, 100, 100};
  for(int attempt = 1; attempt <= 6; attempt++) {
    int64_t seen_min = 1000;
    int64_t seen_max = -1;
    for(int i = 0; i < 200; i++) {
      int64_t b = plaid_http_backoff_ms(f->client, attempt);
      assert_true(b >= 0 && b <= ceilings[attempt - 1]);
      seen_min = b < seen_min ? b : seen_min;
      seen_max = b > seen_max ? b : seen_max;
    }
    assert_true(seen_max > seen_min);
  }
}

/* ---------------------------------------------------------------- against the loopback server */

static void test_plaid_client_sends_auth_and_version_headers(void **state)
{
  s_fixture *f = *state;
  s_add_item(&f->srv, "access-sandbox-item-a", "a", 10);
  json_t *answer = NULL;
  plaid_error err;
  assert_int_equal(plaid_item_get(f->client, "access-sandbox-item-a", s_in(3000), &answer, &err), MYNT_OK);
  assert_string_equal(json_string_value(json_object_get(json_object_get(answer, "item"), "item_id")), "item-a");
  assert_int_equal(err.attempts, 1);
  json_decref(answer);
  assert_int_equal(f->srv.secret_in_body, 0);

  plaid_config cfg = s_config(f->base_url, "wrong-secret");
  plaid_client *bad = NULL;
  assert_int_equal(plaid_client_new(&cfg, &bad), MYNT_OK);
  assert_int_equal(plaid_item_get(bad, "access-sandbox-item-a", s_in(3000), &answer, &err), MYNT_INTERNAL);
  assert_null(answer);
  assert_int_equal(err.kind, PLAID_ERR_INVALID_CREDENTIALS);
  assert_string_equal(err.error_code, "INVALID_API_KEYS");
  assert_int_equal(err.attempts, 1);
  assert_null(memmem(&err, sizeof err, "wrong-secret", 12));
  plaid_client_free(bad);
}

static void test_plaid_link_token_create_passes_the_validating_server(void **state)
{
  s_fixture *f = *state;
  s_add_item(&f->srv, "access-sandbox-item-a", "a", 10);
  json_t *answer = NULL;
  plaid_error err;
  assert_int_equal(plaid_link_token_create(f->client, "user-42", NULL, s_in(3000), &answer, &err), MYNT_OK);
  assert_string_equal(json_string_value(json_object_get(answer, "link_token")), "link-sandbox-0000");
  json_decref(answer);
  json_t *seen = f->srv.last_link_body;
  assert_non_null(seen);
  assert_string_equal(json_string_value(json_array_get(json_object_get(seen, "products"), 0)), "transactions");
  assert_int_equal(json_array_size(json_object_get(seen, "products")), 1);

  assert_int_equal(plaid_link_token_create(f->client, "user-42", "access-sandbox-item-a", s_in(3000), &answer, &err),
                   MYNT_OK);
  json_decref(answer);
  seen = f->srv.last_link_body;
  assert_null(json_object_get(seen, "products"));
  assert_string_equal(json_string_value(json_object_get(seen, "access_token")), "access-sandbox-item-a");

  assert_int_equal(plaid_link_token_create(f->client, "", NULL, s_in(3000), &answer, &err), MYNT_BAD_REQUEST);
  assert_int_equal(err.attempts, 0);
}

static void test_plaid_exchange_returns_the_access_token_or_a_redacted_error(void **state)
{
  s_fixture *f = *state;
  json_t *answer = NULL;
  plaid_error err;
  assert_int_equal(plaid_item_public_token_exchange(f->client, PUBLIC_GOOD, s_in(3000), &answer, &err), MYNT_OK);
  assert_string_equal(json_string_value(json_object_get(answer, "access_token")), "access-sandbox-item-a");
  assert_string_equal(json_string_value(json_object_get(answer, "item_id")), "item-a");
  json_decref(answer);

  const char *bad = "public-sandbox-00000000-dead-beef-0000-000000000000";
  assert_int_equal(plaid_item_public_token_exchange(f->client, bad, s_in(3000), &answer, &err), MYNT_BAD_REQUEST);
  assert_null(answer);
  assert_int_equal(err.kind, PLAID_ERR_INVALID_PUBLIC_TOKEN);
  assert_int_equal(err.http_status, 400);
  assert_null(memmem(&err, sizeof err, "dead-beef", 9));
  assert_string_equal(err.error_message, "provided public token [redacted] is invalid");
}

static void test_plaid_other_endpoints_answer_through_the_server(void **state)
{
  s_fixture *f = *state;
  s_add_item(&f->srv, "access-sandbox-item-a", "a", 3);
  json_t *answer = NULL;
  plaid_error err;
  assert_int_equal(plaid_accounts_get(f->client, "access-sandbox-item-a", s_in(3000), &answer, &err), MYNT_OK);
  assert_int_equal(json_array_size(json_object_get(answer, "accounts")), 1);
  json_decref(answer);
  plaid_transactions_query q = {"access-sandbox-item-a", START, END, 2, 1, NULL, 0};
  assert_int_equal(plaid_transactions_get(f->client, &q, s_in(3000), &answer, &err), MYNT_OK);
  json_t *txns = json_object_get(answer, "transactions");
  assert_int_equal(json_array_size(txns), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(txns, 0), "transaction_id")), "a-0001");
  assert_int_equal(json_integer_value(json_object_get(answer, "total_transactions")), 3);
  json_decref(answer);
  assert_int_equal(plaid_item_remove(f->client, "access-sandbox-item-a", s_in(3000), &answer, &err), MYNT_OK);
  json_decref(answer);
  assert_int_equal(plaid_item_get(f->client, "access-sandbox-unknown", s_in(3000), &answer, &err), MYNT_CONFLICT);
  assert_int_equal(err.kind, PLAID_ERR_INVALID_ACCESS_TOKEN);
}

static void test_plaid_refuses_an_invalid_count_without_sending(void **state)
{
  s_fixture *f = *state;
  s_add_item(&f->srv, "access-sandbox-item-a", "a", 3);
  json_t *answer = NULL;
  plaid_error err;
  plaid_transactions_query q = {"access-sandbox-item-a", START, END, 0, 0, NULL, 0};
  assert_int_equal(plaid_transactions_get(f->client, &q, s_in(3000), &answer, &err), MYNT_BAD_REQUEST);
  q.count = 501;
  assert_int_equal(plaid_transactions_get(f->client, &q, s_in(3000), &answer, &err), MYNT_BAD_REQUEST);
  assert_null(answer);
  assert_int_equal(f->srv.requests, 0);

  /* The server enforces the same range when a body slips past the builder. */
  json_t *raw = json_pack("{s:s, s:s, s:s, s:{s:i}}", "access_token", "access-sandbox-item-a", "start_date", START,
                          "end_date", END, "options", "count", 501);
  assert_int_equal(plaid_call(f->client, "/transactions/get", raw, s_in(3000), &answer, &err), MYNT_BAD_REQUEST);
  assert_string_equal(err.error_code, "INVALID_FIELD");
  json_decref(raw);
}

static void test_plaid_retries_rate_limit_twice_then_succeeds(void **state)
{
  s_fixture *f = *state;
  s_item *item = s_add_item(&f->srv, "access-sandbox-item-a", "a", 10);
  s_fail(item, 2, 429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT");
  json_t *answer = NULL;
  plaid_error err;
  assert_int_equal(plaid_item_get(f->client, "access-sandbox-item-a", s_in(3000), &answer, &err), MYNT_OK);
  assert_non_null(answer);
  assert_int_equal(err.attempts, 3);
  assert_int_equal(item->hits, 3);
  json_decref(answer);
}

static void test_plaid_reports_rate_limit_as_429_when_it_never_clears(void **state)
{
  s_fixture *f = *state;
  s_item *item = s_add_item(&f->srv, "access-sandbox-item-a", "a", 10);
  s_fail(item, -1, 429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT");
  json_t *answer = NULL;
  plaid_error err;
  assert_int_equal(plaid_item_get(f->client, "access-sandbox-item-a", s_in(500), &answer, &err), MYNT_RATE_LIMITED);
  assert_int_equal(mynt_status_http(err.status), 429);
  assert_true(err.attempts >= 2);
}

static void test_plaid_reports_the_rate_limit_when_the_deadline_cuts_the_retry_short(void **state)
{
  s_fixture *f = *state;
  s_item *item = s_add_item(&f->srv, "access-sandbox-item-a", "a", 10);
  s_fail(item, -1, 429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT");
  item->delay_ms = 1500;
  item->delay_after = 1;
  json_t *answer = NULL;
  plaid_error err;
  int64_t deadline = s_in(500);
  assert_int_equal(plaid_item_get(f->client, "access-sandbox-item-a", deadline, &answer, &err), MYNT_RATE_LIMITED);
  assert_true(clock_epoch_ms() <= deadline + S_LATE_MS);
  assert_null(answer);
  assert_int_equal(err.kind, PLAID_ERR_RATE_LIMITED);
  assert_int_equal(err.http_status, 429);
  assert_string_equal(err.error_code, "RATE_LIMIT");
  assert_int_equal(err.attempts, 2);
}

static void test_plaid_gives_up_on_500_by_the_deadline(void **state)
{
  s_fixture *f = *state;
  s_item *item = s_add_item(&f->srv, "access-sandbox-item-a", "a", 10);
  s_fail(item, -1, 500, "API_ERROR", "INTERNAL_SERVER_ERROR");
  json_t *answer = NULL;
  plaid_error err;
  int64_t deadline = s_in(700);
  assert_int_equal(plaid_item_get(f->client, "access-sandbox-item-a", deadline, &answer, &err), MYNT_UPSTREAM);
  int64_t done = clock_epoch_ms();
  assert_null(answer);
  assert_int_equal(err.kind, PLAID_ERR_SERVER);
  assert_int_equal(err.http_status, 500);
  assert_true(err.attempts >= 3);
  assert_int_equal(s_hits_settled(&f->srv, item, err.attempts), err.attempts);
  assert_true(done <= deadline + S_LATE_MS);
  assert_int_equal(mynt_status_http(err.status), 502);
}

static void test_plaid_does_not_retry_item_login_required(void **state)
{
  s_fixture *f = *state;
  s_item *item = s_add_item(&f->srv, "access-sandbox-item-a", "a", 10);
  s_fail(item, -1, 400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED");
  json_t *answer = NULL;
  plaid_error err;
  plaid_transactions_query q = {"access-sandbox-item-a", START, END, 100, 0, NULL, 0};
  assert_int_equal(plaid_transactions_get(f->client, &q, s_in(3000), &answer, &err), MYNT_CONFLICT);
  assert_int_equal(err.kind, PLAID_ERR_ITEM_LOGIN_REQUIRED);
  assert_int_equal(err.attempts, 1);
  assert_int_equal(item->hits, 1);
  assert_string_equal(err.request_id, "req-error");
}

static void test_plaid_reports_a_transport_timeout_as_unavailable_in_time(void **state)
{
  s_fixture *f = *state;
  s_item *item = s_add_item(&f->srv, "access-sandbox-item-a", "a", 10);
  item->delay_ms = 1500;
  json_t *answer = NULL;
  plaid_error err;
  int64_t deadline = s_in(400);
  assert_int_equal(plaid_item_get(f->client, "access-sandbox-item-a", deadline, &answer, &err), MYNT_UNAVAILABLE);
  assert_true(clock_epoch_ms() <= deadline + S_LATE_MS);
  assert_int_equal(err.kind, PLAID_ERR_TRANSPORT);
  assert_int_equal(err.http_status, 0);
  assert_int_equal(mynt_status_http(err.status), 503);
}

static void test_plaid_retries_an_unreachable_server_until_the_deadline(void **state)
{
  (void)state;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(fd >= 0);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
  socklen_t len = sizeof addr;
  assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
  close(fd);
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%u", (unsigned)ntohs(addr.sin_port));
  plaid_config cfg = s_config(url, SECRET);
  plaid_client *c = NULL;
  assert_int_equal(plaid_client_new(&cfg, &c), MYNT_OK);
  json_t *answer = NULL;
  plaid_error err;
  int64_t deadline = s_in(400);
  assert_int_equal(plaid_item_get(c, "access-sandbox-item-a", deadline, &answer, &err), MYNT_UNAVAILABLE);
  assert_true(clock_epoch_ms() <= deadline + S_LATE_MS);
  assert_int_equal(err.kind, PLAID_ERR_TRANSPORT);
  assert_true(err.attempts >= 2);
  plaid_client_free(c);

  assert_int_equal(plaid_item_get(NULL, "x", 0, &answer, &err), MYNT_BAD_REQUEST);
}

static void test_plaid_reports_a_passed_deadline_without_sending(void **state)
{
  s_fixture *f = *state;
  s_add_item(&f->srv, "access-sandbox-item-a", "a", 10);
  json_t *answer = NULL;
  plaid_error err;
  assert_int_equal(plaid_item_get(f->client, "access-sandbox-item-a", clock_epoch_ms() - 1, &answer, &err),
                   MYNT_TIMEOUT);
  assert_int_equal(err.kind, PLAID_ERR_DEADLINE);
  assert_int_equal(err.attempts, 0);
  assert_int_equal(f->srv.requests, 0);
}

static void test_plaid_reuses_one_connection_for_sequential_calls(void **state)
{
  s_fixture *f = *state;
  s_add_item(&f->srv, "access-sandbox-item-a", "a", 10);
  for(int i = 0; i < 3; i++) {
    json_t *answer = NULL;
    assert_int_equal(plaid_item_get(f->client, "access-sandbox-item-a", s_in(3000), &answer, NULL), MYNT_OK);
    json_decref(answer);
  }
  assert_int_equal(f->srv.n_ports, 3);
  assert_int_equal(f->srv.client_ports[1], f->srv.client_ports[0]);
  assert_int_equal(f->srv.client_ports[2], f->srv.client_ports[0]);
}

/* ---------------------------------------------------------------- parallel windows */

/* Checks that result r holds ids prefix-0000.. prefix-(n-1) in order. */
static void s_assert_ids(const plaid_window_result *r, const char *prefix, size_t n)
{
  assert_int_equal(r->status, MYNT_OK);
  assert_non_null(r->transactions);
  assert_int_equal(json_array_size(r->transactions), n);
  for(size_t i = 0; i < n; i++) {
    char want[64];
    snprintf(want, sizeof want, "%s-%04zu", prefix, i);
    const char *got = json_string_value(json_object_get(json_array_get(r->transactions, i), "transaction_id"));
    assert_non_null(got);
    assert_string_equal(got, want);
  }
}

static void test_plaid_window_fetches_two_items_in_parallel_and_merges_their_pages(void **state)
{
  s_fixture *f = *state;
  s_item *a = s_add_item(&f->srv, "access-sandbox-item-a", "a", 1200);
  s_item *b = s_add_item(&f->srv, "access-sandbox-item-b", "b", 1001);
  a->delay_ms = 60;
  b->delay_ms = 60;
  plaid_window_item items[] = {{"access-sandbox-item-a", NULL, 0}, {"access-sandbox-item-b", NULL, 0}};
  plaid_window_result results[2];
  assert_int_equal(plaid_window_fetch(f->client, items, 2, START, END, 0, s_in(5000), results), MYNT_OK);
  s_assert_ids(&results[0], "a", 1200);
  s_assert_ids(&results[1], "b", 1001);
  for(int i = 0; i < 2; i++) {
    assert_int_equal(results[i].pages, 3);
    assert_int_equal(results[i].complete, 1);
    assert_int_equal(json_array_size(results[i].accounts), 1);
    assert_non_null(json_object_get(results[i].item, "item_id"));
  }
  assert_int_equal(results[0].total_transactions, 1200);
  assert_int_equal(results[1].total_transactions, 1001);
  const long want_offsets[] = {0, 500, 1000};
  for(int p = 0; p < 3; p++) {
    assert_int_equal(a->offsets[p], want_offsets[p]);
    assert_int_equal(b->offsets[p], want_offsets[p]);
    assert_int_equal(a->counts[p], 500);
    assert_int_equal(b->counts[p], 500);
  }
  assert_int_equal(a->n_pages, 3);
  assert_int_equal(b->n_pages, 3);
  assert_true(f->srv.max_in_flight >= 2);
  assert_int_equal(f->srv.secret_in_body, 0);
  plaid_window_results_free(results, 2);
  assert_null(results[0].transactions);
}

static void test_plaid_window_stops_at_the_first_n_per_item(void **state)
{
  s_fixture *f = *state;
  s_item *a = s_add_item(&f->srv, "access-sandbox-item-a", "a", 1200);
  s_item *b = s_add_item(&f->srv, "access-sandbox-item-b", "b", 300);
  plaid_window_item items[] = {{"access-sandbox-item-a", NULL, 0}, {"access-sandbox-item-b", NULL, 0}};
  plaid_window_result results[2];
  assert_int_equal(plaid_window_fetch(f->client, items, 2, START, END, 700, s_in(5000), results), MYNT_OK);
  s_assert_ids(&results[0], "a", 700);
  s_assert_ids(&results[1], "b", 300);
  assert_int_equal(results[0].complete, 0);
  assert_int_equal(results[1].complete, 1);
  assert_int_equal(a->n_pages, 2);
  assert_int_equal(a->counts[0], 500);
  assert_int_equal(a->counts[1], 200);
  assert_int_equal(b->n_pages, 1);
  plaid_window_results_free(results, 2);
}

static void test_plaid_window_reports_each_item_separately(void **state)
{
  s_fixture *f = *state;
  s_add_item(&f->srv, "access-sandbox-item-a", "a", 40);
  s_item *b = s_add_item(&f->srv, "access-sandbox-item-b", "b", 40);
  s_fail(b, -1, 400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED");
  s_item *c = s_add_item(&f->srv, "access-sandbox-item-c", "c", 900);
  s_fail(c, 1, 429, "RATE_LIMIT_EXCEEDED", "TRANSACTIONS_LIMIT");
  c->fail_offset = 500;
  plaid_window_item items[] = {
    {"access-sandbox-item-a", NULL, 0}, {"access-sandbox-item-b", NULL, 0}, {"access-sandbox-item-c", NULL, 0}};
  plaid_window_result results[3];
  assert_int_equal(plaid_window_fetch(f->client, items, 3, START, END, 0, s_in(5000), results), MYNT_CONFLICT);
  s_assert_ids(&results[0], "a", 40);
  assert_int_equal(results[1].status, MYNT_CONFLICT);
  assert_int_equal(results[1].error.kind, PLAID_ERR_ITEM_LOGIN_REQUIRED);
  assert_int_equal(results[1].error.attempts, 1);
  assert_int_equal(b->hits, 1);
  assert_null(results[1].transactions);
  s_assert_ids(&results[2], "c", 900);
  assert_int_equal(c->hits, 3);
  plaid_window_results_free(results, 3);
}

static void test_plaid_window_fails_in_time_when_an_item_keeps_failing(void **state)
{
  s_fixture *f = *state;
  s_add_item(&f->srv, "access-sandbox-item-a", "a", 10);
  s_item *b = s_add_item(&f->srv, "access-sandbox-item-b", "b", 10);
  s_fail(b, -1, 503, NULL, NULL);
  plaid_window_item items[] = {{"access-sandbox-item-a", NULL, 0}, {"access-sandbox-item-b", NULL, 0}};
  plaid_window_result results[2];
  int64_t deadline = s_in(600);
  assert_int_equal(plaid_window_fetch(f->client, items, 2, START, END, 0, deadline, results), MYNT_UPSTREAM);
  assert_true(clock_epoch_ms() <= deadline + S_LATE_MS);
  s_assert_ids(&results[0], "a", 10);
  assert_int_equal(results[1].status, MYNT_UPSTREAM);
  assert_int_equal(results[1].error.kind, PLAID_ERR_SERVER);
  assert_int_equal(results[1].error.http_status, 503);
  assert_true(b->hits >= 3);
  plaid_window_results_free(results, 2);
}

static void test_plaid_window_reports_the_server_error_when_the_deadline_cuts_the_retry_short(void **state)
{
  s_fixture *f = *state;
  s_add_item(&f->srv, "access-sandbox-item-a", "a", 10);
  s_item *b = s_add_item(&f->srv, "access-sandbox-item-b", "b", 10);
  s_fail(b, -1, 503, NULL, NULL);
  b->delay_ms = 1500;
  b->delay_after = 1;
  plaid_window_item items[] = {{"access-sandbox-item-a", NULL, 0}, {"access-sandbox-item-b", NULL, 0}};
  plaid_window_result results[2];
  int64_t deadline = s_in(500);
  assert_int_equal(plaid_window_fetch(f->client, items, 2, START, END, 0, deadline, results), MYNT_UPSTREAM);
  assert_true(clock_epoch_ms() <= deadline + S_LATE_MS);
  s_assert_ids(&results[0], "a", 10);
  assert_int_equal(results[1].status, MYNT_UPSTREAM);
  assert_int_equal(results[1].error.kind, PLAID_ERR_SERVER);
  assert_int_equal(results[1].error.http_status, 503);
  assert_int_equal(results[1].error.attempts, 2);
  plaid_window_results_free(results, 2);
}

static void test_plaid_window_runs_more_items_than_handles_and_validates_inputs(void **state)
{
  s_fixture *f = *state;
  const char *tokens[] = {"access-sandbox-item-a", "access-sandbox-item-b", "access-sandbox-item-c",
                          "access-sandbox-item-d"};
  const char *prefixes[] = {"a", "b", "c", "d"};
  enum { N = 2 * PLAID_MAX_PARALLEL + 1 };
  plaid_window_item items[N];
  for(size_t i = 0; i < 4; i++)
    s_add_item(&f->srv, tokens[i], prefixes[i], (int)(5 + i));
  for(size_t i = 0; i < N; i++)
    items[i] = (plaid_window_item){tokens[i % 4], NULL, 0};
  plaid_window_result results[N];
  assert_int_equal(plaid_window_fetch(f->client, items, N, START, END, 0, s_in(5000), results), MYNT_OK);
  for(size_t i = 0; i < N; i++)
    s_assert_ids(&results[i], prefixes[i % 4], 5 + i % 4);
  plaid_window_results_free(results, N);
  assert_true(f->srv.max_in_flight <= PLAID_MAX_PARALLEL);

  int before = f->srv.requests;
  assert_int_equal(plaid_window_fetch(f->client, items, 2, END, START, 0, s_in(5000), results), MYNT_BAD_REQUEST);
  assert_int_equal(results[0].status, MYNT_BAD_REQUEST);
  assert_null(results[0].transactions);
  plaid_window_item bad[] = {{"access-sandbox-item-a", NULL, 0}, {"", NULL, 0}};
  assert_int_equal(plaid_window_fetch(f->client, bad, 2, START, END, 0, s_in(5000), results), MYNT_BAD_REQUEST);
  assert_int_equal(f->srv.requests, before);
  plaid_window_results_free(results, 2);
}

int main(void)
{
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_plaid_error_parses_every_field),
    cmocka_unit_test(test_plaid_error_tolerates_missing_and_null_fields),
    cmocka_unit_test(test_plaid_error_treats_a_non_json_5xx_body_as_a_retryable_server_error),
    cmocka_unit_test(test_plaid_error_maps_each_code_to_a_status),
    cmocka_unit_test(test_plaid_error_never_contains_a_token),
    cmocka_unit_test(test_plaid_link_token_body_asks_only_for_transactions),
    cmocka_unit_test(test_plaid_link_token_update_mode_sends_the_item_and_no_products),
    cmocka_unit_test(test_plaid_transactions_body_validates_dates_count_and_offset),
    cmocka_unit_test(test_plaid_config_picks_the_base_url_from_the_environment),
    cmocka_unit_test_setup_teardown(test_plaid_backoff_stays_within_the_capped_exponential_ceiling, s_setup, s_teardown),
    cmocka_unit_test_setup_teardown(test_plaid_client_sends_auth_and_version_headers, s_setup, s_teardown),
    cmocka_unit_test_setup_teardown(test_plaid_link_token_create_passes_the_validating_server, s_setup, s_teardown),
    cmocka_unit_test_setup_teardown(test_plaid_exchange_returns_the_access_token_or_a_redacted_error, s_setup, s_teardown),
    cmocka_unit_test_setup_teardown(test_plaid_other_endpoints_answer_through_the_server, s_setup, s_teardown),
    cmocka_unit_test_setup_teardown(test_plaid_refuses_an_invalid_count_without_sending, s_setup, s_teardown),
    cmocka_unit_test_setup_teardown(test_plaid_retries_rate_limit_twice_then_succeeds, s_setup, s_teardown),
    cmocka_unit_test_setup_teardown(test_plaid_reports_rate_limit_as_429_when_it_never_clears, s_setup, s_teardown),
    cmocka_unit_test_setup_teardown(test_plaid_reports_the_rate_limit_when_the_deadline_cuts_the_retry_short, s_setup,
                                    s_teardown),
    cmocka_unit_test_setup_teardown(test_plaid_gives_up_on_500_by_the_deadline, s_setup, s_teardown),
    cmocka_unit_test_setup_teardown(test_plaid_does_not_retry_item_login_required, s_setup, s_teardown),
    cmocka_unit_test_setup_teardown(test_plaid_reports_a_transport_timeout_as_unavailable_in_time, s_setup, s_teardown),
    cmocka_unit_test(test_plaid_retries_an_unreachable_server_until_the_deadline),
    cmocka_unit_test_setup_teardown(test_plaid_reports_a_passed_deadline_without_sending, s_setup, s_teardown),
    cmocka_unit_test_setup_teardown(test_plaid_reuses_one_connection_for_sequential_calls, s_setup, s_teardown),
    cmocka_unit_test_setup_teardown(test_plaid_window_fetches_two_items_in_parallel_and_merges_their_pages, s_setup,
                                    s_teardown),
    cmocka_unit_test_setup_teardown(test_plaid_window_stops_at_the_first_n_per_item, s_setup, s_teardown),
    cmocka_unit_test_setup_teardown(test_plaid_window_reports_each_item_separately, s_setup, s_teardown),
    cmocka_unit_test_setup_teardown(test_plaid_window_fails_in_time_when_an_item_keeps_failing, s_setup, s_teardown),
    cmocka_unit_test_setup_teardown(test_plaid_window_reports_the_server_error_when_the_deadline_cuts_the_retry_short,
                                    s_setup, s_teardown),
    cmocka_unit_test_setup_teardown(test_plaid_window_runs_more_items_than_handles_and_validates_inputs, s_setup,
                                    s_teardown),
  };
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  curl_global_cleanup();
  return failed;
}
