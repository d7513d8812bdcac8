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

test:
	@utils/install-deps.sh --check || utils/install-deps.sh
	$(MAKE) -C src all unit-tests
	./runtest

install uninstall clean distclean:
	$(MAKE) -C src $@
