# Test support shared by several areas: the scripted loopback HTTP server (tests/support/script_server.c, on
# local/common's libmicrohttpd set-up) that plays the services a test talks to. LIBS mynt_script_server.
add_library(mynt_script_server STATIC ${CMAKE_SOURCE_DIR}/tests/support/script_server.c)
target_include_directories(mynt_script_server PUBLIC ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(mynt_script_server PUBLIC mynt_local_common mynt_core PkgConfig::MHD)

# Forwarding a script_server's request to the real service behind it (moto, the Plaid simulator), for fault
# injection on chosen calls: LIBS mynt_relay.
add_library(mynt_relay STATIC ${CMAKE_SOURCE_DIR}/tests/support/relay.c)
target_link_libraries(mynt_relay PUBLIC mynt_script_server mynt_core PkgConfig::CURL)
