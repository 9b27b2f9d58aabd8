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
                       TIMEOUT 900
                       RESOURCE_LOCK browser)
endif()

# Module boundaries (docs/architecture.md). The build itself runs the include
# check; the probes prove that the include directories enforce the same rules:
# each probe_* library is compiled with the include path of the module it
# pretends to be in, and must fail (WILL_FAIL) except the control.
add_custom_target(check_includes ALL
                  COMMAND ${CMAKE_SOURCE_DIR}/tests/check_includes.sh ${CMAKE_SOURCE_DIR}
                  COMMENT "Checking module include rules")
add_test(NAME module_include_check_selftest
         COMMAND ${CMAKE_SOURCE_DIR}/tests/build/check_includes_selftest.sh)
macro(sk_include_probe name like expect_fail)
  add_library(${name} OBJECT EXCLUDE_FROM_ALL ${CMAKE_SOURCE_DIR}/tests/build/${name}.c)
  target_link_libraries(${name} PRIVATE ${like})
  add_test(NAME module_${name}
           COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target ${name})
  set_tests_properties(module_${name} PROPERTIES WILL_FAIL ${expect_fail} RESOURCE_LOCK build_probe)
endmacro()
sk_include_probe(probe_indexer_uses_search sk_indexer TRUE)
sk_include_probe(probe_search_uses_auth sk_search TRUE)
sk_include_probe(probe_auth_uses_portal sk_auth TRUE)
sk_include_probe(probe_web_uses_search_internal sk_web TRUE)
sk_include_probe(probe_crisis_uses_search sk_crisis TRUE)
sk_include_probe(probe_portal_uses_auth sk_portal FALSE)

# The shipped nginx site in front of the real server (tests/deploy/): TLS,
# redirect, gzip, cache and bypass, login rate limit, slow clients cut.
if(NOT SK_SANITIZE)
  add_test(NAME deploy_nginx
           COMMAND ${CMAKE_SOURCE_DIR}/tests/deploy/nginx_test.sh ${CMAKE_BINARY_DIR})
  set_tests_properties(deploy_nginx PROPERTIES ENVIRONMENT "${SK_TEST_ENV}"
                       SKIP_RETURN_CODE 77 TIMEOUT 120)
  # Scale-out: nginx (the replicas site) before a primary and two replicas,
  # wrk for 20 s while a snapshot is published (docs/operations.md).
  add_test(NAME deploy_replicas
           COMMAND ${CMAKE_SOURCE_DIR}/tests/deploy/replicas_test.sh ${CMAKE_BINARY_DIR})
  set_tests_properties(deploy_replicas PROPERTIES ENVIRONMENT "${SK_TEST_ENV}"
                       SKIP_RETURN_CODE 77 TIMEOUT 240 PROCESSORS 2)
endif()

# Mail for real (tests/mail/): verification messages over SMTP to a loopback
# server, a bounce marked on the organisation, STARTTLS required elsewhere.
if(NOT SK_SANITIZE)
  add_test(NAME mail_smtp
           COMMAND ${CMAKE_SOURCE_DIR}/tests/mail/smtp_test.sh ${CMAKE_BINARY_DIR})
  set_tests_properties(mail_smtp PROPERTIES ENVIRONMENT "${SK_TEST_ENV}"
                       SKIP_RETURN_CODE 77 TIMEOUT 120)
endif()

# iCal reference check (tests/ical): ical.js (node, exact version from
# tests/ical/package-lock.json) and ical_dump (our expansion) expand the same
# calendars over one window and every difference must be fixed or allowed in
# tests/ical/allow.tsv with its RFC 5545 reason (docs/ical.md). 77 = skipped
# (node or ical.js absent).
add_executable(ical_dump ${CMAKE_SOURCE_DIR}/tests/ical/ical_dump.c)
target_link_libraries(ical_dump PRIVATE sk_indexer sk_core)
add_test(NAME ical_reference
         COMMAND ${CMAKE_SOURCE_DIR}/tests/ical/run.sh $<TARGET_FILE:ical_dump>)
set_tests_properties(ical_reference PROPERTIES
                     ENVIRONMENT "${SK_TEST_ENV}"
                     SKIP_RETURN_CODE 77
                     TIMEOUT 120)

# The C sources follow .clang-format (scripts/format.sh --check: clang-format
# --dry-run -Werror per file; skipped, exit 77, when clang-format is absent).
# OFF until the tree has been reformatted once (scripts/format.sh); then ON.
option(SK_CHECK_FORMAT "Register the ctest check_format (the sources follow .clang-format)" ON)
if(SK_CHECK_FORMAT)
  add_test(NAME check_format COMMAND ${CMAKE_SOURCE_DIR}/scripts/format.sh --check)
  set_tests_properties(check_format PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
endif()
