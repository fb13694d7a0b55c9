# plaid_sim.cmake - unit tests of the Plaid simulator (local/plaid_sim/).
mynt_unit_test(test_plaid_sim_data SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_plaid_sim_data.c LIBS mynt_plaid_sim)
mynt_unit_test(test_plaid_sim SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_plaid_sim.c LIBS mynt_sim_client)
set_tests_properties(test_plaid_sim_data test_plaid_sim PROPERTIES TIMEOUT 120)
mynt_unit_test(test_plaid_sim_sync SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_plaid_sim_sync.c LIBS mynt_sim_client)
set_tests_properties(test_plaid_sim_sync PROPERTIES TIMEOUT 180)
