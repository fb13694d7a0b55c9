/* aws_error.h - what a failed AWS call says: status, HTTP status, attempts, the service's error type and message. */
#ifndef MYNT_AWS_ERROR_H
#define MYNT_AWS_ERROR_H

#include "core/status.h"

/* Filled by every AWS client call (on success too: status MYNT_OK and attempts). type is
 * safe to log; message is the service's text, which may quote request fields. */
typedef struct {
  mynt_status status;
  int http_status;   /* 0 when no HTTP answer arrived */
  int attempts;      /* how many requests were sent */
  char type[96];     /* the service's short error name, e.g. "ParameterNotFound"; "" for transport */
  char message[256]; /* the service's message, or a transport description */
} aws_error;

#endif
