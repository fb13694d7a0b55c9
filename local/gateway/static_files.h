/* static_files.h - serving the single-page app's files from a web root, safely. */
#ifndef MYNT_LOCAL_STATIC_FILES_H
#define MYNT_LOCAL_STATIC_FILES_H

#include <stddef.h>
#include <sys/types.h>

#include "core/detail.h"
#include "core/status.h"

/* Opens the file under root_real (an absolute path already resolved with realpath) that
 * the request path raw_path names ("/" and paths ending in "/" mean index.html). Paths
 * with ".." segments, NUL bytes or backslashes, and paths whose real location is outside
 * the root, are refused. Returns MYNT_OK with *out_fd (the caller closes it), *out_size
 * and *out_type (static); MYNT_NOT_FOUND when there is no such regular file or the path is
 * refused; MYNT_NOMEM. */
mynt_status static_files_open(const char *root_real, const char *raw_path, int *out_fd, off_t *out_size,
                              const char **out_type);

/* A directory served under a URL prefix (mynt-local --mount PREFIX=DIR). */
typedef struct {
  char *prefix;    /* starts and ends with '/', e.g. "/plaid/"; owned */
  char *root_real; /* realpath of DIR; owned */
} static_files_mount;

/* Parses spec "PREFIX=DIR" into out. PREFIX must start and end with '/', be longer than "/",
 * and hold only letters, digits and "-._~/" with no "." or ".." segment; DIR must be an
 * existing directory. Returns MYNT_OK (free out with static_files_mount_free);
 * MYNT_BAD_REQUEST with the reason in detail (may be NULL) when the spec is not valid;
 * MYNT_NOMEM. On failure out is left empty. */
mynt_status static_files_mount_parse(const char *spec, static_files_mount *out, mynt_detail *detail);

/* Frees what m owns and leaves it empty. Accepts an empty mount. */
void static_files_mount_free(static_files_mount *m);

/* Opens the file the request path raw_path names under mount m: the part of raw_path after the
 * prefix, resolved inside the mount's directory with every check of static_files_open.
 * Returns as static_files_open; MYNT_NOT_FOUND also when raw_path is not under the prefix. */
mynt_status static_files_mount_open(const static_files_mount *m, const char *raw_path, int *out_fd, off_t *out_size,
                                    const char **out_type);

/* Returns the Content-Type for a file name by its extension (static string); unknown
 * extensions give "application/octet-stream". */
const char *static_files_content_type(const char *name);

#endif
