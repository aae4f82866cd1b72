"""Reads IDX files (the MNIST format), gzip'd or not, into NumPy arrays."""

import gzip
import struct

import numpy as np

# IDX type byte -> NumPy big-endian dtype.
_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class IdxError(Exception):
    pass


def read_idx(path):
    """Returns the array stored in an IDX file; raises IdxError naming the file on bad input."""
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            blob = f.read()
    except OSError as e:
        raise IdxError(f"{path}: {e}")
    if len(blob) < 4:
        raise IdxError(f"{path}: truncated header")
    zero, dtype_code, ndim = struct.unpack(">HBB", blob[:4])
    if zero != 0 or dtype_code not in _TYPES or ndim == 0:
        raise IdxError(f"{path}: bad magic {blob[:4].hex()}")
    if len(blob) < 4 + 4 * ndim:
        raise IdxError(f"{path}: truncated dimensions")
    shape = struct.unpack(f">{ndim}I", blob[4:4 + 4 * ndim])
    dtype = np.dtype(_TYPES[dtype_code])
    count = int(np.prod(shape))
    body = blob[4 + 4 * ndim:]
    if len(body) != count * dtype.itemsize:
        raise IdxError(f"{path}: body has {len(body)} bytes, shape {list(shape)} needs "
                       f"{count * dtype.itemsize}")
    return np.frombuffer(body, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))
