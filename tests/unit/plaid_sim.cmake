# plaid_sim.cmake - unit tests of the Plaid simulator (local/plaid_sim/).
mynt_unit_test(test_plaid_sim_data SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_plaid_sim_data.c LIBS mynt_plaid_sim)
mynt_unit_test(test_plaid_sim SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_plaid_sim.c LIBS mynt_sim_client)
set_tests_properties(test_plaid_sim_data test_plaid_sim PROPERTIES TIMEOUT 120)
mynt_unit_test(test_plaid_sim_sync SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_plaid_sim_sync.c LIBS mynt_sim_client)
set_tests_properties(test_plaid_sim_sync PROPERTIES TIMEOUT 180)
# Signed webhooks: delivered to a loopback receiver and checked with Mynt's verifier, its keys fetched by Mynt's Plaid client.
mynt_unit_test(test_plaid_sim_webhook SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_plaid_sim_webhook.c
  LIBS mynt_sim_client mynt_plaid mynt_local_common PkgConfig::CURL)
set_tests_properties(test_plaid_sim_webhook PROPERTIES TIMEOUT 120)
