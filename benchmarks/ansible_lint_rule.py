"""What the node-timing rule costs an ansible-lint run of a kubespray checkout.

    python benchmarks/ansible_lint_rule.py KUBESPRAY_CHECKOUT [--repeat 5] [--output FILE]
    python benchmarks/ansible_lint_rule.py KUBESPRAY_CHECKOUT --paths inventory contrib  # quicker

``--paths`` lints only those paths of the checkout (every inventory of kubespray lies under
``inventory/`` and ``contrib/``): the rule's extra time is the same, the ratio larger.

The checkout is copied to a scratch directory (a git repository again, as ansible-lint expects)
and given ``inventory/mycluster``, made as kubespray's getting-started guide makes it: a copy of
``inventory/sample`` with the sample hosts uncommented. Then, in one run, alternating:

  with     ``ansible-lint`` with the rule (ANSIBLE_LINT_CUSTOM_RULESDIR names this checkout's
           ``src/ansiblelint/rules/custom``)
  without  the same ``ansible-lint`` with an empty custom rules directory

and, for the cost the rule is allowed, ``node-timing lint DIR`` once for each inventory the rule
evaluates (every directory ``node_timing.ansible_lint.inventory_dir`` finds for the checkout's
files; those without hosts exit 5 and cost their loading). Reported: medians of wall and CPU
(user + system) time, the same-run ratio with / without, and the extra CPU against the sum of
the node-timing lint runs. Nothing here asserts an absolute time.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from run import NODE_TIMING, Sample, clean_env, measure, mib, secs, side_by_side  # noqa: E402

from node_timing.ansible_lint import inventory_dir  # noqa: E402

RULES = ROOT / "src" / "ansiblelint" / "rules" / "custom"
ANSIBLE_LINT = [sys.executable, "-m", "ansiblelint", "--offline", "-q"]


def prepare(checkout: Path, workdir: Path) -> Path:
    """A copy of ``checkout`` with ``inventory/mycluster``, committed to a fresh repository."""
    tree = workdir / "kubespray"
    shutil.copytree(checkout, tree, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    sample = tree / "inventory" / "sample"
    mycluster = tree / "inventory" / "mycluster"
    shutil.copytree(sample, mycluster, symlinks=True)
    ini = mycluster / "inventory.ini"
    ini.write_text(re.sub(r"(?m)^# (node\d+ )", r"\1", ini.read_text(encoding="utf-8")))
    git = ["git", "-c", "user.email=bench@localhost", "-c", "user.name=bench"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "snapshot"]):
        subprocess.run([*git, *args], cwd=tree, check=True, capture_output=True)
    return tree


def inventories(tree: Path, paths: list[str]) -> list[Path]:
    """The directories the rule evaluates: one per inventory_dir of a YAML file in ``paths``.

    Walked on disk, not listed by git: kubespray's .gitignore ignores ``inventory/*`` but
    ``sample`` and ``local``, and ansible-lint named a path reads its files all the same.
    """
    found = {
        inventory_dir(f)
        for top in [tree / p for p in paths] or [tree]
        for f in top.rglob("*")
        if f.suffix in (".yml", ".yaml") and ".git" not in f.parts
    }
    return sorted(Path(d) for d in found if d is not None)


def findings(tree: Path, env: dict[str, str], paths: list[str]) -> list[str]:
    """The rule's matches in one run (pep8 lines), to say what the measured run reported."""
    proc = subprocess.run(
        [*ANSIBLE_LINT[:-1], "-f", "pep8", "--nocolor", *paths],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in proc.stdout.splitlines() if ": node-timing[" in line]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, help="a kubespray checkout")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--output", type=Path, help="also write the table to this file")
    parser.add_argument("--paths", nargs="+", default=[], help="lint only these paths")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nt-alint-bench-") as scratch:
        workdir = Path(scratch)
        tree = prepare(args.checkout.resolve(), workdir)
        empty = workdir / "no-custom-rules"
        empty.mkdir()
        env = clean_env(workdir)
        env["XDG_CACHE_HOME"] = str(workdir / "cache")
        env["NO_COLOR"] = "1"
        with_rule = {**env, "ANSIBLE_LINT_CUSTOM_RULESDIR": str(RULES)}
        without = {**env, "ANSIBLE_LINT_CUSTOM_RULESDIR": str(empty)}
        reported = findings(tree, with_rule, args.paths)
        command = [*ANSIBLE_LINT, *args.paths]
        sw, so = side_by_side(
            command,
            command,
            args.repeat,
            with_rule,
            without,
            cwd=str(tree),
            ok_a=(0, 2),
            ok_b=(0, 2),
        )
        lints: list[tuple[Path, Sample]] = []
        for directory in inventories(tree, args.paths):
            cmd = [sys.executable, *NODE_TIMING, "lint", str(directory)]
            measure(cmd, env, str(tree), (0, 2, 5))  # warm-up
            sample = Sample()
            for _ in range(args.repeat):
                wall, cpu, rss, code = measure(cmd, env, str(tree), (0, 2, 5))
                sample.walls.append(wall)
                sample.cpus.append(cpu)
                sample.rss_kib = max(sample.rss_kib, rss)
                sample.codes.add(code)
            lints.append((directory, sample))
    text = report(sw, so, lints, reported, tree, args.repeat)
    if args.paths:
        text += f"ansible-lint {' '.join(args.paths)} (not the whole checkout)\n"
    sys.stdout.write(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    return 0


def report(
    sw: Sample,
    so: Sample,
    lints: list[tuple[Path, Sample]],
    reported: list[str],
    tree: Path,
    repeat: int,
) -> str:
    lint_cpu = sum(s.cpu for _, s in lints)
    lint_wall = sum(s.wall for _, s in lints)
    extra_cpu = sw.cpu - so.cpu
    rows = [
        "| run | median wall | median CPU | peak RSS | exit |",
        "|---|---|---|---|---|",
        f"| ansible-lint with the rule | {secs(sw.wall)} | {secs(sw.cpu)} | {mib(sw.rss_kib)} | {sorted(sw.codes)} |",
        f"| ansible-lint without it | {secs(so.wall)} | {secs(so.cpu)} | {mib(so.rss_kib)} | {sorted(so.codes)} |",
    ]
    for directory, s in lints:
        rel = directory.relative_to(tree)
        rows.append(
            f"| node-timing lint {rel} | {secs(s.wall)} | {secs(s.cpu)} | {mib(s.rss_kib)} | {sorted(s.codes)} |"
        )
    rows += [
        "",
        f"repeat {repeat}, alternating; {len(lints)} inventories evaluated; the rule reported "
        f"{len(reported)} findings",
        f"ratio with / without: wall {sw.wall / so.wall:.3f} ×, CPU {sw.cpu / so.cpu:.3f} ×",
        f"extra CPU {extra_cpu:+.3f} s (wall {sw.wall - so.wall:+.3f} s) against one node-timing "
        f"lint of each inventory: CPU {lint_cpu:.3f} s (wall {lint_wall:.3f} s)",
    ]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
