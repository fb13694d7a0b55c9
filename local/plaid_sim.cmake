# plaid_sim.cmake - the Plaid Sandbox simulator: a library the tests start in-process, and the plaid-sim program.
add_library(mynt_plaid_sim STATIC
  ${CMAKE_CURRENT_LIST_DIR}/plaid_data.c
  ${CMAKE_CURRENT_LIST_DIR}/plaid_data_date.c
  ${CMAKE_CURRENT_LIST_DIR}/plaid_sim.c
  ${CMAKE_CURRENT_LIST_DIR}/plaid_sim_admin.c
  ${CMAKE_CURRENT_LIST_DIR}/plaid_sim_plaid.c
  ${CMAKE_CURRENT_LIST_DIR}/plaid_sim_render.c
  ${CMAKE_CURRENT_LIST_DIR}/plaid_sim_store.c)
target_include_directories(mynt_plaid_sim PUBLIC ${CMAKE_SOURCE_DIR})
target_link_libraries(mynt_plaid_sim PUBLIC mynt_core PkgConfig::MHD PkgConfig::JANSSON PkgConfig::CRYPTO)

add_executable(plaid-sim ${CMAKE_CURRENT_LIST_DIR}/plaid_sim_main.c)
target_link_libraries(plaid-sim PRIVATE mynt_plaid_sim)
set_target_properties(plaid-sim PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
