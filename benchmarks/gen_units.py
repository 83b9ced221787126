"""Generate hostile kubelet units of a given size: the shapes that made reading a node's systemd
files grow faster than the files.

    python benchmarks/gen_units.py --shape expansion --size 1048576 OUTDIR

Writes OUTDIR/etc/systemd/system/kubelet.service (and, for ``env-files``,
OUTDIR/etc/kubernetes/kubelet.env), laid out as a node root. Shapes:

  expansion   ``Environment="A=--x=1 --x=1 ..."`` (half the size) and an ``ExecStart=`` naming
              ``$A`` again and again (the other half): every mention expands to every word of A
  whole       the same with ``${A}``: every mention is one word as long as A
  env-files   ``EnvironmentFile=/etc/kubernetes/kubelet.env`` repeated (half the size), the
              environment file the other half
  words       one ``ExecStart=`` of short words over continuation lines
"""

from __future__ import annotations

import argparse
from pathlib import Path

UNIT = "/etc/systemd/system/kubelet.service"
ENV = "/etc/kubernetes/kubelet.env"
SHAPES = ("expansion", "whole", "env-files", "words")


def _repeat(piece: str, size: int) -> str:
    return piece * max(1, size // len(piece))


def unit_files(shape: str, size: int) -> dict[str, str]:
    """``{node path: text}`` of about ``size`` bytes in all."""
    half = size // 2
    if shape in ("expansion", "whole"):
        ref = "${A} " if shape == "whole" else "$A "
        return {
            UNIT: (
                "[Service]\n"
                f'Environment="A={_repeat("--x=1 ", half)}"\n'
                f"ExecStart=/usr/bin/kubelet {_repeat(ref, half)}\n"
            )
        }
    if shape == "env-files":
        return {
            UNIT: "[Service]\n"
            + _repeat(f"EnvironmentFile={ENV}\n", half)
            + "ExecStart=/usr/bin/kubelet $KUBELET_ARGS\n",
            ENV: 'KUBELET_ARGS="--v=2"\n' + _repeat("PADDING=some text of no meaning\n", half),
        }
    if shape == "words":
        return {UNIT: "[Service]\nExecStart=/usr/bin/kubelet \\\n" + _repeat("-a -b -c \\\n", size)}
    raise ValueError(f"unknown shape {shape!r}")


def write_root(root: Path, files: dict[str, str]) -> Path:
    for node_path, text in files.items():
        target = root / node_path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return root


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--shape", choices=SHAPES, default="expansion")
    ap.add_argument("--size", type=int, default=1 << 20, help="bytes (default 1 MiB)")
    args = ap.parse_args(argv)
    write_root(args.outdir, unit_files(args.shape, args.size))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
