/* secure_alloc.h - allocators for jansson, libcurl and OpenSSL that wipe every block they release, so no token
 * lingers in freed memory. */
#ifndef MYNT_CORE_SECURE_ALLOC_H
#define MYNT_CORE_SECURE_ALLOC_H

#include <stddef.h>

#include "core/status.h"

/* Installs the wiping allocator in jansson (json_set_alloc_funcs) and in libcurl (curl_global_init_mem with
 * curl_flags, e.g. CURL_GLOBAL_DEFAULT), once per process, before any other jansson or libcurl call: libcurl
 * only takes callbacks on its first global init. Blocks come from malloc, so a block either library hands
 * out may still be released with plain free() (it is then not wiped). Balance with curl_global_cleanup.
 * Returns MYNT_OK, or MYNT_INTERNAL when libcurl's global init fails (jansson's allocator is installed
 * anyway). */
mynt_status secure_alloc_install(long curl_flags);

/* Installs the same wiping pair in OpenSSL (CRYPTO_set_mem_functions): every block OpenSSL releases without
 * cleansing it itself (TLS records and handshake buffers, ASN.1 strings, a certificate's parsed fields) is
 * wiped first. OpenSSL takes the functions only before its first allocation, so this comes before any other
 * OpenSSL, libcurl or SigV4 call of the process. Returns MYNT_OK, or MYNT_INTERNAL when OpenSSL has already
 * allocated (it keeps its own allocator then). */
mynt_status secure_alloc_install_openssl(void);

/* The wiping pair itself: secure_alloc_free wipes the whole block (malloc_usable_size bytes) and releases
 * it; secure_alloc_realloc moves the contents to a new block and wipes and releases the old one, so a
 * growing buffer leaves no copy behind. Both accept NULL like free/realloc. */
void secure_alloc_free(void *p);
void *secure_alloc_realloc(void *p, size_t size);

/* For tests: the function that hands a wiped block back (p, its usable size n) to the C library; NULL
 * restores free(). A hook sees each block after its wipe and before free(), and must free it itself. */
typedef void (*secure_alloc_release_fn)(void *p, size_t n);
void secure_alloc_set_release(secure_alloc_release_fn release);

#endif
