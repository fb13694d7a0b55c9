# Unit tests of src/plaid, one per module: errors, request bodies, one HTTP exchange, the client's endpoints and
# retries, parallel windows and webhook verification; those that talk HTTP run against a validating fake Plaid on
# loopback.
# The fake Plaid (tests/support/fake_plaid.c) on the scripted loopback server: LIBS mynt_fake_plaid.
add_library(mynt_fake_plaid STATIC ${CMAKE_SOURCE_DIR}/tests/support/fake_plaid.c)
target_link_libraries(mynt_fake_plaid PUBLIC mynt_script_server mynt_plaid mynt_core PkgConfig::JANSSON
  PkgConfig::CMOCKA)

mynt_unit_test(test_plaid_error SOURCES test_plaid_error.c LIBS mynt_plaid)
mynt_unit_test(test_plaid_request SOURCES test_plaid_request.c LIBS mynt_plaid PkgConfig::JANSSON)
mynt_unit_test(test_plaid_http SOURCES test_plaid_http.c LIBS mynt_fake_plaid PkgConfig::CURL)
mynt_unit_test(test_plaid_client SOURCES test_plaid_client.c LIBS mynt_fake_plaid PkgConfig::CURL)
# Webhook verification; CRYPTO_memcmp is wrapped so that the test sees the body hash compared in constant time.
mynt_unit_test(test_plaid_webhook SOURCES test_plaid_webhook.c LIBS mynt_fake_plaid mynt_jwt_forge PkgConfig::CURL)
target_link_options(test_plaid_webhook PRIVATE -Wl,--wrap=CRYPTO_memcmp)
set_tests_properties(test_plaid_error test_plaid_request PROPERTIES TIMEOUT 60)
set_tests_properties(test_plaid_http test_plaid_client test_plaid_webhook PROPERTIES TIMEOUT 120)
