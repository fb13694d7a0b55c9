# shared_data_convention.cmake - holds the convention for tests needing ../shared: with the data absent, the test exits
# 77 (ctest's SKIP_RETURN_CODE: reported as skipped) and says SKIPPED; under CI=true it exits 1 naming the missing path.
# Run as: cmake -DTEST_BIN=<test_sigv4> -DMISSING=<a path that does not exist> -P shared_data_convention.cmake
if(NOT TEST_BIN OR NOT MISSING)
  message(FATAL_ERROR "TEST_BIN and MISSING must be given")
endif()
if(EXISTS "${MISSING}")
  message(FATAL_ERROR "${MISSING} exists; the convention needs a path that does not")
endif()

# Runs TEST_BIN --suite against MISSING with CI set to ci ("" = unset); checks its exit code and that its output
# holds the expected text.
function(expect ci rc text)
  if(ci STREQUAL "")
    set(ci_env --unset=CI)
  else()
    set(ci_env CI=${ci})
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E env ${ci_env} MYNT_SIGV4_SUITE=${MISSING} ${TEST_BIN} --suite
    RESULT_VARIABLE got OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 30)
  if(NOT got STREQUAL "${rc}")
    message(FATAL_ERROR "CI='${ci}': exit ${got}, expected ${rc}\n${out}${err}")
  endif()
  string(FIND "${out}" "${text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "CI='${ci}': the output does not say \"${text}\":\n${out}${err}")
  endif()
endfunction()

expect("" 77 "SKIPPED: the SigV4 suite (set MYNT_SIGV4_SUITE) missing at ${MISSING}")
expect("false" 77 "SKIPPED: the SigV4 suite")
expect("true" 1 "FAILED: the SigV4 suite (set MYNT_SIGV4_SUITE) missing at ${MISSING} (CI=true")
message(STATUS "shared data convention holds: 77 (skipped) without CI, 1 with CI=true")
