/* local_config.c - loads and validates the routes file generated from template.yaml. */
#include "local/gateway/local_config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/detail.h"
#include "core/json.h"
#include "local/common/strv.h"
#include "local/gateway/schedule.h"

static void s_function_free(local_config_function *f)
{
  free(f->name);
  free(f->function_name);
  free(f->handler);
  free(f->bootstrap);
  strv_free(f->env, f->n_env);
  memset(f, 0, sizeof(*f));
}

void local_config_free(local_config *c)
{
  free(c->region);
  free(c->authorizer.issuer);
  strv_free(c->authorizer.audiences, c->authorizer.n_audiences);
  free(c->authorizer.jwks_url);
  for(size_t i = 0; i < c->n_functions; i++)
    s_function_free(&c->functions[i]);
  free(c->functions);
  for(size_t i = 0; i < c->n_schedules; i++) {
    free(c->schedules[i].name);
    free(c->schedules[i].input);
  }
  free(c->schedules);
  local_config_hosted_ui *h = &c->hosted_ui;
  free(h->user_pool_id);
  free(h->client_id);
  free(h->issuer);
  free(h->cognito_endpoint);
  strv_free(h->callback_urls, h->n_callback_urls);
  strv_free(h->logout_urls, h->n_logout_urls);
  strv_free(h->scopes, h->n_scopes);
  strv_free(h->providers, h->n_providers);
  routes_table_free(&c->routes);
  memset(c, 0, sizeof(*c));
  routes_table_init(&c->routes);
}

/* Returns a malloc'd copy of obj[key] when it is a non-empty string, else NULL. */
static char *s_dup_string(const json_t *obj, const char *key)
{
  const char *s = json_member_string(obj, key);
  return s && *s ? strdup(s) : NULL;
}

/* Copies the array of strings obj[key] into *out_v / *out_n; an absent member is an empty list unless required.
 * Returns MYNT_OK, MYNT_BAD_REQUEST (detail names what) or MYNT_NOMEM. */
static mynt_status s_parse_strings(const json_t *obj, const char *what, const char *key, bool required, char ***out_v,
                                   size_t *out_n, mynt_detail *detail)
{
  const json_t *list = json_object_get(obj, key);
  if(!list && !required)
    return MYNT_OK;
  if(!json_is_array(list) || json_array_size(list) == 0)
    return mynt_fail(detail, MYNT_BAD_REQUEST, "%s needs a non-empty %s array", what, key);
  *out_v = calloc(json_array_size(list), sizeof(char *));
  if(!*out_v)
    return MYNT_NOMEM;
  size_t i;
  const json_t *v;
  json_array_foreach(list, i, v) {
    if(!json_is_string(v))
      return mynt_fail(detail, MYNT_BAD_REQUEST, "%s: %s must be strings", what, key);
    (*out_v)[i] = strdup(json_string_value(v));
    if(!(*out_v)[i])
      return MYNT_NOMEM;
    *out_n = i + 1;
  }
  return MYNT_OK;
}

static mynt_status s_parse_authorizer(const json_t *a, local_config *out, mynt_detail *detail)
{
  local_config_authorizer *au = &out->authorizer;
  au->issuer = s_dup_string(a, "issuer");
  au->jwks_url = s_dup_string(a, "jwks_url");
  if(!au->issuer || !au->jwks_url)
    return mynt_fail(detail, MYNT_BAD_REQUEST, "authorizer needs issuer and jwks_url");
  mynt_status st = s_parse_strings(a, "authorizer", "audiences", true, &au->audiences, &au->n_audiences, detail);
  if(st)
    return st;
  out->has_authorizer = true;
  return MYNT_OK;
}

static bool s_env_name_ok(const char *name)
{
  if(!*name)
    return false;
  for(const char *p = name; *p; p++)
    if(*p == '=')
      return false;
  return true;
}

static mynt_status s_parse_function(const json_t *fj, size_t index, local_config *out, mynt_detail *detail)
{
  local_config_function *f = &out->functions[index];
  f->name = s_dup_string(fj, "name");
  f->handler = s_dup_string(fj, "handler");
  if(!f->name || !f->handler)
    return mynt_fail(detail, MYNT_BAD_REQUEST, "function %zu needs name and handler", index);
  const json_t *fname = json_object_get(fj, "function_name");
  if(fname && !json_is_string(fname))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "function %s: function_name must be a string", f->name);
  f->function_name = fname ? s_dup_string(fj, "function_name") : strdup(f->name);
  if(!f->function_name)
    return fname ? mynt_fail(detail, MYNT_BAD_REQUEST, "function %s: function_name is empty", f->name) : MYNT_NOMEM;
  if(json_object_get(fj, "bootstrap") && !(f->bootstrap = s_dup_string(fj, "bootstrap")))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "function %s: bootstrap must be a path", f->name);
  const json_t *t = json_object_get(fj, "timeout_s");
  const json_t *m = json_object_get(fj, "memory_mb");
  f->timeout_s = t ? (int)json_integer_value(t) : 3;
  f->memory_mb = m ? (int)json_integer_value(m) : 128;
  if((t && !json_is_integer(t)) || f->timeout_s < 1 || f->timeout_s > 900)
    return mynt_fail(detail, MYNT_BAD_REQUEST, "function %s: timeout_s must be 1..900", f->name);
  if((m && !json_is_integer(m)) || f->memory_mb < 128 || f->memory_mb > 10240)
    return mynt_fail(detail, MYNT_BAD_REQUEST, "function %s: memory_mb must be 128..10240", f->name);
  const json_t *env = json_object_get(fj, "environment");
  if(env && !json_is_object(env))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "function %s: environment must be an object", f->name);
  if(env && json_object_size(env)) {
    f->env = calloc(json_object_size(env), sizeof(char *));
    if(!f->env)
      return MYNT_NOMEM;
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)env, k, v) {
      if(!json_is_string(v) || !s_env_name_ok(k))
        return mynt_fail(detail, MYNT_BAD_REQUEST, "function %s: environment values must be strings", f->name);
      if(asprintf(&f->env[f->n_env], "%s=%s", k, json_string_value(v)) < 0) {
        f->env[f->n_env] = NULL;
        return MYNT_NOMEM;
      }
      f->n_env++;
    }
  }
  const json_t *routes = json_object_get(fj, "routes");
  if(!json_is_array(routes))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "function %s needs a routes array", f->name);
  size_t i;
  const json_t *r;
  json_array_foreach(routes, i, r) {
    const char *key = json_member_string(r, "route_key");
    const char *auth = json_member_string(r, "auth");
    routes_auth mode;
    if(!auth || strcmp(auth, "none") == 0)
      mode = ROUTES_AUTH_NONE;
    else if(strcmp(auth, "jwt") == 0)
      mode = ROUTES_AUTH_JWT;
    else
      return mynt_fail(detail, MYNT_BAD_REQUEST, "function %s: auth must be none or jwt", f->name);
    if(!key)
      return mynt_fail(detail, MYNT_BAD_REQUEST, "function %s: route without route_key", f->name);
    if(mode == ROUTES_AUTH_JWT && !out->has_authorizer)
      return mynt_fail(detail, MYNT_BAD_REQUEST, "route %s needs the authorizer section", key);
    mynt_status st = routes_add(&out->routes, key, mode, index);
    if(st == MYNT_BAD_REQUEST)
      return mynt_fail(detail, st, "route key \"%s\" is malformed or repeated", key);
    if(st)
      return st;
  }
  return MYNT_OK;
}

/* Returns the index of the function whose logical id is name, or n_functions. */
static size_t s_function_index(const local_config *c, const char *name)
{
  for(size_t i = 0; i < c->n_functions; i++)
    if(strcmp(c->functions[i].name, name) == 0)
      return i;
  return c->n_functions;
}

static mynt_status s_parse_schedules(const json_t *list, local_config *out, mynt_detail *detail)
{
  if(!list || json_is_null(list))
    return MYNT_OK;
  if(!json_is_array(list))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "schedules must be an array");
  if(json_array_size(list) == 0)
    return MYNT_OK;
  out->schedules = calloc(json_array_size(list), sizeof(*out->schedules));
  if(!out->schedules)
    return MYNT_NOMEM;
  size_t i;
  const json_t *sj;
  json_array_foreach(list, i, sj) {
    local_config_schedule *s = &out->schedules[i];
    out->n_schedules = i + 1;
    s->name = s_dup_string(sj, "name");
    if(!s->name)
      return mynt_fail(detail, MYNT_BAD_REQUEST, "schedule %zu needs a name", i);
    for(size_t j = 0; j < i; j++)
      if(strcmp(out->schedules[j].name, s->name) == 0)
        return mynt_fail(detail, MYNT_BAD_REQUEST, "schedule %s is repeated", s->name);
    mynt_detail why;
    if(schedule_parse_rate(json_member_string(sj, "expression"), &s->period_ms, &why))
      return mynt_fail(detail, MYNT_BAD_REQUEST, "schedule %s: %s", s->name, mynt_detail_text(&why));
    const char *target = json_member_string(sj, "target");
    s->target = target ? s_function_index(out, target) : out->n_functions;
    if(s->target == out->n_functions)
      return mynt_fail(detail, MYNT_BAD_REQUEST, "schedule %s: target must name a function", s->name);
    const char *input = json_member_string(sj, "input");
    json_t *parsed = input ? json_loads(input, JSON_DECODE_ANY, NULL) : NULL;
    json_decref(parsed);
    if(!parsed)
      return mynt_fail(detail, MYNT_BAD_REQUEST, "schedule %s: input must be JSON text", s->name);
    if(!(s->input = strdup(input)))
      return MYNT_NOMEM;
  }
  return MYNT_OK;
}

/* Parses the "hosted_ui" section (after the functions, which its presignup names). */
static mynt_status s_parse_hosted_ui(const json_t *hj, local_config *out, mynt_detail *detail)
{
  local_config_hosted_ui *h = &out->hosted_ui;
  h->presignup = out->n_functions;
  if(!json_is_object(hj))
    return mynt_fail(detail, MYNT_BAD_REQUEST, "hosted_ui must be an object");
  h->user_pool_id = s_dup_string(hj, "user_pool_id");
  h->client_id = s_dup_string(hj, "client_id");
  h->issuer = s_dup_string(hj, "issuer");
  h->cognito_endpoint = s_dup_string(hj, "cognito_endpoint");
  if(!h->user_pool_id || !h->client_id || !h->issuer || !h->cognito_endpoint)
    return mynt_fail(detail, MYNT_BAD_REQUEST, "hosted_ui needs user_pool_id, client_id, issuer and cognito_endpoint");
  mynt_status st;
  if((st = s_parse_strings(hj, "hosted_ui", "callback_urls", true, &h->callback_urls, &h->n_callback_urls, detail)) ||
     (st = s_parse_strings(hj, "hosted_ui", "logout_urls", false, &h->logout_urls, &h->n_logout_urls, detail)) ||
     (st = s_parse_strings(hj, "hosted_ui", "scopes", true, &h->scopes, &h->n_scopes, detail)) ||
     (st = s_parse_strings(hj, "hosted_ui", "providers", true, &h->providers, &h->n_providers, detail)))
    return st;
  const json_t *presignup = json_object_get(hj, "presignup");
  if(presignup && !json_is_null(presignup)) {
    const char *name = json_string_value(presignup);
    h->presignup = name ? s_function_index(out, name) : out->n_functions;
    if(h->presignup == out->n_functions)
      return mynt_fail(detail, MYNT_BAD_REQUEST, "hosted_ui: presignup must name a function");
  }
  h->auto_verified_email = json_is_true(json_object_get(hj, "auto_verified_email"));
  out->has_hosted_ui = true;
  return MYNT_OK;
}

mynt_status local_config_parse(const char *text, size_t len, local_config *out, mynt_detail *detail)
{
  memset(out, 0, sizeof(*out));
  routes_table_init(&out->routes);
  mynt_detail_clear(detail);
  mynt_status st = MYNT_OK;
  json_error_t jerr;
  json_t *root = json_loadb(text, len, 0, &jerr);
  if(!json_is_object(root)) {
    st = mynt_fail(detail, MYNT_BAD_REQUEST, "not a JSON object (line %d: %s)", jerr.line,
                   root ? "wrong type" : jerr.text);
    goto cleanup;
  }
  out->region = s_dup_string(root, "region");
  if(!out->region) {
    st = mynt_fail(detail, MYNT_BAD_REQUEST, "region is required");
    goto cleanup;
  }
  const json_t *auth = json_object_get(root, "authorizer");
  if(auth && !json_is_null(auth) && (st = s_parse_authorizer(auth, out, detail)))
    goto cleanup;
  const json_t *fns = json_object_get(root, "functions");
  if(!json_is_array(fns) || json_array_size(fns) == 0) {
    st = mynt_fail(detail, MYNT_BAD_REQUEST, "functions must be a non-empty array");
    goto cleanup;
  }
  out->functions = calloc(json_array_size(fns), sizeof(*out->functions));
  if(!out->functions) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  out->n_functions = json_array_size(fns);
  for(size_t i = 0; i < out->n_functions; i++) {
    const json_t *fj = json_array_get(fns, i);
    if(!json_is_object(fj)) {
      st = mynt_fail(detail, MYNT_BAD_REQUEST, "function %zu is not an object", i);
      goto cleanup;
    }
    for(size_t j = 0; j < i; j++) {
      const char *name = json_member_string(fj, "name");
      if(name && strcmp(out->functions[j].name, name) == 0) {
        st = mynt_fail(detail, MYNT_BAD_REQUEST, "function %s is repeated", name);
        goto cleanup;
      }
    }
    if((st = s_parse_function(fj, i, out, detail)))
      goto cleanup;
  }
  for(size_t i = 0; i < out->n_functions; i++) {
    for(size_t j = 0; j < out->n_functions; j++) {
      if(i != j && strcmp(out->functions[i].function_name, out->functions[j].name) == 0 &&
         strcmp(out->functions[i].function_name, out->functions[i].name) != 0) {
        st = mynt_fail(detail, MYNT_BAD_REQUEST, "function_name %s is another function's name",
                       out->functions[i].function_name);
        goto cleanup;
      }
      if(i < j && strcmp(out->functions[i].function_name, out->functions[j].function_name) == 0) {
        st = mynt_fail(detail, MYNT_BAD_REQUEST, "function_name %s is repeated", out->functions[i].function_name);
        goto cleanup;
      }
    }
  }
  if((st = s_parse_schedules(json_object_get(root, "schedules"), out, detail)))
    goto cleanup;
  const json_t *hosted_ui = json_object_get(root, "hosted_ui");
  if(hosted_ui && !json_is_null(hosted_ui))
    st = s_parse_hosted_ui(hosted_ui, out, detail);
cleanup:
  json_decref(root);
  if(st)
    local_config_free(out);
  return st;
}

mynt_status local_config_load(const char *path, local_config *out, mynt_detail *detail)
{
  memset(out, 0, sizeof(*out));
  routes_table_init(&out->routes);
  FILE *f = fopen(path, "rb");
  if(!f)
    return mynt_fail(detail, MYNT_IO, "cannot open %s", path);
  mynt_buf text;
  buf_init(&text, 4u << 20);
  mynt_status st = MYNT_OK;
  char chunk[8192];
  size_t n;
  while((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    if((st = buf_append(&text, chunk, n)))
      break;
  if(!st && ferror(f))
    st = mynt_fail(detail, MYNT_IO, "cannot read %s", path);
  fclose(f);
  if(!st)
    st = local_config_parse(buf_cstr(&text), text.len, out, detail);
  buf_free(&text);
  return st;
}
