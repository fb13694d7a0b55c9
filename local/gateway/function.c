/* function.c - one Lambda function: its warm bootstrap process and the Runtime API it talks to. */
#include "local/gateway/function.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <microhttpd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/hex.h"
#include "local/common/http_server.h"
#include "local/common/mono_cond.h"
#include "local/common/strv.h"

extern char **environ;

#define S_API_PREFIX "/2018-06-01/runtime/"
#define S_POLL_MS    200

typedef enum { S_PROC_NONE, S_PROC_RUNNING, S_PROC_DYING } s_proc_state;

typedef enum { S_INV_NONE, S_INV_PENDING, S_INV_DELIVERED, S_INV_DONE } s_inv_state;

typedef enum {
  S_RESULT_RESPONSE,
  S_RESULT_ERROR,
  S_RESULT_INIT_ERROR,
  S_RESULT_EXITED,
  S_RESULT_TOO_LARGE,
  S_RESULT_TIMEOUT,
} s_result;

struct function {
  const local_config_function *cfg;
  char *bootstrap; /* absolute path of the executable */
  char *task_root; /* its directory: LAMBDA_TASK_ROOT and the working directory */
  char *arn;
  char **envp; /* the clean environment of the process, NULL-terminated */
  size_t n_envp;
  http_server *runtime;

  pthread_mutex_t lock;
  pthread_cond_t cond; /* signalled on every state change below */
  bool stopping;

  s_proc_state proc;
  pid_t pid;
  pthread_t watcher; /* reaps pid */
  bool has_watcher;

  bool busy; /* a caller owns the function for one invocation */
  s_inv_state inv;
  char request_id[40];
  char trace_id[96];
  int64_t deadline_epoch_ms;
  const char *event; /* borrowed from the caller while inv != S_INV_NONE */
  size_t event_len;
  s_result result;
  mynt_buf response;
};

/* ---- small helpers ---------------------------------------------------------------- */

static void s_random_hex(char *out, size_t n_bytes)
{
  unsigned char raw[32];
  if(n_bytes > sizeof(raw))
    n_bytes = sizeof(raw);
  size_t got = 0;
  while(got < n_bytes) {
    ssize_t r = getrandom(raw + got, n_bytes - got, 0);
    if(r <= 0)
      break;
    got += (size_t)r;
  }
  for(size_t i = got; i < n_bytes; i++)
    raw[i] = (unsigned char)(clock_mono_ms() >> (i % 8));
  hex_encode(raw, n_bytes, out);
}

/* Writes a version-4 UUID (36 characters) into out (at least 37 bytes). */
static void s_uuid(char *out)
{
  char hex[33];
  s_random_hex(hex, 16);
  hex[12] = '4';
  hex[16] = "89ab"[hex[16] % 4];
  snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static void s_trace_id(char *out, size_t size)
{
  char a[25], b[17];
  s_random_hex(a, 12);
  s_random_hex(b, 8);
  snprintf(out, size, "Root=1-%08" PRIx64 "-%s;Parent=%s;Sampled=0", (uint64_t)(clock_epoch_ms() / 1000), a, b);
}

/* Kills the process group of the running process (fn->lock held); the watcher reaps it. */
static void s_kill_process(function *fn)
{
  if(fn->proc == S_PROC_RUNNING && fn->pid > 0) {
    kill(-fn->pid, SIGKILL);
    kill(fn->pid, SIGKILL);
    fn->proc = S_PROC_DYING;
  }
}

/* Finishes the invocation in flight, if any, with result (fn->lock held). */
static void s_finish(function *fn, s_result result)
{
  if(fn->inv == S_INV_PENDING || fn->inv == S_INV_DELIVERED) {
    fn->inv = S_INV_DONE;
    fn->result = result;
    pthread_cond_broadcast(&fn->cond);
  }
}

/* ---- the process ------------------------------------------------------------------ */

typedef struct {
  function *fn;
  pid_t pid;
} s_watch;

static void *s_watcher_main(void *arg)
{
  s_watch w = *(s_watch *)arg;
  free(arg);
  int status = 0;
  while(waitpid(w.pid, &status, 0) < 0 && errno == EINTR)
    ;
  function *fn = w.fn;
  pthread_mutex_lock(&fn->lock);
  if(WIFSIGNALED(status))
    fprintf(stderr, "mynt-local: %s: bootstrap %d killed by signal %d\n", fn->cfg->name, (int)w.pid, WTERMSIG(status));
  else
    fprintf(stderr, "mynt-local: %s: bootstrap %d exited with status %d\n", fn->cfg->name, (int)w.pid,
            WEXITSTATUS(status));
  if(fn->pid == w.pid) {
    fn->pid = 0;
    fn->proc = S_PROC_NONE;
    s_finish(fn, S_RESULT_EXITED);
  }
  pthread_cond_broadcast(&fn->cond);
  pthread_mutex_unlock(&fn->lock);
  return NULL;
}

/* Spawns the bootstrap process and its watcher (fn->lock held, no process running).
 * Returns MYNT_OK, MYNT_UPSTREAM when it cannot be started. */
static mynt_status s_spawn(function *fn)
{
  if(fn->has_watcher) {
    pthread_join(fn->watcher, NULL);
    fn->has_watcher = false;
  }
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
  posix_spawn_file_actions_addchdir_np(&fa, fn->task_root);
  posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
  char *argv[] = {fn->bootstrap, NULL};
  pid_t pid = 0;
  int rc = posix_spawn(&pid, fn->bootstrap, &fa, &attr, argv, fn->envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if(rc != 0) {
    fprintf(stderr, "mynt-local: %s: cannot start %s: %s\n", fn->cfg->name, fn->bootstrap, strerror(rc));
    return MYNT_UPSTREAM;
  }
  s_watch *w = malloc(sizeof(*w));
  if(w) {
    w->fn = fn;
    w->pid = pid;
  }
  if(!w || pthread_create(&fn->watcher, NULL, s_watcher_main, w) != 0) {
    free(w);
    kill(pid, SIGKILL);
    while(waitpid(pid, NULL, 0) < 0 && errno == EINTR)
      ;
    return MYNT_UPSTREAM;
  }
  fn->has_watcher = true;
  fn->pid = pid;
  fn->proc = S_PROC_RUNNING;
  fprintf(stderr, "mynt-local: %s: started bootstrap %d\n", fn->cfg->name, (int)pid);
  return MYNT_OK;
}

/* ---- invocations ------------------------------------------------------------------ */

static mynt_status s_status_of(s_result result)
{
  switch(result) {
  case S_RESULT_RESPONSE:
    return MYNT_OK;
  case S_RESULT_ERROR:
    return MYNT_INTERNAL;
  case S_RESULT_TIMEOUT:
    return MYNT_TIMEOUT;
  case S_RESULT_INIT_ERROR:
  case S_RESULT_EXITED:
  case S_RESULT_TOO_LARGE:
    break;
  }
  return MYNT_UPSTREAM;
}

mynt_status function_invoke(function *fn, const char *event, size_t len, mynt_buf *out_payload)
{
  if(len > FUNCTION_MAX_EVENT)
    return MYNT_TOO_LARGE;
  int64_t timeout_ms = (int64_t)fn->cfg->timeout_s * 1000;
  mynt_status st = MYNT_OK;
  pthread_mutex_lock(&fn->lock);
  int64_t turn_deadline = clock_mono_ms() + timeout_ms;
  while(!fn->stopping && (fn->busy || fn->proc == S_PROC_DYING)) {
    if(mono_cond_wait_until(&fn->cond, &fn->lock, turn_deadline) == ETIMEDOUT) {
      pthread_mutex_unlock(&fn->lock);
      return MYNT_THROTTLED;
    }
  }
  if(fn->stopping) {
    pthread_mutex_unlock(&fn->lock);
    return MYNT_UNAVAILABLE;
  }
  fn->busy = true;
  if(fn->proc == S_PROC_NONE && (st = s_spawn(fn)) != MYNT_OK)
    goto done;

  s_uuid(fn->request_id);
  s_trace_id(fn->trace_id, sizeof(fn->trace_id));
  fn->deadline_epoch_ms = clock_epoch_ms() + timeout_ms;
  int64_t deadline = clock_mono_ms() + timeout_ms;
  fn->event = event;
  fn->event_len = len;
  buf_reset(&fn->response);
  fn->inv = S_INV_PENDING;
  pthread_cond_broadcast(&fn->cond);
  while(fn->inv != S_INV_DONE && !fn->stopping) {
    if(mono_cond_wait_until(&fn->cond, &fn->lock, deadline) == ETIMEDOUT && fn->inv != S_INV_DONE) {
      fprintf(stderr, "mynt-local: %s: invocation timed out after %d s; killing bootstrap %d\n", fn->cfg->name,
              fn->cfg->timeout_s, (int)fn->pid);
      s_kill_process(fn);
      s_finish(fn, S_RESULT_TIMEOUT);
    }
  }
  if(fn->inv != S_INV_DONE) {
    st = MYNT_UNAVAILABLE;
  }
  else {
    st = s_status_of(fn->result);
    if((st == MYNT_OK || st == MYNT_INTERNAL) && fn->response.len) {
      mynt_status copied = buf_append(out_payload, fn->response.ptr, fn->response.len);
      if(copied)
        st = copied;
    }
  }
  fn->inv = S_INV_NONE;
  fn->event = NULL;
  fn->event_len = 0;
  fn->request_id[0] = '\0';
  buf_reset(&fn->response);
done:
  fn->busy = false;
  pthread_cond_broadcast(&fn->cond);
  pthread_mutex_unlock(&fn->lock);
  return st;
}

/* ---- the Runtime API server ------------------------------------------------------- */

static enum MHD_Result s_reply(struct MHD_Connection *c, unsigned status, const char *body, size_t len,
                               const char *const *headers)
{
  return http_server_reply(c, status, body, len, "application/json", headers);
}

static enum MHD_Result s_reply_text(struct MHD_Connection *c, unsigned status, const char *body)
{
  return s_reply(c, status, body, strlen(body), NULL);
}

/* Returns true when the peer of the connection has closed it (its process has died). */
static bool s_peer_gone(struct MHD_Connection *c)
{
  const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
  if(!info)
    return true;
  struct pollfd p = {.fd = info->connect_fd, .events = POLLRDHUP};
  return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
}

/* GET .../invocation/next: blocks until there is an invocation for this process. */
static enum MHD_Result s_next(function *fn, struct MHD_Connection *c)
{
  pthread_mutex_lock(&fn->lock);
  for(;;) {
    if(fn->stopping) {
      pthread_mutex_unlock(&fn->lock);
      return MHD_NO;
    }
    if(fn->inv == S_INV_PENDING && !s_peer_gone(c))
      break;
    if(s_peer_gone(c)) {
      pthread_mutex_unlock(&fn->lock);
      return MHD_NO;
    }
    mono_cond_wait_until(&fn->cond, &fn->lock, clock_mono_ms() + S_POLL_MS);
  }
  fn->inv = S_INV_DELIVERED;
  char deadline[32];
  snprintf(deadline, sizeof(deadline), "%" PRId64, fn->deadline_epoch_ms);
  const char *headers[] = {"Lambda-Runtime-Aws-Request-Id",
                           fn->request_id,
                           "Lambda-Runtime-Deadline-Ms",
                           deadline,
                           "Lambda-Runtime-Invoked-Function-Arn",
                           fn->arn,
                           "Lambda-Runtime-Trace-Id",
                           fn->trace_id,
                           NULL};
  enum MHD_Result ok = s_reply(c, MHD_HTTP_OK, fn->event, fn->event_len, headers);
  pthread_mutex_unlock(&fn->lock);
  return ok;
}

/* Logs the error type an invocation or init error reported (never its message). */
static void s_log_error_type(function *fn, struct MHD_Connection *c, const char *what)
{
  const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Lambda-Runtime-Function-Error-Type");
  char safe[64];
  size_t n = 0;
  for(const char *p = type ? type : "unknown"; *p && n + 1 < sizeof(safe); p++)
    safe[n++] = (*p >= 0x21 && *p <= 0x7e) ? *p : '?';
  safe[n] = '\0';
  fprintf(stderr, "mynt-local: %s: %s (%s)\n", fn->cfg->name, what, safe);
}

/* POST .../invocation/{id}/response or /error. */
static enum MHD_Result s_post_result(function *fn, struct MHD_Connection *c, const http_server_request *req,
                                     const char *id, size_t id_len, int is_error)
{
  pthread_mutex_lock(&fn->lock);
  int current =
    fn->inv == S_INV_DELIVERED && strlen(fn->request_id) == id_len && memcmp(fn->request_id, id, id_len) == 0;
  if(!current) {
    pthread_mutex_unlock(&fn->lock);
    return s_reply_text(c, MHD_HTTP_BAD_REQUEST,
                        "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}");
  }
  if(req->body_too_large) {
    s_finish(fn, S_RESULT_TOO_LARGE);
    pthread_mutex_unlock(&fn->lock);
    fprintf(stderr, "mynt-local: %s: response over 6 MB\n", fn->cfg->name);
    return s_reply_text(c, MHD_HTTP_CONTENT_TOO_LARGE,
                        "{\"errorMessage\":\"Response payload too large\","
                        "\"errorType\":\"RequestEntityTooLarge\"}");
  }
  if(is_error) {
    s_log_error_type(fn, c, "invocation error");
    buf_reset(&fn->response);
    if(buf_append(&fn->response, req->body, req->body_len))
      buf_reset(&fn->response);
    s_finish(fn, S_RESULT_ERROR);
  }
  else {
    buf_reset(&fn->response);
    mynt_status st = buf_append(&fn->response, req->body, req->body_len);
    s_finish(fn, st ? S_RESULT_TOO_LARGE : S_RESULT_RESPONSE);
  }
  pthread_mutex_unlock(&fn->lock);
  return s_reply_text(c, MHD_HTTP_ACCEPTED, "{\"status\":\"OK\"}");
}

/* POST .../init/error: the process failed to start; the invocation fails and it is reset. */
static enum MHD_Result s_init_error(function *fn, struct MHD_Connection *c)
{
  s_log_error_type(fn, c, "init error");
  pthread_mutex_lock(&fn->lock);
  s_finish(fn, S_RESULT_INIT_ERROR);
  s_kill_process(fn);
  pthread_cond_broadcast(&fn->cond);
  pthread_mutex_unlock(&fn->lock);
  return s_reply_text(c, MHD_HTTP_ACCEPTED, "{\"status\":\"OK\"}");
}

static enum MHD_Result s_runtime_request(void *ctx, struct MHD_Connection *c, const http_server_request *req)
{
  function *fn = ctx;
  const char *url = req->url;
  if(strncmp(url, S_API_PREFIX, strlen(S_API_PREFIX)) != 0)
    return s_reply_text(c, MHD_HTTP_NOT_FOUND, "{\"errorMessage\":\"Not Found\"}");
  const char *rest = url + strlen(S_API_PREFIX);
  int is_get = strcmp(req->method, "GET") == 0;
  int is_post = strcmp(req->method, "POST") == 0;
  if(strcmp(rest, "invocation/next") == 0 && is_get)
    return s_next(fn, c);
  if(strcmp(rest, "init/error") == 0 && is_post)
    return s_init_error(fn, c);
  const char *inv = "invocation/";
  if(strncmp(rest, inv, strlen(inv)) == 0 && is_post) {
    const char *id = rest + strlen(inv);
    const char *slash = strchr(id, '/');
    if(slash && slash > id && strcmp(slash, "/response") == 0)
      return s_post_result(fn, c, req, id, (size_t)(slash - id), 0);
    if(slash && slash > id && strcmp(slash, "/error") == 0)
      return s_post_result(fn, c, req, id, (size_t)(slash - id), 1);
  }
  return s_reply_text(c, MHD_HTTP_NOT_FOUND, "{\"errorMessage\":\"Not Found\"}");
}

/* ---- set-up ----------------------------------------------------------------------- */

/* Adds NAME=value to the list, replacing an earlier entry with the same name. */
static mynt_status s_env_set(char ***list, size_t *n, const char *name, const char *value)
{
  char *entry = NULL;
  if(asprintf(&entry, "%s=%s", name, value) < 0)
    return MYNT_NOMEM;
  size_t name_len = strlen(name);
  for(size_t i = 0; i < *n; i++) {
    if(strncmp((*list)[i], name, name_len) == 0 && (*list)[i][name_len] == '=') {
      free((*list)[i]);
      (*list)[i] = entry;
      return MYNT_OK;
    }
  }
  char **grown = realloc(*list, (*n + 2) * sizeof(char *));
  if(!grown) {
    free(entry);
    return MYNT_NOMEM;
  }
  grown[(*n)++] = entry;
  grown[*n] = NULL;
  *list = grown;
  return MYNT_OK;
}

static bool s_env_has(char **list, size_t n, const char *name)
{
  size_t name_len = strlen(name);
  for(size_t i = 0; i < n; i++)
    if(strncmp(list[i], name, name_len) == 0 && list[i][name_len] == '=')
      return true;
  return false;
}

/* Builds the process environment: the function's variables, then what Lambda sets. */
static mynt_status s_build_env(function *fn, const char *region)
{
  char **list = NULL;
  size_t n = 0;
  mynt_status st = MYNT_OK;
  for(size_t i = 0; !st && i < fn->cfg->n_env; i++) {
    const char *eq = strchr(fn->cfg->env[i], '=');
    char *name = strndup(fn->cfg->env[i], (size_t)(eq - fn->cfg->env[i]));
    st = name ? s_env_set(&list, &n, name, eq + 1) : MYNT_NOMEM;
    free(name);
  }
  char api[64], memory[32];
  snprintf(api, sizeof(api), "127.0.0.1:%u", (unsigned)http_server_port(fn->runtime));
  snprintf(memory, sizeof(memory), "%d", fn->cfg->memory_mb);
  const char *lambda_set[][2] = {
    {"AWS_LAMBDA_RUNTIME_API", api},
    {"_HANDLER", fn->cfg->handler},
    {"AWS_LAMBDA_FUNCTION_NAME", fn->cfg->function_name ? fn->cfg->function_name : fn->cfg->name},
    {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", memory},
    {"AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"},
    {"AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"},
    {"LAMBDA_TASK_ROOT", fn->task_root},
    {"LAMBDA_RUNTIME_DIR", fn->task_root},
    {"TZ", "UTC"},
    {"PATH", "/usr/local/bin:/usr/bin:/bin"},
  };
  for(size_t i = 0; !st && i < sizeof(lambda_set) / sizeof(lambda_set[0]); i++)
    st = s_env_set(&list, &n, lambda_set[i][0], lambda_set[i][1]);
  if(!st && !s_env_has(list, n, "AWS_REGION"))
    st = s_env_set(&list, &n, "AWS_REGION", region);
  if(!st && !s_env_has(list, n, "AWS_DEFAULT_REGION"))
    st = s_env_set(&list, &n, "AWS_DEFAULT_REGION", region);
  const char *passed[] = {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"};
  for(size_t i = 0; !st && i < sizeof(passed) / sizeof(passed[0]); i++) {
    const char *v = getenv(passed[i]);
    if(v)
      st = s_env_set(&list, &n, passed[i], v);
  }
  if(st) {
    strv_free(list, n);
    return st;
  }
  fn->envp = list;
  fn->n_envp = n;
  return MYNT_OK;
}

/* Sets fn->bootstrap (absolute) and fn->task_root (its directory). */
static mynt_status s_paths(function *fn, const char *bootstrap)
{
  if(bootstrap[0] == '/') {
    fn->bootstrap = strdup(bootstrap);
  }
  else {
    char cwd[PATH_MAX];
    if(!getcwd(cwd, sizeof(cwd)))
      return MYNT_IO;
    if(asprintf(&fn->bootstrap, "%s/%s", cwd, bootstrap) < 0)
      fn->bootstrap = NULL;
  }
  if(!fn->bootstrap)
    return MYNT_NOMEM;
  const char *slash = strrchr(fn->bootstrap, '/');
  fn->task_root = strndup(fn->bootstrap, slash == fn->bootstrap ? 1 : (size_t)(slash - fn->bootstrap));
  return fn->task_root ? MYNT_OK : MYNT_NOMEM;
}

mynt_status function_new(const local_config_function *cfg, const char *bootstrap, const char *region, function **out)
{
  *out = NULL;
  function *fn = calloc(1, sizeof(*fn));
  if(!fn)
    return MYNT_NOMEM;
  fn->cfg = cfg;
  buf_init(&fn->response, FUNCTION_MAX_PAYLOAD);
  pthread_mutex_init(&fn->lock, NULL);
  mono_cond_init(&fn->cond);

  mynt_status st = s_paths(fn, bootstrap);
  if(st)
    goto fail;
  st = MYNT_NOMEM;
  if(asprintf(&fn->arn, "arn:aws:lambda:%s:000000000000:function:%s", region,
              cfg->function_name ? cfg->function_name : cfg->name) < 0) {
    fn->arn = NULL;
    goto fail;
  }
  http_server_options server = {
    .handler = s_runtime_request,
    .ctx = fn,
    .max_body = FUNCTION_MAX_PAYLOAD,
    .thread_per_connection = true, /* invocation/next blocks until there is an invocation */
  };
  if((st = http_server_new(&server, NULL, &fn->runtime)))
    goto fail;
  if((st = s_build_env(fn, region)))
    goto fail;
  *out = fn;
  return MYNT_OK;
fail:
  function_free(fn);
  return st;
}

mynt_status function_set_env(function *fn, const char *name, const char *value)
{
  pthread_mutex_lock(&fn->lock);
  mynt_status st = s_env_set(&fn->envp, &fn->n_envp, name, value);
  pthread_mutex_unlock(&fn->lock);
  return st;
}

void function_stop(function *fn)
{
  pthread_mutex_lock(&fn->lock);
  fn->stopping = true;
  s_kill_process(fn);
  pthread_cond_broadcast(&fn->cond);
  pthread_mutex_unlock(&fn->lock);
}

void function_free(function *fn)
{
  if(!fn)
    return;
  function_stop(fn);
  http_server_free(fn->runtime);
  if(fn->has_watcher)
    pthread_join(fn->watcher, NULL);
  strv_free(fn->envp, fn->n_envp);
  free(fn->bootstrap);
  free(fn->task_root);
  free(fn->arn);
  buf_free(&fn->response);
  pthread_cond_destroy(&fn->cond);
  pthread_mutex_destroy(&fn->lock);
  free(fn);
}
