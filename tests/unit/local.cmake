# Tests of local/gateway/ (mynt-local), one per module: JWT verification, the authorizer, route matching, events, answers,
# the routes file, static files and their security headers; and mynt-local as a process running fault_bootstrap.
mynt_unit_test(test_jwt SOURCES test_jwt.c LIBS mynt_local mynt_jwt_forge)
mynt_unit_test(test_authorizer SOURCES test_authorizer.c LIBS mynt_local mynt_jwt_forge)
set_tests_properties(test_jwt test_authorizer PROPERTIES TIMEOUT 120)
mynt_unit_test(test_routes SOURCES test_routes.c LIBS mynt_local)
mynt_unit_test(test_event SOURCES test_event.c LIBS mynt_local)
mynt_unit_test(test_gateway_response SOURCES test_gateway_response.c LIBS mynt_local)
mynt_unit_test(test_local_config SOURCES test_local_config.c LIBS mynt_local)
mynt_unit_test(test_static_files SOURCES test_static_files.c LIBS mynt_local)
mynt_unit_test(test_web_headers SOURCES test_web_headers.c LIBS mynt_local)
mynt_unit_test(test_hosted_ui SOURCES test_hosted_ui.c LIBS mynt_local PkgConfig::CRYPTO)

# The process test needs mynt-local and fault_bootstrap, which other CMakeLists define; it is registered once the
# whole project is configured, so the order of the fragments does not matter. A missing target is an error.
function(mynt_local_fault_test)
  foreach(target mynt-local fault_bootstrap)
    if(NOT TARGET ${target})
      message(FATAL_ERROR "test_local_faults needs the target ${target}, which no CMakeLists.txt defines")
    endif()
  endforeach()
  mynt_unit_test(test_local_faults SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_local_faults.c
                 LIBS mynt_local mynt_jwt_forge)
  add_dependencies(test_local_faults mynt-local fault_bootstrap)
  set_property(TEST test_local_faults APPEND PROPERTY ENVIRONMENT
               "MYNT_LOCAL=$<TARGET_FILE:mynt-local>" "MYNT_FAULT_BOOTSTRAP=$<TARGET_FILE:fault_bootstrap>")
  set_tests_properties(test_local_faults PROPERTIES TIMEOUT 120)
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL mynt_local_fault_test)

# Lambda's Invoke API, the asynchronous queue and the schedules of mynt-local.
mynt_unit_test(test_local_invoke SOURCES test_local_invoke.c LIBS mynt_local mynt_aws)
mynt_unit_test(test_local_async_queue SOURCES test_local_async_queue.c LIBS mynt_local)
mynt_unit_test(test_local_schedule SOURCES test_local_schedule.c LIBS mynt_local)
set_tests_properties(test_local_async_queue test_local_schedule PROPERTIES TIMEOUT 60)
