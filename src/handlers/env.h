/* env.h - the long-lived state every handler of this process shares (made once at init). */
#ifndef MYNT_HANDLERS_ENV_H
#define MYNT_HANDLERS_ENV_H

#include "store/store.h"

typedef struct {
  store *store;  /* the mynt-users table; NULL in groups that need no DynamoDB */
} handlers_env;

#endif
