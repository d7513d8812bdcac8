"""Helpers shared by the RDB and DUMP suites: sample files, CRC64 (Jones) for
forging payloads, and waiting on INFO persistence fields."""
import os
import shutil
import struct
import time

SAMPLES = os.environ.get("RDB_SAMPLES_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assets", "rdb-samples"))

_POLY = 0x95AC9329AC4BC9B5  # bit-reversed Jones polynomial


def _table():
    t = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ _POLY if c & 1 else c >> 1
        t.append(c)
    return t


_T = _table()


def crc64(data, crc=0):
    for b in data:
        crc = _T[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


def sample(name):
    return os.path.join(SAMPLES, name)


def install_sample(name, dirpath, dbfilename="dump.rdb"):
    dst = os.path.join(str(dirpath), dbfilename)
    shutil.copyfile(sample(name), dst)
    os.chmod(dst, 0o644)
    return dst


def info_fields(client, section="persistence"):
    raw = client.execute_command("INFO", section)
    if isinstance(raw, dict):
        return {k: str(v) for k, v in raw.items()}
    out = {}
    for line in raw.decode().splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            out[k] = v
    return out


def wait_for(pred, timeout=10.0, interval=0.05):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(interval)
    return pred()


def wait_bgsave_done(client, timeout=20):
    assert wait_for(lambda: info_fields(client)["rdb_bgsave_in_progress"] == "0", timeout)


def forge_payload(body, version=11):
    """A DUMP payload with a correct footer around an arbitrary body."""
    data = body + struct.pack("<H", version)
    return data + struct.pack("<Q", crc64(data))


def file_expiry_ms(path, key):
    """The absolute ms expiry stored just before `key`'s entry in an RDB file."""
    data = open(path, "rb").read()
    i = data.find(bytes([len(key)]) + key)
    j = data.rfind(b"\xfc", 0, i)
    return struct.unpack("<Q", data[j + 1:j + 9])[0]
