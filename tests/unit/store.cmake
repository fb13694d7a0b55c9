# Tests of src/store's items design against a real moto_server (the "moto" fixture of aws.cmake).
# The store on a fresh table in moto_server, for the store and handlers tests: LIBS mynt_moto_store.
add_library(mynt_moto_store STATIC ${CMAKE_SOURCE_DIR}/tests/support/moto_store.c)
target_link_libraries(mynt_moto_store PUBLIC mynt_store mynt_moto_fixture mynt_json_join)

mynt_unit_test(test_store_items_moto SOURCES test_store_items_moto.c LIBS mynt_store mynt_moto_store mynt_json_join)
set_property(TEST test_store_items_moto APPEND PROPERTY ENVIRONMENT "MYNT_MOTO_DIR=${MYNT_MOTO_DIR}")
set_tests_properties(test_store_items_moto PROPERTIES FIXTURES_REQUIRED moto TIMEOUT 120)

mynt_unit_test(test_store_history SOURCES test_store_history.c LIBS mynt_store PkgConfig::ZLIB)
mynt_unit_test(test_store_history_moto SOURCES test_store_history_moto.c LIBS mynt_store mynt_moto_store
  mynt_json_join)
set_property(TEST test_store_history_moto APPEND PROPERTY ENVIRONMENT "MYNT_MOTO_DIR=${MYNT_MOTO_DIR}")
set_tests_properties(test_store_history_moto PROPERTIES FIXTURES_REQUIRED moto TIMEOUT 120)

mynt_unit_test(test_store_budgets_moto SOURCES test_store_budgets_moto.c LIBS mynt_store mynt_moto_store mynt_json_join)
set_property(TEST test_store_budgets_moto APPEND PROPERTY ENVIRONMENT "MYNT_MOTO_DIR=${MYNT_MOTO_DIR}")
set_tests_properties(test_store_budgets_moto PROPERTIES FIXTURES_REQUIRED moto TIMEOUT 120)
