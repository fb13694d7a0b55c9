/* users.h - the user PROFILE record of the mynt-users table (user_id = Cognito sub, sk = "PROFILE"). */
#ifndef MYNT_STORE_USERS_H
#define MYNT_STORE_USERS_H

#include <stdint.h>

#include "core/status.h"
#include "store/store.h"

#define STORE_USER_ID_MAX 128
#define STORE_EMAIL_MAX   320

typedef struct {
  char user_id[STORE_USER_ID_MAX + 1];
  char email[STORE_EMAIL_MAX + 1]; /* "" when none is known */
  char created_at[32];             /* "YYYY-MM-DDTHH:MM:SSZ", set once */
  char updated_at[32];             /* the time of this touch */
} store_user_profile;

/* Creates or updates the PROFILE record of user_id with one UpdateItem (ReturnValues
 * ALL_NEW): created_at is set only if absent, updated_at is now, and email is stored
 * when given (NULL keeps the stored one). deadline_ms (epoch ms; 0 = the client's
 * default) bounds the call with its retries. Returns MYNT_OK and *out_profile with the
 * record as stored; MYNT_BAD_REQUEST for an empty or over-long user id or email;
 * otherwise a status from store_status_from_ddb. */
mynt_status store_user_touch_profile(store *s, const char *user_id, const char *email, int64_t deadline_ms,
                                     store_user_profile *out_profile);

#endif
