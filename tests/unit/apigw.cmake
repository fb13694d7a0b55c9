# Payload-2.0 parsing, responses and the generic router.
# Forged payload-2.0 events served through a route table, for the apigw and handlers tests:
# LIBS mynt_apigw_forge.
add_library(mynt_apigw_forge STATIC ${CMAKE_SOURCE_DIR}/tests/support/apigw_forge.c)
target_include_directories(mynt_apigw_forge PUBLIC ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(mynt_apigw_forge PUBLIC mynt_apigw mynt_core PkgConfig::JANSSON PkgConfig::CMOCKA)

mynt_unit_test(test_apigw SOURCES test_apigw.c LIBS mynt_apigw mynt_apigw_forge)
set_tests_properties(test_apigw PROPERTIES TIMEOUT 60)
