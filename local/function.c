/* function.c - one Lambda function: its warm bootstrap process and the Runtime API it talks to. */
#include "local/function.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
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

extern char **environ;

#define S_API_PREFIX "/2018-06-01/runtime/"
#define S_POLL_MS 200

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
  char *bootstrap;           /* absolute path of the executable */
  char *task_root;           /* its directory: LAMBDA_TASK_ROOT and the working directory */
  char *arn;
  char **envp;               /* the clean environment of the process */
  struct MHD_Daemon *runtime;
  int port;

  pthread_mutex_t lock;
  pthread_cond_t cond;       /* signalled on every state change below */
  int stopping;

  s_proc_state proc;
  pid_t pid;
  pthread_t watcher;         /* reaps pid */
  int has_watcher;

  int busy;                  /* a caller owns the function for one invocation */
  s_inv_state inv;
  char request_id[40];
  char trace_id[96];
  int64_t deadline_epoch_ms;
  const char *event;         /* borrowed from the caller while inv != S_INV_NONE */
  size_t event_len;
  s_result result;
  mynt_buf response;
};

/* Per-connection state of the Runtime API server. */
typedef struct {
  mynt_buf body;
  int too_large;
} s_conn;

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
  snprintf(out, size, "Root=1-%08" PRIx64 "-%s;Parent=%s;Sampled=0",
           (uint64_t)(clock_epoch_ms() / 1000), a, b);
}

/* Waits on fn->cond until the monotonic deadline (ms); returns ETIMEDOUT when it passed.
 * fn->lock is held. */
static int s_wait_until(function *fn, int64_t deadline_mono_ms)
{
  int64_t wait_ms = deadline_mono_ms - clock_mono_ms();
  if(wait_ms <= 0)
    return ETIMEDOUT;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  ts.tv_sec += wait_ms / 1000;
  ts.tv_nsec += (wait_ms % 1000) * 1000000;
  if(ts.tv_nsec >= 1000000000) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000;
  }
  int rc = pthread_cond_timedwait(&fn->cond, &fn->lock, &ts);
  return rc == ETIMEDOUT && clock_mono_ms() < deadline_mono_ms ? 0 : rc;
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
    fprintf(stderr, "mynt-local: %s: bootstrap %d killed by signal %d\n", fn->cfg->name,
            (int)w.pid, WTERMSIG(status));
  else
    fprintf(stderr, "mynt-local: %s: bootstrap %d exited with status %d\n", fn->cfg->name,
            (int)w.pid, WEXITSTATUS(status));
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
    fn->has_watcher = 0;
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
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                      POSIX_SPAWN_SETPGROUP);
  char *argv[] = {fn->bootstrap, NULL};
  pid_t pid = 0;
  int rc = posix_spawn(&pid, fn->bootstrap, &fa, &attr, argv, fn->envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if(rc != 0) {
    fprintf(stderr, "mynt-local: %s: cannot start %s: %s\n", fn->cfg->name, fn->bootstrap,
            strerror(rc));
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
  fn->has_watcher = 1;
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
    if(s_wait_until(fn, turn_deadline) == ETIMEDOUT) {
      pthread_mutex_unlock(&fn->lock);
      return MYNT_TIMEOUT;
    }
  }
  if(fn->stopping) {
    pthread_mutex_unlock(&fn->lock);
    return MYNT_UNAVAILABLE;
  }
  fn->busy = 1;
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
    if(s_wait_until(fn, deadline) == ETIMEDOUT && fn->inv != S_INV_DONE) {
      fprintf(stderr, "mynt-local: %s: invocation timed out after %d s; killing bootstrap %d\n",
              fn->cfg->name, fn->cfg->timeout_s, (int)fn->pid);
      s_kill_process(fn);
      s_finish(fn, S_RESULT_TIMEOUT);
    }
  }
  if(fn->inv != S_INV_DONE) {
    st = MYNT_UNAVAILABLE;
  } else {
    st = s_status_of(fn->result);
    if(st == MYNT_OK && fn->response.len)
      st = buf_append(out_payload, fn->response.ptr, fn->response.len);
  }
  fn->inv = S_INV_NONE;
  fn->event = NULL;
  fn->event_len = 0;
  fn->request_id[0] = '\0';
  buf_reset(&fn->response);
done:
  fn->busy = 0;
  pthread_cond_broadcast(&fn->cond);
  pthread_mutex_unlock(&fn->lock);
  return st;
}

/* ---- the Runtime API server ------------------------------------------------------- */

static enum MHD_Result s_reply(struct MHD_Connection *c, unsigned status, const char *body,
                               size_t len, const char *const *headers)
{
  struct MHD_Response *r =
    MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
  if(!r)
    return MHD_NO;
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
  for(size_t i = 0; headers && headers[i]; i += 2)
    MHD_add_response_header(r, headers[i], headers[i + 1]);
  enum MHD_Result ok = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ok;
}

static enum MHD_Result s_reply_text(struct MHD_Connection *c, unsigned status, const char *body)
{
  return s_reply(c, status, body, strlen(body), NULL);
}

/* Returns 1 when the peer of the connection has closed it (its process has died). */
static int s_peer_gone(struct MHD_Connection *c)
{
  const union MHD_ConnectionInfo *info =
    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
  if(!info)
    return 1;
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
    s_wait_until(fn, clock_mono_ms() + S_POLL_MS);
  }
  fn->inv = S_INV_DELIVERED;
  char deadline[32];
  snprintf(deadline, sizeof(deadline), "%" PRId64, fn->deadline_epoch_ms);
  const char *headers[] = {"Lambda-Runtime-Aws-Request-Id", fn->request_id,
                           "Lambda-Runtime-Deadline-Ms", deadline,
                           "Lambda-Runtime-Invoked-Function-Arn", fn->arn,
                           "Lambda-Runtime-Trace-Id", fn->trace_id,
                           NULL};
  enum MHD_Result ok = s_reply(c, MHD_HTTP_OK, fn->event, fn->event_len, headers);
  pthread_mutex_unlock(&fn->lock);
  return ok;
}

/* Logs the error type an invocation or init error reported (never its message). */
static void s_log_error_type(function *fn, struct MHD_Connection *c, const char *what)
{
  const char *type =
    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Lambda-Runtime-Function-Error-Type");
  char safe[64];
  size_t n = 0;
  for(const char *p = type ? type : "unknown"; *p && n + 1 < sizeof(safe); p++)
    safe[n++] = (*p >= 0x21 && *p <= 0x7e) ? *p : '?';
  safe[n] = '\0';
  fprintf(stderr, "mynt-local: %s: %s (%s)\n", fn->cfg->name, what, safe);
}

/* POST .../invocation/{id}/response or /error. */
static enum MHD_Result s_post_result(function *fn, struct MHD_Connection *c, s_conn *conn,
                                     const char *id, size_t id_len, int is_error)
{
  pthread_mutex_lock(&fn->lock);
  int current = fn->inv == S_INV_DELIVERED && strlen(fn->request_id) == id_len &&
                memcmp(fn->request_id, id, id_len) == 0;
  if(!current) {
    pthread_mutex_unlock(&fn->lock);
    return s_reply_text(c, MHD_HTTP_BAD_REQUEST,
                        "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}");
  }
  if(conn->too_large) {
    s_finish(fn, S_RESULT_TOO_LARGE);
    pthread_mutex_unlock(&fn->lock);
    fprintf(stderr, "mynt-local: %s: response over 6 MB\n", fn->cfg->name);
    return s_reply_text(c, MHD_HTTP_CONTENT_TOO_LARGE,
                        "{\"errorMessage\":\"Response payload too large\","
                        "\"errorType\":\"RequestEntityTooLarge\"}");
  }
  if(is_error) {
    s_log_error_type(fn, c, "invocation error");
    s_finish(fn, S_RESULT_ERROR);
  } else {
    buf_reset(&fn->response);
    mynt_status st = buf_append(&fn->response, buf_cstr(&conn->body), conn->body.len);
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

static enum MHD_Result s_runtime_request(void *cls, struct MHD_Connection *c, const char *url,
                                         const char *method, const char *version,
                                         const char *upload_data, size_t *upload_data_size,
                                         void **con_cls)
{
  (void)version;
  function *fn = cls;
  s_conn *conn = *con_cls;
  if(!conn) {
    conn = calloc(1, sizeof(*conn));
    if(!conn)
      return MHD_NO;
    buf_init(&conn->body, FUNCTION_MAX_PAYLOAD);
    *con_cls = conn;
    return MHD_YES;
  }
  if(*upload_data_size) {
    if(!conn->too_large && buf_append(&conn->body, upload_data, *upload_data_size) != MYNT_OK)
      conn->too_large = 1;
    *upload_data_size = 0;
    return MHD_YES;
  }
  if(strncmp(url, S_API_PREFIX, strlen(S_API_PREFIX)) != 0)
    return s_reply_text(c, MHD_HTTP_NOT_FOUND, "{\"errorMessage\":\"Not Found\"}");
  const char *rest = url + strlen(S_API_PREFIX);
  int is_get = strcmp(method, "GET") == 0;
  int is_post = strcmp(method, "POST") == 0;
  if(strcmp(rest, "invocation/next") == 0 && is_get)
    return s_next(fn, c);
  if(strcmp(rest, "init/error") == 0 && is_post)
    return s_init_error(fn, c);
  const char *inv = "invocation/";
  if(strncmp(rest, inv, strlen(inv)) == 0 && is_post) {
    const char *id = rest + strlen(inv);
    const char *slash = strchr(id, '/');
    if(slash && slash > id && strcmp(slash, "/response") == 0)
      return s_post_result(fn, c, conn, id, (size_t)(slash - id), 0);
    if(slash && slash > id && strcmp(slash, "/error") == 0)
      return s_post_result(fn, c, conn, id, (size_t)(slash - id), 1);
  }
  return s_reply_text(c, MHD_HTTP_NOT_FOUND, "{\"errorMessage\":\"Not Found\"}");
}

static void s_request_done(void *cls, struct MHD_Connection *c, void **con_cls,
                           enum MHD_RequestTerminationCode toe)
{
  (void)cls;
  (void)c;
  (void)toe;
  s_conn *conn = *con_cls;
  if(conn) {
    buf_free(&conn->body);
    free(conn);
    *con_cls = NULL;
  }
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

static int s_env_has(char **list, size_t n, const char *name)
{
  size_t name_len = strlen(name);
  for(size_t i = 0; i < n; i++)
    if(strncmp(list[i], name, name_len) == 0 && list[i][name_len] == '=')
      return 1;
  return 0;
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
  snprintf(api, sizeof(api), "127.0.0.1:%d", fn->port);
  snprintf(memory, sizeof(memory), "%d", fn->cfg->memory_mb);
  const char *lambda_set[][2] = {
    {"AWS_LAMBDA_RUNTIME_API", api},
    {"_HANDLER", fn->cfg->handler},
    {"AWS_LAMBDA_FUNCTION_NAME", fn->cfg->name},
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
    for(size_t i = 0; i < n; i++)
      free(list[i]);
    free(list);
    return st;
  }
  fn->envp = list;
  return MYNT_OK;
}

/* Sets fn->bootstrap (absolute) and fn->task_root (its directory). */
static mynt_status s_paths(function *fn, const char *bootstrap)
{
  if(bootstrap[0] == '/') {
    fn->bootstrap = strdup(bootstrap);
  } else {
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

function *function_create(const local_config_function *cfg, const char *bootstrap,
                          const char *region, mynt_status *out_st)
{
  function *fn = calloc(1, sizeof(*fn));
  if(!fn) {
    *out_st = MYNT_NOMEM;
    return NULL;
  }
  fn->cfg = cfg;
  buf_init(&fn->response, FUNCTION_MAX_PAYLOAD);
  pthread_mutex_init(&fn->lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&fn->cond, &ca);
  pthread_condattr_destroy(&ca);

  mynt_status st = s_paths(fn, bootstrap);
  if(st)
    goto fail;
  st = MYNT_NOMEM;
  if(asprintf(&fn->arn, "arn:aws:lambda:%s:000000000000:function:%s", region, cfg->name) < 0) {
    fn->arn = NULL;
    goto fail;
  }
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  fn->runtime = MHD_start_daemon(
    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL,
    NULL, s_runtime_request, fn, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
    MHD_OPTION_NOTIFY_COMPLETED, s_request_done, fn, MHD_OPTION_CONNECTION_TIMEOUT,
    (unsigned)0, MHD_OPTION_END);
  if(!fn->runtime) {
    st = MYNT_IO;
    goto fail;
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(fn->runtime, MHD_DAEMON_INFO_BIND_PORT);
  fn->port = info ? info->port : 0;
  if(!fn->port) {
    st = MYNT_IO;
    goto fail;
  }
  if((st = s_build_env(fn, region)))
    goto fail;
  *out_st = MYNT_OK;
  return fn;
fail:
  *out_st = st;
  function_destroy(fn);
  return NULL;
}

int function_runtime_port(const function *fn)
{
  return fn->port;
}

void function_stop(function *fn)
{
  pthread_mutex_lock(&fn->lock);
  fn->stopping = 1;
  s_kill_process(fn);
  pthread_cond_broadcast(&fn->cond);
  pthread_mutex_unlock(&fn->lock);
}

void function_destroy(function *fn)
{
  if(!fn)
    return;
  function_stop(fn);
  if(fn->runtime)
    MHD_stop_daemon(fn->runtime);
  if(fn->has_watcher)
    pthread_join(fn->watcher, NULL);
  for(size_t i = 0; fn->envp && fn->envp[i]; i++)
    free(fn->envp[i]);
  free(fn->envp);
  free(fn->bootstrap);
  free(fn->task_root);
  free(fn->arn);
  buf_free(&fn->response);
  pthread_cond_destroy(&fn->cond);
  pthread_mutex_destroy(&fn->lock);
  free(fn);
}
