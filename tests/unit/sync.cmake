# Unit tests of src/sync: the stored records (no network), starting a sync against a loopback Lambda, and the
# workflow end to end on moto_server with the in-process Plaid simulator.
mynt_unit_test(test_sync_records SOURCES test_sync_records.c LIBS mynt_sync)
mynt_unit_test(test_sync_start SOURCES test_sync_start.c LIBS mynt_sync mynt_fake_lambda PkgConfig::CURL)
set_tests_properties(test_sync_records test_sync_start PROPERTIES TIMEOUT 60)
