# static_deps.cmake - the release bootstrap's libraries linked statically: OpenSSL and a minimal libcurl, both
# built here from Debian's source packages (OpenSSL with only what TLS 1.2/1.3 to AWS and Plaid, AES-256-GCM,
# SHA-256/HMAC and ES256/RS256 need; libcurl with HTTP/1.1 and HTTPS over that OpenSSL, zlib and the threaded
# resolver), and Debian's libjansson.a and libz.a. glibc stays dynamic (scripts/package bundles it).
#
# The PkgConfig:: targets every CMakeLists.txt links are repointed at these archives, so the whole build tree
# (bootstrap and the local tools alike) runs the OpenSSL and libcurl that ship. scripts/setup fetches and verifies
# the sources into build/deps/<name>/src; each is built once per option set into build/deps/<name>/build-<hash>/
# (at configure time, shared by every build tree of the checkout), so neither `make test` nor a fresh build tree
# rebuilds them.

# A source tree scripts/setup fetched and verified; its version (the .mynt-verified stamp) goes into the hash.
function(s_verified_source name out_dir out_version)
  set(dir "${CMAKE_SOURCE_DIR}/build/deps/${name}/src")
  if(NOT EXISTS "${dir}/.mynt-verified")
    message(FATAL_ERROR "${dir} has no verified ${name} sources: run scripts/setup first")
  endif()
  file(READ "${dir}/.mynt-verified" version)
  string(STRIP "${version}" version)
  set(${out_dir} "${dir}" PARENT_SCOPE)
  set(${out_version} "${version}" PARENT_SCOPE)
endfunction()

# Builds one dependency into build_dir (build/deps/<name>/build-<hash>) unless a finished build (its .mynt-built
# stamp) is there: runs the commands given after STEP1, STEP2, ... in order in build_dir, then checks that every
# file named after OUTPUTS exists. Two build trees configured at once take turns.
function(s_build_dep name build_dir)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "STEP1;STEP2;STEP3;OUTPUTS")
  set(deps "${CMAKE_SOURCE_DIR}/build/deps/${name}")
  file(MAKE_DIRECTORY "${deps}")
  file(LOCK "${deps}/.lock" TIMEOUT 1800)
  if(NOT EXISTS "${build_dir}/.mynt-built")
    message(STATUS "Building the static ${name} from Debian's sources into ${build_dir}")
    file(REMOVE_RECURSE "${build_dir}")
    file(MAKE_DIRECTORY "${build_dir}")
    foreach(n 1 2 3)
      if(NOT arg_STEP${n})
        continue()
      endif()
      execute_process(COMMAND ${arg_STEP${n}} WORKING_DIRECTORY "${build_dir}"
                      OUTPUT_FILE "${build_dir}.step${n}.log" ERROR_FILE "${build_dir}.step${n}.log"
                      RESULT_VARIABLE rc)
      if(NOT rc EQUAL 0)
        file(LOCK "${deps}/.lock" RELEASE)
        message(FATAL_ERROR "building ${name} failed at step ${n}: see ${build_dir}.step${n}.log")
      endif()
    endforeach()
    foreach(output IN LISTS arg_OUTPUTS)
      if(NOT EXISTS "${output}")
        file(LOCK "${deps}/.lock" RELEASE)
        message(FATAL_ERROR "building ${name} made no ${output}: see ${build_dir}.step*.log")
      endif()
    endforeach()
    file(WRITE "${build_dir}/.mynt-built" "${name}\n")
  endif()
  file(LOCK "${deps}/.lock" RELEASE)
endfunction()

# OpenSSL: left out is every algorithm, protocol and feature no Mynt process uses, with what it costs at each
# cold start (the executable's relocations write every page of .data.rel.ro, most of it OpenSSL's tables):
# engines (libcurl no longer loads the built-in ones at curl_global_init), deprecated APIs, the legacy and FIPS
# modules, SSLv3/TLS 1.0/1.1/DTLS, SRP, PSK, CT, CMS, TS, CMP, OCSP, the SM/GOST/ARIA/Camellia/... families, DES,
# RC2/4/5, MD4, DSA, finite-field DH and binary curves. Kept: TLS 1.2 and 1.3 with ECDHE, RSA and ECDSA
# certificates, AES (GCM for seal.c), ChaCha20-Poly1305, SHA-1/2/3, HMAC, HKDF, the error strings (a TLS failure
# says what failed). No configuration file is read (no-autoload-config; libcurl's own load is off too).
set(s_openssl_options
  no-shared no-tests no-module no-legacy no-fips no-autoload-config no-engine no-dynamic-engine no-deprecated
  no-ssl3 no-tls1 no-tls1_1 no-dtls no-srp no-psk no-srtp no-sctp no-nextprotoneg no-ct no-cms no-ts no-cmp
  no-ocsp no-comp no-async no-ui-console no-ssl-trace no-rfc3779 no-multiblock no-afalgeng no-padlockeng
  no-capieng no-sm2 no-sm3 no-sm4 no-gost no-aria no-camellia no-idea no-seed no-bf no-cast no-des no-rc2
  no-rc4 no-rc5 no-md4 no-mdc2 no-rmd160 no-whirlpool no-siphash no-siv no-ocb no-scrypt no-dsa no-dh
  no-ec2m)
s_verified_source(openssl s_openssl_src s_openssl_version)
string(MD5 s_openssl_hash "${s_openssl_version};${CMAKE_C_COMPILER};${CMAKE_C_COMPILER_VERSION};${s_openssl_options}")
string(SUBSTRING "${s_openssl_hash}" 0 12 s_openssl_hash)
set(s_openssl_build "${CMAKE_SOURCE_DIR}/build/deps/openssl/build-${s_openssl_hash}")
set(s_openssl_root "${s_openssl_build}/install")
find_program(S_PERL perl REQUIRED)
include(ProcessorCount)
ProcessorCount(s_jobs)
if(s_jobs LESS 1)
  set(s_jobs 1)
endif()
s_build_dep(openssl "${s_openssl_build}"
  STEP1 ${CMAKE_COMMAND} -E env CC=${CMAKE_C_COMPILER} ${S_PERL} "${s_openssl_src}/Configure"
        --prefix=${s_openssl_root} --libdir=lib --openssldir=/nonexistent/mynt-openssl ${s_openssl_options} -fPIC
  STEP2 make -j${s_jobs} build_libs
  STEP3 make install_dev
  OUTPUTS "${s_openssl_root}/lib/libcrypto.a" "${s_openssl_root}/lib/libssl.a")

s_verified_source(curl MYNT_CURL_SOURCE s_curl_version)

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

list(APPEND s_curl_options -DOPENSSL_ROOT_DIR=${s_openssl_root} -DOPENSSL_USE_STATIC_LIBS=ON)
string(MD5 s_curl_hash "${s_curl_version};${s_openssl_hash};${CMAKE_C_COMPILER};${CMAKE_C_COMPILER_VERSION};${s_curl_options}")
string(SUBSTRING "${s_curl_hash}" 0 12 s_curl_hash)
set(s_curl_build "${CMAKE_SOURCE_DIR}/build/deps/curl/build-${s_curl_hash}")
set(MYNT_CURL_ARCHIVE "${s_curl_build}/lib/libcurl.a")
s_build_dep(curl "${s_curl_build}"
  STEP1 ${CMAKE_COMMAND} -S "${MYNT_CURL_SOURCE}" -B "${s_curl_build}" -G "${CMAKE_GENERATOR}"
        -DCMAKE_C_COMPILER=${CMAKE_C_COMPILER} ${s_curl_options}
  STEP2 ${CMAKE_COMMAND} --build "${s_curl_build}" --target libcurl -j${s_jobs}
  OUTPUTS "${MYNT_CURL_ARCHIVE}")

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
s_static_archive(mynt_static_crypto "${s_openssl_root}/lib/libcrypto.a" Threads::Threads ${CMAKE_DL_LIBS})
s_static_archive(mynt_static_ssl "${s_openssl_root}/lib/libssl.a" mynt_static_crypto)
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
s_repoint(PkgConfig::CRYPTO "${s_openssl_root}/include" mynt_static_crypto)
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
