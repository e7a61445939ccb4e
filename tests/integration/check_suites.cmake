# Fails when integration_test holds a test suite that no ctest entry runs.
#   cmake -DTEST_BINARY=<integration_test> -DSUITES="A;B;…" -P check_suites.cmake
execute_process(COMMAND ${TEST_BINARY} --gtest_list_tests
  OUTPUT_VARIABLE listing
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${TEST_BINARY} --gtest_list_tests failed (${result})")
endif()
string(REPLACE "\n" ";" lines "${listing}")
set(missing "")
set(found 0)
foreach(line IN LISTS lines)
  # Suite lines start in column 0 and end with '.'; parametrised ones carry "Prefix/".
  if(line MATCHES "^([A-Za-z0-9_]+/)?([A-Za-z0-9_]+)\\.")
    math(EXPR found "${found} + 1")
    set(suite "${CMAKE_MATCH_2}")
    list(FIND SUITES "${suite}" index)
    if(index EQUAL -1)
      list(APPEND missing "${suite}")
    endif()
  endif()
endforeach()
if(found EQUAL 0)
  message(FATAL_ERROR "no test suite listed by ${TEST_BINARY}")
endif()
if(missing)
  list(REMOVE_DUPLICATES missing)
  message(FATAL_ERROR "suites without a ctest entry (add them to ONSHI_INTEGRATION_SUITES in "
                      "tests/integration/CMakeLists.txt): ${missing}")
endif()
message(STATUS "${found} suites, each run by a ctest entry")
