# libFuzzer targets (clang only; configure with the preset 'fuzz'). Each
# target has a ctest, fuzz_<name>, that replays its seeds and then fuzzes
# for SK_FUZZ_SECONDS (CI: short; see docs/contributing.md to run long).
set(SK_FUZZ_SECONDS 30 CACHE STRING "Seconds each fuzz target runs under ctest")
set(SK_FUZZ_TARGETS partner_json hsds hsds_csv ical search http_params)
foreach(t ${SK_FUZZ_TARGETS})
  add_executable(fuzz_${t} ${CMAKE_SOURCE_DIR}/fuzz/fuzz_${t}.c)
  target_compile_definitions(fuzz_${t} PRIVATE SK_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_${t} PRIVATE sk_web sk_indexer sk_search sk_portal sk_auth sk_core)
  add_test(NAME fuzz_${t}
           COMMAND ${CMAKE_SOURCE_DIR}/fuzz/run.sh $<TARGET_FILE:fuzz_${t}> ${t} ${SK_FUZZ_SECONDS})
  math(EXPR _timeout "${SK_FUZZ_SECONDS} + 120")
  set_tests_properties(fuzz_${t} PROPERTIES TIMEOUT ${_timeout}
                       ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:suppressions=${CMAKE_SOURCE_DIR}/tests/asan.supp;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
endforeach()
