"""Build options through the top-level Makefile: install (+ redis-* symlinks),
PROG_SUFFIX, MALLOC=libc, distclean, 32bit's message. Kept cheap: installing
reuses the tree that is already built, and one extra build (into a temporary
O=<dir>, -O0) covers PROG_SUFFIX + MALLOC=libc + distclean. The heavier builds
(BUILD_TLS=yes, USE_SYSTEMD=yes) run only with VALKEY_TEST_BUILDS=1.

VALKEY_BUILD_DIR names the built tree to install from (default: src/, as
`make test` builds it)."""
import os
import shutil
import subprocess
import tempfile

import pytest

from conftest import ROOT

BUILD_DIR = os.environ.get("VALKEY_BUILD_DIR", "")
HEAVY = os.environ.get("VALKEY_TEST_BUILDS") == "1"
NAMES = ["valkey-server", "valkey-cli", "valkey-benchmark", "valkey-check-rdb", "valkey-check-aof"]
REDIS_LINKS = ["redis-server", "redis-cli", "redis-benchmark", "redis-check-rdb", "redis-check-aof", "redis-sentinel"]


def make(*args, timeout=600):
    cmd = ["make", "--no-print-directory", "-C", ROOT] + list(args)
    if BUILD_DIR and not any(a.startswith("O=") for a in args):
        cmd.append("O=" + BUILD_DIR)
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)


def built_tree():
    d = BUILD_DIR or os.path.join(ROOT, "src")
    if not os.path.exists(os.path.join(d, "valkey-server")):
        pytest.skip("no built tree at %s (run make first)" % d)
    return d


def test_install_with_redis_symlinks():
    built_tree()
    prefix = tempfile.mkdtemp(prefix="valkey-install-")
    try:
        p = make("install", "PREFIX=" + prefix)
        assert p.returncode == 0, p.stdout.decode(errors="replace")[-3000:]
        bindir = os.path.join(prefix, "bin")
        for n in NAMES:
            assert os.access(os.path.join(bindir, n), os.X_OK), n
        for n in REDIS_LINKS:
            path = os.path.join(bindir, n)
            assert os.path.islink(path), n
            assert os.readlink(path).startswith("valkey-")
        out = subprocess.run([os.path.join(bindir, "redis-server"), "--version"], capture_output=True, timeout=30)
        assert out.stdout.startswith(b"Valkey server v=")
        p = make("uninstall", "PREFIX=" + prefix)
        assert p.returncode == 0
        assert os.listdir(bindir) == []
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def test_install_without_redis_symlinks():
    built_tree()
    prefix = tempfile.mkdtemp(prefix="valkey-install-")
    try:
        p = make("install", "PREFIX=" + prefix, "USE_REDIS_SYMLINKS=no")
        assert p.returncode == 0, p.stdout.decode(errors="replace")[-3000:]
        names = sorted(os.listdir(os.path.join(prefix, "bin")))
        assert names == sorted(NAMES)
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def test_prog_suffix_malloc_libc_and_distclean():
    """One fresh build into a temporary O=: names, allocator, cached options, distclean."""
    out = tempfile.mkdtemp(prefix="valkey-build-")
    try:
        p = make("O=" + out, "PROG_SUFFIX=-alt", "MALLOC=libc", "OPTIMIZATION=-O0", "-j2", timeout=1200)
        assert p.returncode == 0, p.stdout.decode(errors="replace")[-3000:]
        for n in NAMES:
            assert os.access(os.path.join(out, n + "-alt"), os.X_OK), n
            assert not os.path.exists(os.path.join(out, n))
        v = subprocess.run([os.path.join(out, "valkey-server-alt"), "--version"], capture_output=True, timeout=30)
        assert b"malloc=libc" in v.stdout
        # The check-rdb personality follows the suffixed name too.
        c = subprocess.run([os.path.join(out, "valkey-check-rdb-alt"), os.path.join(out, "nosuch.rdb")],
                           capture_output=True, timeout=30)
        assert c.returncode != 0
        with open(os.path.join(out, ".make-settings")) as f:
            assert "MALLOC ?= libc" in f.read()
        # Nothing to do the second time: the cached options did not change.
        p = make("O=" + out, "PROG_SUFFIX=-alt", "OPTIMIZATION=-O0")
        assert p.returncode == 0 and b"mCC" not in p.stdout and b" -c " not in p.stdout
        p = make("distclean", "O=" + out, "PROG_SUFFIX=-alt")
        assert p.returncode == 0
        assert sorted(os.listdir(out)) == []
    finally:
        shutil.rmtree(out, ignore_errors=True)


def test_32bit_fails_clearly_or_builds():
    probe = subprocess.run("printf 'int main(void){return 0;}' | cc -m32 -x c - -o /dev/null -llzf -llua5.1",
                           shell=True, capture_output=True)
    if probe.returncode == 0 and not HEAVY:
        pytest.skip("32-bit toolchain present: the full build runs with VALKEY_TEST_BUILDS=1")
    out = tempfile.mkdtemp(prefix="valkey-build32-")
    try:
        p = make("32bit", "O=" + out, "OPTIMIZATION=-O0", "-j2", timeout=1200)
        text = p.stdout.decode(errors="replace")
        if probe.returncode != 0:
            assert p.returncode != 0
            assert "make 32bit: cannot link a 32-bit program with" in text
            assert "docs/COMPATIBILITY.md" in text
            assert not os.path.exists(os.path.join(out, "obj"))       # stopped before compiling
        else:
            assert p.returncode == 0, text[-3000:]
            v = subprocess.run([os.path.join(out, "valkey-server"), "--version"], capture_output=True)
            assert b"bits=32" in v.stdout
    finally:
        shutil.rmtree(out, ignore_errors=True)


@pytest.mark.skipif(not HEAVY, reason="full TLS + systemd build: set VALKEY_TEST_BUILDS=1")
def test_tls_and_systemd_build():
    out = tempfile.mkdtemp(prefix="valkey-build-tls-")
    try:
        p = make("O=" + out, "BUILD_TLS=yes", "USE_SYSTEMD=yes", "OPTIMIZATION=-O0", "-j2", timeout=1200)
        assert p.returncode == 0, p.stdout.decode(errors="replace")[-3000:]
        v = subprocess.run([os.path.join(out, "valkey-server"), "--version"], capture_output=True, timeout=30)
        assert v.stdout.startswith(b"Valkey server v=")
        with open(os.path.join(out, ".make-settings")) as f:
            settings = f.read()
        assert "BUILD_TLS ?= yes" in settings and "USE_SYSTEMD ?= yes" in settings
        nm = subprocess.run(["nm", "-u", os.path.join(out, "valkey-server")], capture_output=True, text=True)
        assert "sd_notify" in nm.stdout                 # libsystemd is really used
    finally:
        shutil.rmtree(out, ignore_errors=True)
