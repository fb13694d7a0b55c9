# Unit tests of src/sync: the stored records (no network), starting a sync against a loopback Lambda, and the
# workflow end to end on moto_server with the in-process Plaid simulator.
mynt_unit_test(test_sync_records SOURCES test_sync_records.c LIBS mynt_sync)
mynt_unit_test(test_sync_start SOURCES test_sync_start.c LIBS mynt_sync mynt_fake_lambda PkgConfig::CURL)
set_tests_properties(test_sync_records test_sync_start PROPERTIES TIMEOUT 60)

# The workflow end to end: moto_server (the "moto" fixture of tests/unit/aws.cmake) behind a relay that fails or
# interrupts chosen calls, the in-process Plaid simulator, a loopback Lambda for the syncs started.
mynt_unit_test(test_sync_moto SOURCES test_sync_moto.c
  LIBS mynt_sync mynt_handlers mynt_plaid_sim mynt_apigw_forge mynt_moto_store mynt_relay mynt_sim_link
  mynt_fake_lambda mynt_fake_plaid mynt_log_capture)
set_property(TEST test_sync_moto APPEND PROPERTY ENVIRONMENT "MYNT_MOTO_DIR=${MYNT_MOTO_DIR}")
set_tests_properties(test_sync_moto PROPERTIES FIXTURES_REQUIRED moto TIMEOUT 300)

# The fault matrix (issue #11): Plaid and DynamoDB faults on the routes and the sync, through relays in front of the
# in-process simulator and moto_server, and a sync process killed midway; each row's documented answer, retries
# inside the deadline, no partial state.
mynt_unit_test(test_fault_matrix_moto SOURCES test_fault_matrix_moto.c
  LIBS mynt_sync mynt_handlers mynt_plaid_sim mynt_apigw_forge mynt_moto_store mynt_relay mynt_sim_link
  mynt_fake_lambda)
set_property(TEST test_fault_matrix_moto APPEND PROPERTY ENVIRONMENT "MYNT_MOTO_DIR=${MYNT_MOTO_DIR}")
set_tests_properties(test_fault_matrix_moto PROPERTIES FIXTURES_REQUIRED moto TIMEOUT 300)
