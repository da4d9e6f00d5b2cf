# The compiled byte walk (_walk.c); scan.py describes its state and what it finds.
import numpy as np
import numpy.typing as npt

def walk(
    chunk: bytes,
    offset: int,
    state: npt.NDArray[np.int64],
    found: npt.NDArray[np.int64],
    key: bytes,
    field: bytes,
    /,
) -> int: ...
def value_hash(value: bytes, /) -> int: ...
