# Unit tests of src/crypto: sealing, key rotation, tamper detection, AES-256-GCM reference checks.
mynt_unit_test(test_seal SOURCES test_seal.c LIBS mynt_crypto PkgConfig::CRYPTO)
set_tests_properties(test_seal PROPERTIES TIMEOUT 60)
