# Unit tests of src/plaid: error parsing, request bodies, retries and parallel paging against an in-test server.
mynt_unit_test(test_plaid SOURCES test_plaid.c LIBS mynt_plaid PkgConfig::MHD PkgConfig::CURL PkgConfig::JANSSON)
set_tests_properties(test_plaid PROPERTIES TIMEOUT 120)
