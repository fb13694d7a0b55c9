/* relay.h - tests' forwarding of one request a script_server received to the real service behind it (moto,
 * the Plaid simulator), so a test can fail, stall or rewrite a chosen call and let the rest through. */
#ifndef MYNT_TESTS_RELAY_H
#define MYNT_TESTS_RELAY_H

#include "support/script_server.h"

/* Sends req to upstream (e.g. "http://127.0.0.1:5000") + req->url with its method, body and the headers an AWS
 * JSON or Plaid client sends (Content-Type, X-Amz-Target, X-Amz-Date, X-Amz-Security-Token, Authorization,
 * PLAID-CLIENT-ID, PLAID-SECRET, Plaid-Version), and fills *out with the answer: status, a malloc'd body
 * (free_body set) and the Content-Type of the protocol (AWS JSON when req had an X-Amz-Target, else
 * application/json). A transport failure leaves out->drop set. Call it from a script_handler. */
void relay_forward(const char *upstream, const script_request *req, script_reply *out);

#endif
