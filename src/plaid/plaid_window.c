/* plaid_window.c - fetch one date window of transactions for several items in parallel, following Plaid's pages. */
#include "plaid/plaid_window.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "plaid/plaid_http.h"

/* The longest single wait in the event loop, so the deadline is checked regularly. */
#define S_POLL_MAX_MS 1000

typedef enum {
  S_PENDING, /* waiting for a free curl handle */
  S_READY,   /* has a handle and a request to send */
  S_RUNNING, /* its request is in the multi handle */
  S_WAITING, /* backing off before retrying the same page */
  S_DONE
} s_state;

typedef struct {
  const plaid_window_item *in;
  plaid_window_result *out;
  s_state state;
  CURL *easy; /* from the client's pool while the job is active */
  plaid_http_exchange x;
  json_t *request; /* the current page's body, owned */
  long offset;
  size_t wanted;
  int attempt;          /* attempts at the current page */
  plaid_error answered; /* the last error Plaid answered for the current page */
  int64_t retry_at;     /* epoch ms, while S_WAITING */
} s_job;

typedef struct {
  plaid_client *c;
  s_job *jobs;
  size_t n;
  size_t remaining;
  CURL *free_handles[PLAID_MAX_PARALLEL];
  size_t n_free;
  const char *start_date;
  const char *end_date;
  int64_t deadline;
} s_run;

void plaid_window_results_free(plaid_window_result *results, size_t n)
{
  if(!results)
    return;
  for(size_t i = 0; i < n; i++) {
    json_decref(results[i].transactions);
    json_decref(results[i].accounts);
    json_decref(results[i].item);
    memset(&results[i], 0, sizeof results[i]);
    plaid_error_clear(&results[i].error);
  }
}

/* Builds the request for the job's next page into job->request. */
static mynt_status s_build_page(s_run *run, s_job *job)
{
  size_t have = job->out->transactions ? json_array_size(job->out->transactions) : 0;
  size_t left = job->wanted - have;
  plaid_transactions_query q = {
    .access_token = job->in->access_token,
    .start_date = run->start_date,
    .end_date = run->end_date,
    .count = left < PLAID_TRANSACTIONS_COUNT_MAX ? (int)left : PLAID_TRANSACTIONS_COUNT_MAX,
    .offset = job->offset,
    .account_ids = job->in->account_ids,
    .n_account_ids = job->in->n_account_ids,
  };
  json_decref(job->request);
  job->request = NULL;
  job->attempt = 0;
  plaid_error_clear(&job->answered);
  return plaid_request_transactions_get(&q, &job->request);
}

/* Ends a job with err (MYNT_OK for success) and gives its handle back. */
static void s_finish(s_run *run, s_job *job, const plaid_error *err)
{
  plaid_window_result *out = job->out;
  out->error = *err;
  out->status = err->status;
  if(err->status) {
    json_decref(out->transactions);
    json_decref(out->accounts);
    json_decref(out->item);
    out->transactions = NULL;
    out->accounts = NULL;
    out->item = NULL;
    out->complete = 0;
  }
  if(job->easy) {
    run->free_handles[run->n_free++] = job->easy;
    job->easy = NULL;
  }
  json_decref(job->request);
  job->request = NULL;
  job->state = S_DONE;
  run->remaining--;
}

static void s_finish_with(s_run *run, s_job *job, mynt_status st, plaid_error_kind kind, const char *detail)
{
  plaid_error err;
  plaid_error_clear(&err);
  err.status = st;
  err.kind = kind;
  err.attempts = job->attempt;
  snprintf(err.detail, sizeof err.detail, "%s", detail);
  s_finish(run, job, &err);
}

/* Ends a job whose time ran out: with its last failure if it had one, else as a deadline. */
static void s_finish_late(s_run *run, s_job *job)
{
  if(job->out->error.status) {
    plaid_error last = job->out->error;
    s_finish(run, job, &last);
    return;
  }
  plaid_error err;
  plaid_http_deadline_error(&err, job->attempt);
  s_finish(run, job, &err);
}

/* Adds a page's answer to the job's result; decides whether another page is needed. */
static void s_merge(s_run *run, s_job *job, json_t *answer)
{
  plaid_window_result *out = job->out;
  json_t *page = json_object_get(answer, "transactions");
  json_t *total = json_object_get(answer, "total_transactions");
  if(!json_is_array(page) || !json_is_integer(total) || json_integer_value(total) < 0) {
    s_finish_with(run, job, plaid_error_kind_status(PLAID_ERR_MALFORMED), PLAID_ERR_MALFORMED,
                  "a /transactions/get answer without transactions or total_transactions");
    return;
  }
  if(!out->transactions) {
    out->transactions = json_array();
    json_t *accounts = json_object_get(answer, "accounts");
    json_t *item = json_object_get(answer, "item");
    out->accounts = json_is_array(accounts) ? json_incref(accounts) : json_array();
    out->item = json_is_object(item) ? json_incref(item) : json_object();
    if(!out->transactions || !out->accounts || !out->item) {
      s_finish_with(run, job, MYNT_NOMEM, PLAID_ERR_OTHER, "out of memory while gathering transactions");
      return;
    }
  }
  size_t page_len = json_array_size(page);
  if(json_array_extend(out->transactions, page)) {
    s_finish_with(run, job, MYNT_NOMEM, PLAID_ERR_OTHER, "out of memory while gathering transactions");
    return;
  }
  out->total_transactions = (long)json_integer_value(total);
  out->pages++;
  job->offset += (long)page_len;
  size_t have = json_array_size(out->transactions);
  while(have > job->wanted)
    json_array_remove(out->transactions, --have);

  if(have >= job->wanted || job->offset >= out->total_transactions || page_len == 0) {
    plaid_error ok;
    plaid_error_clear(&ok);
    ok.attempts = job->attempt;
    out->complete = have >= (size_t)out->total_transactions;
    s_finish(run, job, &ok);
    return;
  }
  mynt_status st = s_build_page(run, job);
  if(st) {
    s_finish_with(run, job, st, PLAID_ERR_OTHER, "could not build the next page's request");
    return;
  }
  job->state = S_READY;
}

/* Handles a finished transfer of a running job. */
static void s_transfer_done(s_run *run, s_job *job, CURLcode rc)
{
  json_t *answer = NULL;
  plaid_error err;
  curl_multi_remove_handle(run->c->multi, job->easy);
  plaid_http_finish(&job->x, rc, &answer, &err);
  plaid_http_free(&job->x);
  err.attempts = job->attempt;
  plaid_http_keep_answer(&job->answered, rc, &err);
  if(err.status == MYNT_OK) {
    job->out->error = err;
    job->out->status = MYNT_OK;
    s_merge(run, job, answer);
    json_decref(answer);
    return;
  }
  job->out->error = err;
  job->out->status = err.status;
  if(!plaid_error_retryable(err.kind)) {
    s_finish(run, job, &err);
    return;
  }
  int64_t now = clock_epoch_ms();
  int64_t wait = plaid_http_backoff_ms(run->c, job->attempt);
  if(now + wait + PLAID_HTTP_MIN_ATTEMPT_MS >= run->deadline) {
    s_finish(run, job, &err);
    return;
  }
  job->retry_at = now + wait;
  job->state = S_WAITING;
}

/* Starts the job's current request on its handle. */
static void s_start(s_run *run, s_job *job)
{
  mynt_status st = plaid_http_begin(run->c, &job->x, job->easy, "/transactions/get", job->request, run->deadline);
  if(st) {
    s_finish_with(run, job, st, PLAID_ERR_OTHER, "could not prepare the request");
    return;
  }
  curl_easy_setopt(job->easy, CURLOPT_PRIVATE, job);
  if(curl_multi_add_handle(run->c->multi, job->easy) != CURLM_OK) {
    plaid_http_free(&job->x);
    s_finish_with(run, job, MYNT_INTERNAL, PLAID_ERR_OTHER, "curl refused the transfer");
    return;
  }
  job->attempt++;
  job->state = S_RUNNING;
}

/* Moves jobs forward: hands out handles, starts what is due, ends what ran out of time.
 * Returns how long the loop may wait (ms) before something is due. */
static long s_schedule(s_run *run)
{
  int64_t now = clock_epoch_ms();
  int64_t wait = run->deadline - now;
  for(size_t i = 0; i < run->n; i++) {
    s_job *job = &run->jobs[i];
    if(job->state == S_PENDING && run->n_free > 0 && now < run->deadline) {
      job->easy = run->free_handles[--run->n_free];
      job->state = S_READY;
    }
    if(job->state == S_WAITING && job->retry_at <= now)
      job->state = S_READY;
    if(job->state == S_RUNNING || job->state == S_DONE)
      continue;
    /* A retry needs PLAID_HTTP_MIN_ATTEMPT_MS: the loop may have woken late into it. */
    if(now >= run->deadline ||
       (job->state == S_READY && job->attempt > 0 && now + PLAID_HTTP_MIN_ATTEMPT_MS > run->deadline)) {
      s_finish_late(run, job);
      continue;
    }
    if(job->state == S_READY)
      s_start(run, job);
    else if(job->state == S_WAITING && job->retry_at - now < wait)
      wait = job->retry_at - now;
  }
  if(wait < 0)
    wait = 0;
  return wait > S_POLL_MAX_MS ? S_POLL_MAX_MS : (long)wait;
}

/* Validates the inputs and prepares every job's first request. */
static mynt_status s_prepare(s_run *run, const plaid_window_item *items, size_t limit_per_item,
                             plaid_window_result *out_results)
{
  size_t wanted =
    limit_per_item == 0 || limit_per_item > PLAID_WINDOW_MAX_PER_ITEM ? PLAID_WINDOW_MAX_PER_ITEM : limit_per_item;
  for(size_t i = 0; i < run->n; i++) {
    s_job *job = &run->jobs[i];
    job->in = &items[i];
    job->out = &out_results[i];
    job->wanted = wanted;
    job->state = S_PENDING;
    mynt_status st = s_build_page(run, job);
    if(st)
      return st;
  }
  return MYNT_OK;
}

mynt_status plaid_window_fetch(plaid_client *c, const plaid_window_item *items, size_t n_items, const char *start_date,
                               const char *end_date, size_t limit_per_item, int64_t deadline_ms,
                               plaid_window_result *out_results)
{
  mynt_status st = MYNT_OK;
  int fatal = 0;
  s_run run;
  memset(&run, 0, sizeof run);
  if(out_results) {
    for(size_t i = 0; i < n_items; i++) {
      memset(&out_results[i], 0, sizeof out_results[i]);
      plaid_error_clear(&out_results[i].error);
    }
  }
  if(!c || !items || !n_items || !out_results)
    return MYNT_BAD_REQUEST;
  run.c = c;
  run.n = n_items;
  run.remaining = n_items;
  run.start_date = start_date;
  run.end_date = end_date;
  run.deadline = plaid_http_deadline(deadline_ms);
  for(size_t i = 0; i < PLAID_MAX_PARALLEL; i++)
    run.free_handles[run.n_free++] = c->pool[i];
  run.jobs = calloc(n_items, sizeof *run.jobs);
  if(!run.jobs)
    return MYNT_NOMEM;
  st = s_prepare(&run, items, limit_per_item, out_results);
  if(st) {
    fatal = 1;
    goto cleanup;
  }

  while(run.remaining > 0) {
    long wait = s_schedule(&run);
    if(run.remaining == 0)
      break;
    int still = 0;
    if(curl_multi_perform(c->multi, &still) != CURLM_OK) {
      st = MYNT_INTERNAL;
      fatal = 1;
      goto cleanup;
    }
    CURLMsg *msg = NULL;
    int queued = 0;
    int progressed = 0;
    while((msg = curl_multi_info_read(c->multi, &queued))) {
      if(msg->msg != CURLMSG_DONE)
        continue;
      char *priv = NULL;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
      s_transfer_done(&run, (s_job *)(void *)priv, msg->data.result);
      progressed = 1;
    }
    if(progressed || run.remaining == 0)
      continue;
    if(curl_multi_poll(c->multi, NULL, 0, (int)wait, NULL) != CURLM_OK) {
      st = MYNT_INTERNAL;
      fatal = 1;
      goto cleanup;
    }
  }

  for(size_t i = 0; i < n_items; i++) {
    if(out_results[i].status) {
      st = out_results[i].status;
      break;
    }
  }

cleanup:
  for(size_t i = 0; i < n_items; i++) {
    s_job *job = &run.jobs[i];
    if(job->state == S_RUNNING) {
      curl_multi_remove_handle(c->multi, job->easy);
      plaid_http_free(&job->x);
    }
    json_decref(job->request);
    if(fatal && job->state != S_DONE) {
      plaid_window_results_free(&out_results[i], 1);
      out_results[i].status = st;
      out_results[i].error.status = st;
    }
  }
  free(run.jobs);
  return st;
}
