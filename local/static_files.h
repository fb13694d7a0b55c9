/* static_files.h - serving the single-page app's files from a web root, safely. */
#ifndef MYNT_LOCAL_STATIC_FILES_H
#define MYNT_LOCAL_STATIC_FILES_H

#include <stddef.h>
#include <sys/types.h>

#include "core/status.h"

/* Opens the file under root_real (an absolute path already resolved with realpath) that
 * the request path raw_path names ("/" and paths ending in "/" mean index.html). Paths
 * with ".." segments, NUL bytes or backslashes, and paths whose real location is outside
 * the root, are refused. Returns MYNT_OK with *out_fd (the caller closes it), *out_size
 * and *out_type (static); MYNT_NOT_FOUND when there is no such regular file or the path is
 * refused; MYNT_NOMEM. */
mynt_status static_files_open(const char *root_real, const char *raw_path, int *out_fd,
                              off_t *out_size, const char **out_type);

/* Returns the Content-Type for a file name by its extension (static string); unknown
 * extensions give "application/octet-stream". */
const char *static_files_content_type(const char *name);

#endif
