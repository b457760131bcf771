#!/usr/bin/env python3
"""Build the EICAR anti-virus test file at run time.

The EICAR string is a harmless, industry-standard test "virus" that every
scanner detects.  It is deliberately never stored literally in this repository
(a real scanner on a developer machine or in CI would quarantine the file), so
it is decoded here from hex when needed.

Usage:
    python3 scripts/eicar.py PATH     write the 68-byte EICAR test file to PATH
    python3 scripts/eicar.py --hex    print its hex form (used by scripts/clamd.sh)

In tests:
    from eicar import eicar_bytes, eicar_zip_bytes   # with scripts/ on sys.path
"""

import hashlib
import io
import sys
import zipfile

# Hex of the 68-byte EICAR test string (standard file, no trailing newline).
_EICAR_HEX = (
    "58354f2150254041505b345c505a58353428505e2937434329377d24"
    "45494341522d5354414e444152442d414e544956495255532d544553"
    "542d46494c452124482b482a"
)
# Published MD5 of the standard EICAR file, to catch typos in the hex above.
_EICAR_MD5 = "44d88612fea8a8f36de82e1278abb02f"


def eicar_hex() -> str:
    """Return the EICAR test string as lowercase hex."""
    return _EICAR_HEX


def eicar_bytes() -> bytes:
    """Return the EICAR test string (68 bytes) built from hex."""
    data = bytes.fromhex(_EICAR_HEX)
    if hashlib.md5(data, usedforsecurity=False).hexdigest() != _EICAR_MD5:
        raise RuntimeError("EICAR hex in scripts/eicar.py is corrupt")
    return data


def eicar_zip_bytes(member: str = "eicar.txt") -> bytes:
    """Return a zip archive (deflated) whose single member is the EICAR file."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, eicar_bytes())
    return buf.getvalue()


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().split("\n\n")[2], file=sys.stderr)
        return 2
    if argv[1] == "--hex":
        print(eicar_hex())
    else:
        with open(argv[1], "wb") as fh:
            fh.write(eicar_bytes())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
