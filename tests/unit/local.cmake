# Tests of local/gateway/ (mynt-local): JWT authorizer, route matching and events, answers, routes
# file and static files; and mynt-local as a process running fault_bootstrap.
# RS256 test tokens, JWKs and a loopback JWKS server, for the tests that need a user pool.
add_library(mynt_jwt_forge STATIC ${CMAKE_SOURCE_DIR}/tests/support/jwt_forge.c)
target_include_directories(mynt_jwt_forge PUBLIC ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(mynt_jwt_forge PUBLIC mynt_crypto mynt_core PkgConfig::CRYPTO PkgConfig::MHD
  PkgConfig::JANSSON PkgConfig::CMOCKA)

mynt_unit_test(test_jwt SOURCES test_jwt.c LIBS mynt_local mynt_jwt_forge)
set_tests_properties(test_jwt PROPERTIES TIMEOUT 120)
mynt_unit_test(test_gateway_match SOURCES test_gateway_match.c LIBS mynt_local)
mynt_unit_test(test_gateway_response SOURCES test_gateway_response.c LIBS mynt_local)
mynt_unit_test(test_local_config SOURCES test_local_config.c LIBS mynt_local)

# The process test needs fault_bootstrap, which another fragment defines; it is registered
# once the whole project is configured, so the order of the fragments does not matter.
function(mynt_local_fault_test)
  if(NOT TARGET mynt-local OR NOT TARGET fault_bootstrap)
    message(STATUS "test_local_faults skipped: mynt-local or fault_bootstrap is not built")
    return()
  endif()
  mynt_unit_test(test_local_faults SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_local_faults.c
                 LIBS mynt_local mynt_jwt_forge)
  add_dependencies(test_local_faults mynt-local fault_bootstrap)
  set_property(TEST test_local_faults APPEND PROPERTY ENVIRONMENT
               "MYNT_LOCAL=$<TARGET_FILE:mynt-local>" "MYNT_FAULT_BOOTSTRAP=$<TARGET_FILE:fault_bootstrap>")
  set_tests_properties(test_local_faults PROPERTIES TIMEOUT 120)
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL mynt_local_fault_test)
