# The deployment's tests (Python unittest, no build needed): the rules of issue #10 on the
# SAM-transformed template, and scripts/deploy's S3/SSM steps against the shared moto fixture.
add_test(NAME template_rules
  COMMAND python3 -m unittest -v test_template
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/template)
set_tests_properties(template_rules PROPERTIES TIMEOUT 120)
add_test(NAME template_deploy_moto
  COMMAND python3 -m unittest -v test_deploy_moto
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/template)
set_tests_properties(template_deploy_moto PROPERTIES TIMEOUT 180 FIXTURES_REQUIRED moto
  ENVIRONMENT "MYNT_MOTO_DIR=${MYNT_MOTO_DIR}")
# scripts/deploy run whole with a recording stand-in AWS CLI (fake_aws/aws) first on PATH and moto
# behind boto3: no secret on a command line, in the tools' environment, the output or a file left.
add_test(NAME template_deploy_secrets
  COMMAND python3 -m unittest -v test_deploy_secrets
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/tests/template)
set_tests_properties(template_deploy_secrets PROPERTIES TIMEOUT 300 FIXTURES_REQUIRED moto
  ENVIRONMENT "MYNT_MOTO_DIR=${MYNT_MOTO_DIR}")
