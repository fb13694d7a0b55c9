# Tests of src/aws: the SigV4 suite, marshalling, retries and Lambda Invoke against a scripted local server,
# and DynamoDB/SSM against a real moto_server started once per ctest run as the "moto"
# fixture (other areas may use it too: FIXTURES_REQUIRED moto, and read the port from
# $MYNT_MOTO_DIR/moto.port after appending MYNT_MOTO_DIR to the test's ENVIRONMENT).
set(MYNT_MOTO_DIR ${CMAKE_BINARY_DIR}/moto)

add_test(NAME moto_start COMMAND ${CMAKE_SOURCE_DIR}/scripts/moto-fixture start ${MYNT_MOTO_DIR})
set_tests_properties(moto_start PROPERTIES FIXTURES_SETUP moto TIMEOUT 180)
add_test(NAME moto_stop COMMAND ${CMAKE_SOURCE_DIR}/scripts/moto-fixture stop ${MYNT_MOTO_DIR})
set_tests_properties(moto_stop PROPERTIES FIXTURES_CLEANUP moto TIMEOUT 30)

# The tests' side of the fixture (moto's address, credentials, a mynt-users-shaped table),
# for every area's moto tests: LIBS mynt_moto_fixture.
add_library(mynt_moto_fixture STATIC ${CMAKE_SOURCE_DIR}/tests/support/moto_fixture.c)
target_include_directories(mynt_moto_fixture PUBLIC ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(mynt_moto_fixture PUBLIC mynt_aws mynt_core PkgConfig::CMOCKA)

mynt_unit_test(test_sigv4 SOURCES test_sigv4.c LIBS mynt_aws mynt_shared_data)
# AWS's SigV4 suite (../shared, or $MYNT_SIGV4_SUITE): skipped (77) when absent, failed under CI=true. The convention
# itself is held by shared_data_convention: the suite run against a missing directory, with and without CI=true.
add_test(NAME test_sigv4_suite COMMAND test_sigv4 --suite)
# MYNT_SIGV4_SUITE is fixed when it was set at configure time, else taken from ctest's environment (as CI is).
set_tests_properties(test_sigv4_suite PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 60 ENVIRONMENT
  "MYNT_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
if(DEFINED ENV{MYNT_SIGV4_SUITE})
  set_property(TEST test_sigv4_suite APPEND PROPERTY ENVIRONMENT "MYNT_SIGV4_SUITE=$ENV{MYNT_SIGV4_SUITE}")
endif()
add_test(NAME shared_data_convention COMMAND ${CMAKE_COMMAND} -DTEST_BIN=$<TARGET_FILE:test_sigv4>
  -DMISSING=${CMAKE_BINARY_DIR}/no-such-sigv4-suite -P ${CMAKE_CURRENT_LIST_DIR}/shared_data_convention.cmake)
set_tests_properties(shared_data_convention PROPERTIES TIMEOUT 60)
mynt_unit_test(test_aws_config SOURCES test_aws_config.c LIBS mynt_aws)
mynt_unit_test(test_dynamodb_marshal SOURCES test_dynamodb_marshal.c LIBS mynt_aws)
mynt_unit_test(test_aws_retry SOURCES test_aws_retry.c LIBS mynt_aws mynt_script_server mynt_request_check)
mynt_unit_test(test_lambda SOURCES test_lambda.c LIBS mynt_aws mynt_script_server mynt_request_check mynt_fake_lambda mynt_big_json)
mynt_unit_test(test_dynamodb_moto SOURCES test_dynamodb_moto.c LIBS mynt_aws mynt_moto_fixture)
mynt_unit_test(test_ssm_moto SOURCES test_ssm_moto.c LIBS mynt_aws mynt_moto_fixture)
set_tests_properties(test_sigv4 test_aws_config test_dynamodb_marshal PROPERTIES TIMEOUT 60)
set_tests_properties(test_aws_retry test_lambda PROPERTIES TIMEOUT 90)
foreach(t test_dynamodb_moto test_ssm_moto)
  set_property(TEST ${t} APPEND PROPERTY ENVIRONMENT "MYNT_MOTO_DIR=${MYNT_MOTO_DIR}")
  set_tests_properties(${t} PROPERTIES FIXTURES_REQUIRED moto TIMEOUT 120)
endforeach()
