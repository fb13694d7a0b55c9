# Tests of src/store's items design against a real moto_server (the "moto" fixture of aws.cmake).
mynt_unit_test(test_store_items_moto SOURCES test_store_items_moto.c LIBS mynt_store mynt_moto_fixture)
set_property(TEST test_store_items_moto APPEND PROPERTY ENVIRONMENT "MYNT_MOTO_DIR=${MYNT_MOTO_DIR}")
set_tests_properties(test_store_items_moto PROPERTIES FIXTURES_REQUIRED moto TIMEOUT 120)
