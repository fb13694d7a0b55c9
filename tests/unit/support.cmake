# Test support shared by several areas: the scripted loopback HTTP server (tests/support/script_server.c, on
# local/common's libmicrohttpd set-up) that plays the services a test talks to. LIBS mynt_script_server.
add_library(mynt_script_server STATIC ${CMAKE_SOURCE_DIR}/tests/support/script_server.c)
target_include_directories(mynt_script_server PUBLIC ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(mynt_script_server PUBLIC mynt_local_common mynt_core PkgConfig::MHD)
# The libcurl client the Plaid simulator tests talk to it with over loopback (tests/support/sim_client.c). LIBS mynt_sim_client.
add_library(mynt_sim_client STATIC ${CMAKE_SOURCE_DIR}/tests/support/sim_client.c)
target_include_directories(mynt_sim_client PUBLIC ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(mynt_sim_client PUBLIC mynt_plaid_sim mynt_core PkgConfig::CURL PkgConfig::JANSSON PkgConfig::CMOCKA)
# The logger's lines captured in memory while a test runs (tests/support/log_capture.c). LIBS mynt_log_capture.
add_library(mynt_log_capture STATIC ${CMAKE_SOURCE_DIR}/tests/support/log_capture.c)
target_include_directories(mynt_log_capture PUBLIC ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(mynt_log_capture PUBLIC mynt_core PkgConfig::CMOCKA)

# A JSON array's string members joined by spaces (tests/support/json_join.c). LIBS mynt_json_join.
add_library(mynt_json_join STATIC ${CMAKE_SOURCE_DIR}/tests/support/json_join.c)
target_include_directories(mynt_json_join PUBLIC ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(mynt_json_join PUBLIC PkgConfig::JANSSON)
# JSON texts of an exact size, for tests of size limits (tests/support/big_json.c). LIBS mynt_big_json.
add_library(mynt_big_json STATIC ${CMAKE_SOURCE_DIR}/tests/support/big_json.c)
target_include_directories(mynt_big_json PUBLIC ${CMAKE_SOURCE_DIR}/tests)
# RS256 test tokens, JWKs and a loopback JWKS server, for the tests that need a user pool; ES256 tokens and EC JWKs,
# for Plaid's signed webhooks. LIBS mynt_jwt_forge.
add_library(mynt_jwt_forge STATIC ${CMAKE_SOURCE_DIR}/tests/support/jwt_forge.c)
target_link_libraries(mynt_jwt_forge PUBLIC mynt_script_server mynt_crypto mynt_core PkgConfig::CRYPTO
  PkgConfig::JANSSON PkgConfig::CMOCKA)

# What a scripted server checks in the requests it receives (tests/support/request_check.c): their SigV4 signature,
# recomputed with the signer, and a thread-safe record of what was wrong. For every signed AWS client's tests: LIBS
# mynt_request_check.
add_library(mynt_request_check STATIC ${CMAKE_SOURCE_DIR}/tests/support/request_check.c)
target_include_directories(mynt_request_check PUBLIC ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(mynt_request_check PUBLIC mynt_script_server mynt_aws mynt_core)

# Forwarding a script_server's request to the real service behind it (moto, the Plaid simulator), for fault
# injection on chosen calls: LIBS mynt_relay.
add_library(mynt_relay STATIC ${CMAKE_SOURCE_DIR}/tests/support/relay.c)
target_link_libraries(mynt_relay PUBLIC mynt_script_server mynt_core PkgConfig::CURL)

# A loopback Lambda Invoke endpoint checking requests as Lambda does and keeping the accepted events
# (tests/support/fake_lambda.c), for the tests of what starts syncs (and test_lambda, for its Invoke header check):
# LIBS mynt_fake_lambda.
add_library(mynt_fake_lambda STATIC ${CMAKE_SOURCE_DIR}/tests/support/fake_lambda.c)
target_link_libraries(mynt_fake_lambda PUBLIC mynt_request_check mynt_aws mynt_core PkgConfig::JANSSON
  PkgConfig::CMOCKA)

# The convention for tests needing reference data outside the repository (../shared): exit 77, which their ctest
# property SKIP_RETURN_CODE 77 reports as skipped, or 1 under CI=true (tests/support/shared_data.c). LIBS mynt_shared_data.
add_library(mynt_shared_data STATIC ${CMAKE_SOURCE_DIR}/tests/support/shared_data.c)
target_include_directories(mynt_shared_data PUBLIC ${CMAKE_SOURCE_DIR}/tests)
