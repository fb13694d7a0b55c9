/* plaid_sim.c - the Plaid simulator's HTTP server: libmicrohttpd on 127.0.0.1, one thread per connection. */
#include "local/plaid_sim/plaid_sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "core/clock.h"
#include "core/wipe.h"
#include "local/plaid_sim/plaid_sim_internal.h"

/* Plaid bodies are small; anything larger is refused as INVALID_BODY. */
#define S_BODY_MAX (1024 * 1024)

int64_t plaid_sim_now(const plaid_sim *sim)
{
  return sim->now_ms ? sim->now_ms(sim->now_ctx) : clock_epoch_ms();
}

int32_t plaid_sim_today(const plaid_sim *sim)
{
  return sim->today_pinned ? sim->pinned_today : date_days_from_epoch_ms(plaid_sim_now(sim));
}

static const char *s_query(void *ctx, const char *key)
{
  return MHD_lookup_connection_value((struct MHD_Connection *)ctx, MHD_GET_ARGUMENT_KIND, key);
}

/* The one endpoint a browser calls (the local Plaid Link stand-in served by mynt-local). */
#define S_CORS_PATH "/sim/link/complete"

/* Returns true when origin is a web origin on this machine: http(s)://127.x.y.z, localhost or
 * [::1], with an optional port and nothing after it. */
static bool s_loopback_origin(const char *origin)
{
  const char *host = http_server_url_host(origin);
  if(!host)
    return false;
  const char *rest = NULL;
  if(strncmp(host, "localhost", 9) == 0) {
    rest = host + 9;
  }
  else if(strncmp(host, "[::1]", 5) == 0) {
    rest = host + 5;
  }
  else if(strncmp(host, "127.", 4) == 0) {
    rest = host + 4;
    for(int octet = 0; octet < 3; octet++) {
      unsigned value = 0;
      int digits = 0;
      while(*rest >= '0' && *rest <= '9' && digits < 4) {
        value = value * 10 + (unsigned)(*rest - '0');
        rest++;
        digits++;
      }
      if(digits == 0 || digits > 3 || value > 255 || (octet < 2 && *rest++ != '.'))
        return false;
    }
  }
  else {
    return false;
  }
  if(*rest == '\0')
    return true;
  if(*rest != ':' || rest[1] == '\0' || strlen(rest + 1) > 5)
    return false;
  for(const char *p = rest + 1; *p; p++)
    if(*p < '0' || *p > '9')
      return false;
  return true;
}

/* Adds the CORS answer for a loopback origin (NULL = not a CORS request we allow). */
static void s_add_cors(struct MHD_Response *r, const char *allowed_origin)
{
  if(!allowed_origin)
    return;
  MHD_add_response_header(r, "Access-Control-Allow-Origin", allowed_origin);
  MHD_add_response_header(r, "Vary", "Origin");
}

/* Answers the CORS preflight for S_CORS_PATH: 204 with the allowed method and header for a
 * loopback origin, 403 otherwise. */
static enum MHD_Result s_send_preflight(struct MHD_Connection *conn, const char *origin)
{
  const bool allowed = s_loopback_origin(origin);
  struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
  if(!r)
    return MHD_NO;
  if(allowed) {
    s_add_cors(r, origin);
    MHD_add_response_header(r, "Access-Control-Allow-Methods", "POST, OPTIONS");
    MHD_add_response_header(r, "Access-Control-Allow-Headers", "content-type");
    MHD_add_response_header(r, "Access-Control-Max-Age", "600");
  }
  enum MHD_Result ret = MHD_queue_response(conn, allowed ? MHD_HTTP_NO_CONTENT : MHD_HTTP_FORBIDDEN, r);
  MHD_destroy_response(r);
  return ret;
}

/* Sends resp; cors_origin (NULL = none) is echoed as the allowed origin. */
static enum MHD_Result s_send(struct MHD_Connection *conn, const plaid_sim_response *resp, const char *cors_origin)
{
  char *text = resp->body ? json_dumps(resp->body, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
  unsigned status = text ? resp->status : MHD_HTTP_INTERNAL_SERVER_ERROR;
  if(!text)
    text = strdup("{\"error_type\":\"API_ERROR\",\"error_code\":\"INTERNAL_SERVER_ERROR\"}");
  if(!text)
    return MHD_NO;
  struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
  if(!r) {
    free(text);
    return MHD_NO;
  }
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
  s_add_cors(r, cors_origin);
  enum MHD_Result ret = MHD_queue_response(conn, status, r);
  MHD_destroy_response(r);
  return ret;
}

static enum MHD_Result s_on_request(void *ctx, struct MHD_Connection *conn, const http_server_request *http)
{
  plaid_sim *sim = ctx;
  const char *url = http->url;
  const char *method = http->method;
  const bool cors_path = strcmp(url, S_CORS_PATH) == 0;
  const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
  if(cors_path && strcmp(method, "OPTIONS") == 0)
    return s_send_preflight(conn, origin);

  plaid_sim_request req;
  plaid_sim_response resp = {0};
  memset(&req, 0, sizeof req);
  req.method = method;
  req.path = url;
  req.client_id = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "PLAID-CLIENT-ID");
  req.secret = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "PLAID-SECRET");
  req.api_version = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Plaid-Version");
  req.query = s_query;
  req.query_ctx = conn;
  if(plaid_sim_store_random_id(req.request_id, sizeof req.request_id - 1))
    memcpy(req.request_id, "req000000000000", sizeof req.request_id);
  if(strcmp(method, "POST") == 0) {
    if(!http->body_too_large && http->body_len)
      req.body = json_loadb(http->body, http->body_len, JSON_REJECT_DUPLICATES, NULL);
    if(req.body && !json_is_object(req.body)) {
      json_decref(req.body);
      req.body = NULL;
    }
    req.body_invalid = req.body == NULL;
  }

  if(strcmp(url, "/sim") == 0 || strncmp(url, "/sim/", 5) == 0)
    plaid_sim_admin_handle(sim, &req, &resp);
  else {
    plaid_sim_plaid_handle(sim, &req, &resp);
    plaid_sim_log_request(sim, url, resp.body ? resp.status : 500);
  }

  enum MHD_Result ret = s_send(conn, &resp, cors_path && s_loopback_origin(origin) ? origin : NULL);
  json_decref(resp.body);
  json_decref(req.body);
  return ret;
}

mynt_status plaid_sim_new(const plaid_sim_config *cfg, plaid_sim **out)
{
  mynt_status st = MYNT_OK;
  *out = NULL;
  if(!cfg || !cfg->client_id || !*cfg->client_id || !cfg->secret || !*cfg->secret)
    return MYNT_BAD_REQUEST;
  plaid_sim *sim = calloc(1, sizeof *sim);
  if(!sim)
    return MYNT_NOMEM;
  if(pthread_mutex_init(&sim->log_lock, NULL) != 0) {
    free(sim);
    return MYNT_NOMEM;
  }
  if(cfg->today) {
    if(plaid_data_date_parse(cfg->today, &sim->pinned_today)) {
      st = MYNT_BAD_REQUEST;
      goto cleanup;
    }
    sim->today_pinned = true;
  }
  sim->now_ms = cfg->now_ms;
  sim->now_ctx = cfg->now_ctx;
  sim->client_id = strdup(cfg->client_id);
  sim->secret = strdup(cfg->secret);
  if(!sim->client_id || !sim->secret || plaid_sim_store_new(&sim->store) != MYNT_OK ||
     plaid_sim_ledger_new(&sim->ledger) != MYNT_OK) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  if((st = plaid_sim_webhooks_new(cfg->now_ms, cfg->now_ctx, &sim->webhooks)))
    goto cleanup;

  /* Seed jansson's hash tables now, before the server's threads parse anything. */
  json_object_seed(0);
  http_server_options server = {
    .port = cfg->port,
    .handler = s_on_request,
    .ctx = sim,
    .max_body = S_BODY_MAX,
    .connection_timeout_s = 60,
    .connection_limit = 256,
    .thread_per_connection = true, /* faults can hold a request for their latency_ms */
    .log_errors = true,
  };
  if((st = http_server_new(&server, NULL, &sim->server)))
    goto cleanup;
  *out = sim;
  sim = NULL;

cleanup:
  plaid_sim_free(sim);
  return st;
}

uint16_t plaid_sim_port(const plaid_sim *sim)
{
  return http_server_port(sim->server);
}

void plaid_sim_free(plaid_sim *sim)
{
  if(!sim)
    return;
  http_server_free(sim->server);
  plaid_sim_webhooks_free(sim->webhooks); /* after the server: no request can queue one any more */
  plaid_sim_store_free(sim->store);
  plaid_sim_ledger_free(sim->ledger);
  free(sim->client_id);
  mynt_wipe_free(sim->secret);
  pthread_mutex_destroy(&sim->log_lock);
  free(sim);
}

void plaid_sim_log_request(plaid_sim *sim, const char *path, unsigned status)
{
  pthread_mutex_lock(&sim->log_lock);
  uint64_t seq = ++sim->log_seq;
  plaid_sim_logged_request *r = &sim->log[(seq - 1) % PLAID_SIM_REQUEST_LOG_MAX];
  r->seq = seq;
  r->at_ms = plaid_sim_now(sim);
  snprintf(r->path, sizeof r->path, "%s", path);
  r->status = status;
  pthread_mutex_unlock(&sim->log_lock);
}
