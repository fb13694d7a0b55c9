# Test support shared by several areas: the scripted loopback HTTP server (tests/support/script_server.c, on
# local/common's libmicrohttpd set-up) that plays the services a test talks to. LIBS mynt_script_server.
add_library(mynt_script_server STATIC ${CMAKE_SOURCE_DIR}/tests/support/script_server.c)
target_include_directories(mynt_script_server PUBLIC ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(mynt_script_server PUBLIC mynt_local_common mynt_core PkgConfig::MHD)
# The libcurl client the Plaid simulator tests talk to it with over loopback (tests/support/sim_client.c). LIBS mynt_sim_client.
add_library(mynt_sim_client STATIC ${CMAKE_SOURCE_DIR}/tests/support/sim_client.c)
target_include_directories(mynt_sim_client PUBLIC ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(mynt_sim_client PUBLIC mynt_plaid_sim mynt_core PkgConfig::CURL PkgConfig::JANSSON)
# A JSON array's string members joined by spaces (tests/support/json_join.c). LIBS mynt_json_join.
add_library(mynt_json_join STATIC ${CMAKE_SOURCE_DIR}/tests/support/json_join.c)
target_include_directories(mynt_json_join PUBLIC ${CMAKE_SOURCE_DIR}/tests)
target_link_libraries(mynt_json_join PUBLIC PkgConfig::JANSSON)
