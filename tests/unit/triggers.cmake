# The two functions of the bootstrap that are not behind API Gateway besides sync: presignup (Cognito's Pre sign-up
# trigger) and costguard (the budget alert's subscriber), their clients, and the faithful fakes they talk to.
# The scaffolding the loopback AWS fakes share (server, rule record, lock, keys; tests/support/fake_aws.c).
add_library(mynt_fake_aws STATIC ${CMAKE_SOURCE_DIR}/tests/support/fake_aws.c)
target_link_libraries(mynt_fake_aws PUBLIC mynt_request_check mynt_aws mynt_core PkgConfig::CMOCKA)
# A loopback cognito-idp (ListUsers with Cognito's Filter syntax, AdminLinkProviderForUser's field rules, Cognito's
# error JSON; tests/support/fake_cognito.c): LIBS mynt_fake_cognito.
add_library(mynt_fake_cognito STATIC ${CMAKE_SOURCE_DIR}/tests/support/fake_cognito.c)
target_link_libraries(mynt_fake_cognito PUBLIC mynt_fake_aws mynt_aws mynt_core PkgConfig::JANSSON
  PkgConfig::CMOCKA)
# A loopback API Gateway v2 with one stage (GetStage, UpdateStage, NotFoundException; tests/support/fake_apigateway.c):
# LIBS mynt_fake_apigateway.
add_library(mynt_fake_apigateway STATIC ${CMAKE_SOURCE_DIR}/tests/support/fake_apigateway.c)
target_link_libraries(mynt_fake_apigateway PUBLIC mynt_fake_aws mynt_aws mynt_core PkgConfig::JANSSON
  PkgConfig::CMOCKA)

mynt_unit_test(test_cognito SOURCES test_cognito.c LIBS mynt_aws mynt_fake_cognito)
mynt_unit_test(test_apigateway SOURCES test_apigateway.c LIBS mynt_aws mynt_fake_apigateway)
mynt_unit_test(test_presignup SOURCES test_presignup.c LIBS mynt_handlers mynt_fake_cognito mynt_log_capture)
mynt_unit_test(test_costguard SOURCES test_costguard.c LIBS mynt_handlers mynt_bootstrap mynt_fake_apigateway)
set_tests_properties(test_cognito test_apigateway test_presignup test_costguard PROPERTIES TIMEOUT 90)
