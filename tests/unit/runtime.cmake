# Runtime API client tests (against a fake Runtime API on loopback) and the fault-injection Lambda.
# The fake Runtime API (tests/support/fake_api.c) on the scripted loopback server: LIBS mynt_fake_api.
add_library(mynt_fake_api STATIC ${CMAKE_SOURCE_DIR}/tests/support/fake_api.c)
target_link_libraries(mynt_fake_api PUBLIC mynt_script_server mynt_core)

mynt_unit_test(test_runtime SOURCES test_runtime.c LIBS mynt_runtime mynt_fake_api mynt_big_json PkgConfig::MHD)
set_tests_properties(test_runtime PROPERTIES TIMEOUT 120)

# fault_bootstrap: a test-only Lambda (GET /fault/crash|hang|error|ok) for the local gateway's tests.
# Built next to bootstrap: ${CMAKE_BINARY_DIR}/fault_bootstrap.
add_executable(fault_bootstrap ${CMAKE_SOURCE_DIR}/tests/support/fault_bootstrap.c)
target_link_libraries(fault_bootstrap PRIVATE mynt_apigw mynt_runtime mynt_core)
set_target_properties(fault_bootstrap PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

# The real bootstrap (defined by the top-level CMakeLists.txt) and fault_bootstrap processes against the fake
# Runtime API.
# Its SSM init error test uses moto_server (the "moto" fixture of aws.cmake).
mynt_unit_test(test_runtime_processes SOURCES test_runtime_processes.c LIBS mynt_runtime mynt_fake_api PkgConfig::MHD
  mynt_fake_cognito mynt_fake_apigateway mynt_moto_fixture)
add_dependencies(test_runtime_processes bootstrap fault_bootstrap)
set_property(TEST test_runtime_processes APPEND PROPERTY ENVIRONMENT
             "MYNT_BOOTSTRAP=$<TARGET_FILE:bootstrap>" "MYNT_FAULT_BOOTSTRAP=$<TARGET_FILE:fault_bootstrap>"
             "MYNT_MOTO_DIR=${MYNT_MOTO_DIR}")
set_tests_properties(test_runtime_processes PROPERTIES FIXTURES_REQUIRED moto TIMEOUT 120)

# The wiping allocator the bootstrap installs in jansson and libcurl, driven through both libraries and the Plaid
# client.
mynt_unit_test(test_secure_alloc SOURCES test_secure_alloc.c LIBS mynt_secure_alloc mynt_fake_plaid mynt_script_server)
set_tests_properties(test_secure_alloc PROPERTIES TIMEOUT 60)
# The same in OpenSSL, in a process of its own (OpenSSL takes an allocator only before its first allocation).
mynt_unit_test(test_secure_alloc_openssl SOURCES test_secure_alloc_openssl.c LIBS mynt_secure_alloc)

# Thousands of invocations of the real bootstrap from a loopback Runtime API with resident memory flat: the
# public group, and the users group with its store on moto_server (the "moto" fixture of aws.cmake).
mynt_unit_test(test_runtime_memory SOURCES test_runtime_memory.c LIBS mynt_script_server mynt_apigw_forge
  mynt_moto_store mynt_moto_fixture)
add_dependencies(test_runtime_memory bootstrap)
set_property(TEST test_runtime_memory APPEND PROPERTY ENVIRONMENT "MYNT_BOOTSTRAP=$<TARGET_FILE:bootstrap>"
             "MYNT_MOTO_DIR=${MYNT_MOTO_DIR}")
set_tests_properties(test_runtime_memory PROPERTIES FIXTURES_REQUIRED moto TIMEOUT 180)
