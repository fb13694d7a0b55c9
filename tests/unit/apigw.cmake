# Payload-2.0 parsing, responses and the generic router.
mynt_unit_test(test_apigw SOURCES test_apigw.c LIBS mynt_apigw)
set_tests_properties(test_apigw PROPERTIES TIMEOUT 60)
