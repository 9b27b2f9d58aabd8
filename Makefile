# The two commands of the README:
#   make run   set up, build, index the demo feeds, serve on http://localhost:$(PORT)
#   make test  set up, build, run the whole test suite (also under ASan+UBSan)
PORT ?= 8080
DB ?= data/sociale-kaart.db
BIN := build/release/sociale-kaart
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all setup setup-browser build run test test-debug test-asan test-release-build test-fuzz bench clean deb

all: build

setup:
	@scripts/setup.sh

# Chromium (Debian) and the node packages of tests/browser, for the browser tests.
setup-browser: setup
	@scripts/setup-browser.sh

build: setup
	@cmake --preset release >/dev/null
	@cmake --build build/release -j$(JOBS)

run: build
	$(BIN) index --db $(DB)
	exec $(BIN) serve --db $(DB) --port $(PORT)

# The web and browser tests run three times in a row (until-fail:3): a test
# that passes only sometimes must go red here, not at random in CI later.
FLAKY_WATCH := ^(test_web|browser_)
test-debug: setup-browser
	@cmake --preset debug >/dev/null
	@cmake --build build/debug -j$(JOBS)
	ctest --preset debug -j$(JOBS) -E '$(FLAKY_WATCH)'
	ctest --preset debug -j$(JOBS) -R '$(FLAKY_WATCH)' --repeat until-fail:3

test-asan: setup
	@cmake --preset asan >/dev/null
	@cmake --build build/asan -j$(JOBS)
	ctest --preset asan -j$(JOBS)

# make run builds the release preset: make sure it builds warning-free too.
test-release-build: setup
	@cmake --preset release >/dev/null
	@cmake --build build/release -j$(JOBS)

# The libFuzzer targets of fuzz/ (clang): replay the seeds, then fuzz each
# for FUZZ_SECONDS (docs/contributing.md: how to run them long).
FUZZ_SECONDS ?= 30
test-fuzz: setup
	@cmake --preset fuzz -DSK_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	@cmake --build build/fuzz -j$(JOBS)
	ctest --preset fuzz

test: test-debug test-asan test-release-build test-fuzz deb

clean:
	rm -rf build

# A Debian package (debhelper), built in a copy of the tree so that nothing
# lands beside the checkout; checked with lintian. Result: build/deb/*.deb.
deb: setup
	@scripts/setup.sh debhelper lintian fakeroot
	rm -rf build/deb && mkdir -p build/deb/src
	git ls-files -z | xargs -0 cp --parents -t build/deb/src
	cd build/deb/src && DEB_BUILD_OPTIONS="parallel=$(JOBS)" dpkg-buildpackage -us -uc -b
	lintian --fail-on error,warning --info build/deb/sociale-kaart_*.deb
	@ls -l build/deb/*.deb
