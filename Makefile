# Top-level Makefile: delegates to src/. See README.md.
.PHONY: all test run install uninstall clean distclean 32bit deps unit-tests bench

all:
	@utils/install-deps.sh --build-only --check || utils/install-deps.sh --build-only
	$(MAKE) -C src all

32bit:
	$(MAKE) -C src 32bit

deps:
	utils/install-deps.sh

run: all
	./src/valkey-server ./valkey.conf

# Where OpenSSL's headers are, `make test` also builds a TLS server and cli into
# src/build-tls (objects kept apart from the default build) and ./runtest runs
# the TLS test files against it a second time.
test:
	@utils/install-deps.sh --check || utils/install-deps.sh
	$(MAKE) -C src all unit-tests
	@if printf '#include <openssl/ssl.h>\n' | $(CC) -E -x c - >/dev/null 2>&1; then \
	  $(MAKE) -C src O=build-tls BUILD_TLS=yes build-tls/valkey-server build-tls/valkey-cli && \
	  touch src/build-tls.expected; \
	else echo "OpenSSL headers (libssl-dev) not found: TLS tests run against the plain build only"; fi
	./runtest

install uninstall:
	$(MAKE) -C src $@

# With O=<dir> only that build dir is cleaned (test_build.py distcleans a
# temporary one while make test's TLS build must stay).
clean distclean:
	$(MAKE) -C src $@
	$(if $(O),,rm -rf src/build-tls src/build-tls.expected)
