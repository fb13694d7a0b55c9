/* users.c - the user PROFILE record: key construction and its UpdateItem. */
#include "store/users.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/clock.h"
#include "core/json.h"

#define USERS_PROFILE_SK "PROFILE"

/* The key of a user's PROFILE record: {"user_id":{"S":id},"sk":{"S":"PROFILE"}}. */
static json_t *s_profile_key(const char *user_id)
{
  return json_pack("{s:{s:s}, s:{s:s}}", "user_id", "S", user_id, "sk", "S", USERS_PROFILE_SK);
}

mynt_status store_user_touch_profile(store *s, const char *user_id, const char *email, int64_t deadline_ms,
                                     store_user_profile *out_profile)
{
  memset(out_profile, 0, sizeof(*out_profile));
  if(!store_user_id_valid(user_id))
    return MYNT_BAD_REQUEST;
  if(email && (!*email || strlen(email) > STORE_EMAIL_MAX))
    return MYNT_BAD_REQUEST;

  mynt_status st = MYNT_OK;
  json_t *response = NULL;
  json_t *item = NULL;
  char now[21];
  clock_iso8601((time_t)(clock_epoch_ms() / 1000), now);

  json_t *request = json_pack("{s:s, s:o, s:s, s:{s:s, s:s}, s:{s:{s:s}}, s:s}", "TableName", s->table, "Key",
                              s_profile_key(user_id), "UpdateExpression",
                              email ? "SET #created = if_not_exists(#created, :now), #updated = :now, #email = :email"
                                    : "SET #created = if_not_exists(#created, :now), #updated = :now",
                              "ExpressionAttributeNames", "#created", "created_at", "#updated", "updated_at",
                              "ExpressionAttributeValues", ":now", "S", now, "ReturnValues", "ALL_NEW");
  if(!request) {
    st = MYNT_NOMEM;
    goto cleanup;
  }
  if(email) {
    json_t *names = json_object_get(request, "ExpressionAttributeNames");
    json_t *values = json_object_get(request, "ExpressionAttributeValues");
    if(json_object_set_new(names, "#email", json_string("email")) ||
       json_object_set_new(values, ":email", json_pack("{s:s}", "S", email))) {
      st = MYNT_NOMEM;
      goto cleanup;
    }
  }

  st = store_ddb_call(s, "UpdateItem", "PROFILE", request, deadline_ms, &response);
  if(st)
    goto cleanup;
  item = ddb_unmarshal_item(json_object_get(response, "Attributes"));
  if(!item) {
    st = MYNT_UPSTREAM;
    goto cleanup;
  }
  json_member_copy(item, "user_id", out_profile->user_id, sizeof(out_profile->user_id));
  json_member_copy(item, "email", out_profile->email, sizeof(out_profile->email));
  json_member_copy(item, "created_at", out_profile->created_at, sizeof(out_profile->created_at));
  json_member_copy(item, "updated_at", out_profile->updated_at, sizeof(out_profile->updated_at));

cleanup:
  json_decref(request);
  json_decref(response);
  json_decref(item);
  return st;
}
