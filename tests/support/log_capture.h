/* log_capture.h - tests' capture of the logger's lines in memory while a test runs, read back as text. */
#ifndef MYNT_TESTS_LOG_CAPTURE_H
#define MYNT_TESTS_LOG_CAPTURE_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
  FILE *out;  /* the logger's stream while capturing; NULL once stopped */
  char *text; /* after log_capture_stop: every line captured, NUL-terminated (freed by log_capture_free) */
  size_t len;
} log_capture;

/* Sends the logger's lines to c from now on, failing the running test when the stream cannot be made. */
void log_capture_start(log_capture *c);

/* A copy of what c captured so far (caller frees), while capturing. */
char *log_capture_copy(log_capture *c);

/* Sends the logger's lines to stderr again; c->text keeps what was captured. Accepts a stopped c. */
void log_capture_stop(log_capture *c);

/* Stops c when it is not stopped and frees its text. */
void log_capture_free(log_capture *c);

#endif
