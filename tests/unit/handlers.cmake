# Mynt's route table and handlers: those needing no network, and GET /me against moto_server.
mynt_unit_test(test_handlers SOURCES test_handlers.c LIBS mynt_handlers mynt_apigw_forge)
set_tests_properties(test_handlers PROPERTIES TIMEOUT 60)

# The answer to a failed Plaid call (no network).
mynt_unit_test(test_plaid_reply SOURCES test_plaid_reply.c LIBS mynt_handlers mynt_apigw_forge)

# Uses the "moto" fixture of tests/unit/aws.cmake (moto_server started once per ctest run).
mynt_unit_test(test_handlers_users_moto SOURCES test_handlers_users_moto.c LIBS mynt_handlers mynt_apigw_forge mynt_moto_store)
set_property(TEST test_handlers_users_moto APPEND PROPERTY ENVIRONMENT "MYNT_MOTO_DIR=${MYNT_MOTO_DIR}")
set_tests_properties(test_handlers_users_moto PROPERTIES FIXTURES_REQUIRED moto TIMEOUT 120)

# GET /transactions without the network: query checks, flow, rendering and the merge.
mynt_unit_test(test_handlers_transactions SOURCES test_handlers_transactions.c LIBS mynt_handlers mynt_apigw_forge mynt_json_join)
set_tests_properties(test_handlers_transactions PROPERTIES TIMEOUT 60)

# Linking banks of the in-process Plaid simulator through the route table (tests/support/sim_link.c), for the
# handlers tests on moto: LIBS mynt_sim_link.
add_library(mynt_sim_link STATIC ${CMAKE_SOURCE_DIR}/tests/support/sim_link.c)
target_link_libraries(mynt_sim_link PUBLIC mynt_bootstrap mynt_handlers mynt_sync mynt_store mynt_moto_store mynt_script_server mynt_fake_lambda mynt_apigw_forge mynt_sim_client mynt_plaid_sim mynt_core
  PkgConfig::JANSSON PkgConfig::CMOCKA)

# The items and transactions groups end to end: router, handlers, the store on moto_server and
# Plaid played by the in-process simulator (local/plaid_sim/), secrets read from moto's SSM.
mynt_unit_test(test_handlers_plaid_moto SOURCES test_handlers_plaid_moto.c
  LIBS mynt_bootstrap mynt_handlers mynt_plaid_sim mynt_apigw_forge mynt_moto_store mynt_sim_link mynt_log_capture)
set_property(TEST test_handlers_plaid_moto APPEND PROPERTY ENVIRONMENT "MYNT_MOTO_DIR=${MYNT_MOTO_DIR}")
set_tests_properties(test_handlers_plaid_moto PROPERTIES FIXTURES_REQUIRED moto TIMEOUT 240)

# POST /items never loses a bank (src/link): the store on moto_server and the in-process Plaid simulator, each
# reached through a relay (tests/support/relay.c) that fails, stalls or rewrites chosen calls.
mynt_unit_test(test_link_moto SOURCES test_link_moto.c
  LIBS mynt_handlers mynt_link mynt_plaid_sim mynt_apigw_forge mynt_moto_store mynt_relay mynt_sim_link mynt_log_capture)
set_property(TEST test_link_moto APPEND PROPERTY ENVIRONMENT "MYNT_MOTO_DIR=${MYNT_MOTO_DIR}")
set_tests_properties(test_link_moto PROPERTIES FIXTURES_REQUIRED moto TIMEOUT 240)

# POST /webhooks/plaid: Plaid-signed webhooks (jwt_forge's ES256, keys served by the fake Plaid) change the items on
# moto_server and start syncs through the fake Lambda Invoke endpoint (tests/support/fake_lambda.c).
mynt_unit_test(test_handlers_webhooks_moto SOURCES test_handlers_webhooks_moto.c
  LIBS mynt_handlers mynt_apigw_forge mynt_moto_store mynt_fake_plaid mynt_jwt_forge mynt_fake_lambda mynt_log_capture
  PkgConfig::CRYPTO)
set_property(TEST test_handlers_webhooks_moto APPEND PROPERTY ENVIRONMENT "MYNT_MOTO_DIR=${MYNT_MOTO_DIR}")
set_tests_properties(test_handlers_webhooks_moto PROPERTIES FIXTURES_REQUIRED moto TIMEOUT 180)

# GET /budgets, PUT and DELETE /budgets/{category}: validation, created vs replaced, isolation, on moto_server.
mynt_unit_test(test_handlers_budgets_moto SOURCES test_handlers_budgets_moto.c LIBS mynt_handlers mynt_apigw_forge mynt_moto_store)
set_property(TEST test_handlers_budgets_moto APPEND PROPERTY ENVIRONMENT "MYNT_MOTO_DIR=${MYNT_MOTO_DIR}")
set_tests_properties(test_handlers_budgets_moto PROPERTIES FIXTURES_REQUIRED moto TIMEOUT 120)

# GET /transactions/export's CSV rows (no network): header, column order, amounts from cents, hostile text cells.
mynt_unit_test(test_transactions_csv SOURCES test_transactions_csv.c LIBS mynt_handlers)
set_tests_properties(test_transactions_csv PROPERTIES TIMEOUT 60)

# GET /summary through the router, handler and store: hand-made histories in two currencies on moto_server, reached
# through a relay (tests/support/relay.c) whose records show the period is read once.
mynt_unit_test(test_handlers_summary_moto SOURCES test_handlers_summary_moto.c
  LIBS mynt_handlers mynt_apigw_forge mynt_moto_store mynt_relay)
set_property(TEST test_handlers_summary_moto APPEND PROPERTY ENVIRONMENT "MYNT_MOTO_DIR=${MYNT_MOTO_DIR}")
set_tests_properties(test_handlers_summary_moto PROPERTIES FIXTURES_REQUIRED moto TIMEOUT 120)
