# Runtime API client tests (against a fake Runtime API on loopback) and the fault-injection Lambda.
mynt_unit_test(test_runtime SOURCES test_runtime.c ${CMAKE_SOURCE_DIR}/tests/support/fake_api.c
               LIBS mynt_runtime PkgConfig::MHD)
target_include_directories(test_runtime PRIVATE ${CMAKE_SOURCE_DIR}/tests)
set_tests_properties(test_runtime PROPERTIES TIMEOUT 120)

# fault_bootstrap: a test-only Lambda (GET /fault/crash|hang|error|ok) for the local gateway's tests.
# Built next to bootstrap: ${CMAKE_BINARY_DIR}/fault_bootstrap.
add_executable(fault_bootstrap ${CMAKE_SOURCE_DIR}/tests/support/fault_bootstrap.c)
target_link_libraries(fault_bootstrap PRIVATE mynt_apigw mynt_runtime mynt_core)
set_target_properties(fault_bootstrap PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

# The real bootstrap and fault_bootstrap processes against the fake Runtime API.
if(TARGET bootstrap)
  mynt_unit_test(test_runtime_processes SOURCES test_runtime_processes.c ${CMAKE_SOURCE_DIR}/tests/support/fake_api.c
                 LIBS mynt_runtime PkgConfig::MHD)
  target_include_directories(test_runtime_processes PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  add_dependencies(test_runtime_processes bootstrap fault_bootstrap)
  set_property(TEST test_runtime_processes APPEND PROPERTY ENVIRONMENT
               "MYNT_BOOTSTRAP=$<TARGET_FILE:bootstrap>" "MYNT_FAULT_BOOTSTRAP=$<TARGET_FILE:fault_bootstrap>")
  set_tests_properties(test_runtime_processes PROPERTIES TIMEOUT 120)
endif()
