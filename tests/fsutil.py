"""File-system helpers shared by the tests that check what a write keeps."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest


def set_user_xattr_or_skip(target: Path) -> None:
    """Give ``target`` the xattr ``user.node_timing = kept``; skip the test (saying why) only on a
    file system without user xattrs."""
    try:
        os.setxattr(target, "user.node_timing", b"kept")
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
            pytest.skip(f"{target.parent} has no user xattr support ({exc.strerror})")
        raise
