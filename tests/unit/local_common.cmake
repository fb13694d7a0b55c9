# local_common.cmake - unit tests of local/common/: the shared HTTP server and the CLI plumbing.
mynt_unit_test(test_http_server SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_http_server.c LIBS mynt_local_common PkgConfig::CURL)
set_tests_properties(test_http_server PROPERTIES TIMEOUT 120)
