# static_deps.cmake - the release bootstrap's libraries linked statically: a minimal libcurl built here from
# Debian's curl source package (HTTP/1.1 and HTTPS over OpenSSL, zlib, the threaded resolver; nothing else),
# and Debian's libssl.a, libcrypto.a, libjansson.a and libz.a. glibc stays dynamic (scripts/package bundles it).
#
# The PkgConfig:: targets every CMakeLists.txt links are repointed at these archives, so the whole build tree
# (bootstrap and the local tools alike) runs the libcurl that ships. scripts/setup fetches and verifies the
# source into build/deps/curl/src; libcurl is built once per option set into build/deps/curl/build-<hash>/
# (at configure time, shared by every build tree of the checkout), so neither `make test` nor a fresh build
# tree rebuilds it.

set(MYNT_CURL_SOURCE "${CMAKE_SOURCE_DIR}/build/deps/curl/src" CACHE PATH "Debian's curl sources (scripts/setup)")
if(NOT EXISTS "${MYNT_CURL_SOURCE}/.mynt-verified")
  message(FATAL_ERROR "${MYNT_CURL_SOURCE} has no verified curl sources: run scripts/setup first")
endif()
file(READ "${MYNT_CURL_SOURCE}/.mynt-verified" s_curl_version)
string(STRIP "${s_curl_version}" s_curl_version)

# Everything not on this list is off: HTTP/2, IDN, PSL, LDAP, SSH, RTMP, brotli, zstd, GSSAPI, every other
# protocol, and what Mynt's requests never use (cookies, alt-svc, HSTS, netrc, DoH, MIME, NTLM, unix sockets).
# No built-in CA bundle or path: every HTTPS client sets CURLOPT_CAINFO (aws_config.c, plaid.c).
# OpenSSL's configuration file is not read at curl_global_init (OPENSSL_INIT_NO_LOAD_CONFIG).
set(s_curl_options
  -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_POSITION_INDEPENDENT_CODE=ON
  -DBUILD_SHARED_LIBS=OFF
  -DBUILD_CURL_EXE=OFF
  -DBUILD_TESTING=OFF
  -DENABLE_MANUAL=OFF
  -DCURL_ENABLE_EXPORT_TARGET=OFF
  -DPICKY_COMPILER=OFF
  -DHTTP_ONLY=ON
  -DCURL_ENABLE_SSL=ON
  -DCURL_USE_OPENSSL=ON
  -DCURL_ZLIB=ON
  -DENABLE_THREADED_RESOLVER=ON
  -DENABLE_ARES=OFF
  -DENABLE_WEBSOCKETS=OFF
  -DUSE_NGHTTP2=OFF
  -DUSE_NGTCP2=OFF
  -DUSE_QUICHE=OFF
  -DUSE_MSH3=OFF
  -DUSE_LIBIDN2=OFF
  -DCURL_USE_LIBPSL=OFF
  -DCURL_USE_LIBSSH2=OFF
  -DCURL_USE_LIBSSH=OFF
  -DCURL_USE_GSSAPI=OFF
  -DCURL_BROTLI=OFF
  -DCURL_ZSTD=OFF
  -DCURL_DISABLE_LDAP=ON
  -DCURL_DISABLE_LDAPS=ON
  -DCURL_DISABLE_ALTSVC=ON
  -DCURL_DISABLE_HSTS=ON
  -DCURL_DISABLE_COOKIES=ON
  -DCURL_DISABLE_NETRC=ON
  -DCURL_DISABLE_DOH=ON
  -DCURL_DISABLE_MIME=ON
  -DCURL_DISABLE_NTLM=ON
  -DENABLE_UNIX_SOCKETS=OFF
  -DCURL_DISABLE_OPENSSL_AUTO_LOAD_CONFIG=ON
  -DCURL_CA_BUNDLE=none
  -DCURL_CA_PATH=none
  -DCURL_CA_FALLBACK=OFF)

string(MD5 s_curl_hash "${s_curl_version};${CMAKE_C_COMPILER};${CMAKE_C_COMPILER_VERSION};${s_curl_options}")
string(SUBSTRING "${s_curl_hash}" 0 12 s_curl_hash)
set(s_curl_build "${CMAKE_SOURCE_DIR}/build/deps/curl/build-${s_curl_hash}")
set(MYNT_CURL_ARCHIVE "${s_curl_build}/lib/libcurl.a")

# Two build trees configured at once must not build into the same directory.
file(MAKE_DIRECTORY "${CMAKE_SOURCE_DIR}/build/deps/curl")
file(LOCK "${CMAKE_SOURCE_DIR}/build/deps/curl/.lock" TIMEOUT 900)
if(NOT EXISTS "${s_curl_build}/.mynt-built")
  message(STATUS "Building the static libcurl ${s_curl_version} from Debian's sources into ${s_curl_build}")
  file(REMOVE_RECURSE "${s_curl_build}")
  execute_process(
    COMMAND ${CMAKE_COMMAND} -S "${MYNT_CURL_SOURCE}" -B "${s_curl_build}" -G "${CMAKE_GENERATOR}"
            -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER} ${s_curl_options}
    OUTPUT_FILE "${s_curl_build}.configure.log" ERROR_FILE "${s_curl_build}.configure.log"
    RESULT_VARIABLE s_rc)
  if(NOT s_rc EQUAL 0)
    file(LOCK "${CMAKE_SOURCE_DIR}/build/deps/curl/.lock" RELEASE)
    message(FATAL_ERROR "configuring libcurl failed: see ${s_curl_build}.configure.log")
  endif()
  execute_process(
    COMMAND ${CMAKE_COMMAND} --build "${s_curl_build}" --target libcurl -j2
    OUTPUT_FILE "${s_curl_build}.build.log" ERROR_FILE "${s_curl_build}.build.log"
    RESULT_VARIABLE s_rc)
  if(NOT s_rc EQUAL 0 OR NOT EXISTS "${MYNT_CURL_ARCHIVE}")
    file(LOCK "${CMAKE_SOURCE_DIR}/build/deps/curl/.lock" RELEASE)
    message(FATAL_ERROR "building libcurl failed: see ${s_curl_build}.build.log")
  endif()
  file(WRITE "${s_curl_build}/.mynt-built" "${s_curl_version}\n")
endif()
file(LOCK "${CMAKE_SOURCE_DIR}/build/deps/curl/.lock" RELEASE)

find_package(Threads REQUIRED)

# One imported archive, with what it needs after it on the link line.
function(s_static_archive name file)
  if(NOT EXISTS "${file}")
    message(FATAL_ERROR "${file} is missing: scripts/setup installs the -dev packages that ship it")
  endif()
  add_library(${name} STATIC IMPORTED)
  set_target_properties(${name} PROPERTIES IMPORTED_LOCATION "${file}" INTERFACE_LINK_LIBRARIES "${ARGN}")
endfunction()

set(s_libdir "/usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}")
s_static_archive(mynt_static_crypto "${s_libdir}/libcrypto.a" Threads::Threads ${CMAKE_DL_LIBS})
s_static_archive(mynt_static_ssl "${s_libdir}/libssl.a" mynt_static_crypto)
s_static_archive(mynt_static_z "${s_libdir}/libz.a")
s_static_archive(mynt_static_jansson "${s_libdir}/libjansson.a")
s_static_archive(mynt_static_curl "${MYNT_CURL_ARCHIVE}" mynt_static_ssl mynt_static_crypto mynt_static_z Threads::Threads)

# Repoint the pkg-config targets: the same names everywhere, the static archives behind them.
function(s_repoint target include_dir archive)
  set_target_properties(${target} PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${include_dir}"
    INTERFACE_LINK_LIBRARIES "${archive}"
    INTERFACE_LINK_OPTIONS ""
    INTERFACE_LINK_DIRECTORIES ""
    INTERFACE_COMPILE_OPTIONS "")
endfunction()
s_repoint(PkgConfig::CURL "${MYNT_CURL_SOURCE}/include" mynt_static_curl)
s_repoint(PkgConfig::CRYPTO "" mynt_static_crypto)
s_repoint(PkgConfig::ZLIB "" mynt_static_z)
s_repoint(PkgConfig::JANSSON "" mynt_static_jansson)

# libm's one use (llround, core/money.c) from glibc's libm.a: one shared library fewer to load at every cold
# start. llround is self-contained; the rest of glibc stays dynamic. A target named m replaces -lm.
file(GLOB s_libm "${s_libdir}/libm-2.*.a")
if(NOT s_libm)
  message(FATAL_ERROR "glibc's libm-2.*.a is missing from ${s_libdir} (libc6-dev)")
endif()
s_static_archive(m "${s_libm}")

# The executable's own relocations packed (DT_RELR; the bundled glibc 2.36 loader reads them): about
# 20,000 RELATIVE entries of 24 bytes each in .rela.dyn become a few kB.
add_link_options(-Wl,-z,pack-relative-relocs)
