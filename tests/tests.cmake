# Script-driven tests, included by the top-level CMakeLists.txt.

# Browser tests of the site (tests/browser): playwright-core with Debian's
# chromium against the real server on the demo data. Not under the
# sanitizers: they test the site, and the server's memory safety is covered
# by its own integration tests. Exit code 77 = skipped (tools absent, not CI).
if(NOT SK_SANITIZE)
  add_test(NAME browser_site
           COMMAND ${CMAKE_SOURCE_DIR}/tests/browser/run.sh ${CMAKE_BINARY_DIR})
  set_tests_properties(browser_site PROPERTIES
                       ENVIRONMENT "${SK_TEST_ENV}"
                       SKIP_RETURN_CODE 77
                       TIMEOUT 240
                       RESOURCE_LOCK browser)
endif()
