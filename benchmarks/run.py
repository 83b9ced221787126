"""Measure node-timing against what it is compared with, side by side in one run.

    python benchmarks/run.py          # full run (1,000 / 5,000 / 10,000 hosts, 5 repeats)
    python benchmarks/run.py --quick  # smoke: tiny inventories, one repeat
    python benchmarks/run.py --output BENCHMARKS.table.md
    python benchmarks/run.py --skip lint --skip profile --skip role --skip verify   # distinct only
    python benchmarks/run.py --skip lint --skip distinct --skip profile --skip role  # verify only

Every measured command runs as a subprocess of the same Python; the runs of a case and of its
comparison alternate (A B, B A, ...) so that load from other processes hits both alike. Wall time
is the median over ``--repeat`` runs; peak RSS is the largest ``ru_maxrss`` that ``os.wait4``
reports for the child (its own and its waited-for children's). Results are ratios measured in the
same run; nothing here asserts an absolute time.

Cases:
  lint      ``node-timing lint INV``            vs ``ansible-inventory -i INV --list``
  floor     ``node-timing lint INV``            vs reading every file of INV with PyYAML's C loader
                                                (INI: a minimal split of its lines) and nothing else
  distinct  ``node-timing lint INV`` at each of ``--distinct-sizes`` (5,000 / 10,000 / 20,000 workers)
            where every worker has a host_vars file of its own values (one group per host), each
            size against the previous one in one alternating block: the growth ratio
  verify    ``node-timing verify INV --collected DIR`` vs ``node-timing lint INV`` at each of
            ``--verify-sizes`` (1,000 / 2,000 workers), DIR holding every host's kubespray files
            (benchmarks/gen_collected.py) with ``--drift-share`` of the workers drifted; then the
            larger size against the smaller in one alternating block: the growth ratio
  profile   ``node-timing profile fast --nodes 1000`` vs ``python -c pass``
  role      the node_timing role (check and render, no apply) vs one ``debug`` task, same inventory;
            runs only when ``roles/node_timing`` exists in the repository (else a note is printed)
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from gen_collected import generate_collected  # noqa: E402
from gen_inventory import generate  # noqa: E402

# What the installed ``node-timing`` console script runs (pip's wrapper minus its argv[0] fix-up).
NODE_TIMING = ["-c", "import sys; from node_timing.cli import main; sys.exit(main())"]

# Reads every file of an inventory directory and nothing else: the parsing floor.
FLOOR = r"""
import os, sys, yaml
Loader = yaml.CSafeLoader
root = sys.argv[1]
for dirpath, dirnames, filenames in os.walk(root):
    dirnames.sort()
    for name in sorted(filenames):
        path = os.path.join(dirpath, name)
        if name.endswith((".yml", ".yaml", ".json")) or ("vars" in dirpath and "." not in name):
            with open(path, "rb") as fh:
                yaml.load(fh, Loader=Loader)
        elif name.endswith(".ini"):
            hosts = {}
            group = "ungrouped"
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    line = line.strip()
                    if not line or line[0] in "#;":
                        continue
                    if line[0] == "[":
                        group = line[1:-1]
                        continue
                    name, *pairs = line.split()
                    hosts.setdefault(name, {}).update(p.split("=", 1) for p in pairs)
"""


@dataclass
class Sample:
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)  # user + system seconds
    rss_kib: int = 0
    codes: set[int] = field(default_factory=set)

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)


@dataclass
class Row:
    case: str
    size: str
    ours: str
    ours_s: Sample
    theirs: str
    theirs_s: Sample
    target: str = ""
    verdict: str = ""
    ratio_text: str = ""


def measure(
    cmd: list[str], env: dict[str, str], cwd: str | None, ok: tuple[int, ...]
) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds, peak RSS (KiB) and exit code of one run of ``cmd``."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None
    err = proc.stderr.read()  # drained while it runs, so a chatty child cannot block
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    if proc.returncode not in ok:
        raise SystemExit(
            f"benchmark command failed (exit {proc.returncode}): {' '.join(cmd)}\n"
            + err.decode("utf-8", "replace")[-3000:]
        )
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode


def side_by_side(
    a: list[str],
    b: list[str],
    repeat: int,
    env_a: dict[str, str],
    env_b: dict[str, str],
    cwd: str | None = None,
    ok_a: tuple[int, ...] = (0,),
    ok_b: tuple[int, ...] = (0,),
) -> tuple[Sample, Sample]:
    """Run ``a`` and ``b`` ``repeat`` times each, alternating which goes first; one warm-up each."""
    sa, sb = Sample(), Sample()
    measure(a, env_a, cwd, ok_a)  # warm the page cache and .pyc files: neither pays for them
    measure(b, env_b, cwd, ok_b)
    for i in range(repeat):
        order = ((a, env_a, ok_a, sa), (b, env_b, ok_b, sb))
        for cmd, env, ok, sample in order if i % 2 == 0 else reversed(order):
            wall, cpu, rss, code = measure(cmd, env, cwd, ok)
            sample.walls.append(wall)
            sample.cpus.append(cpu)
            sample.rss_kib = max(sample.rss_kib, rss)
            sample.codes.add(code)
    return sa, sb


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.pop("PYTHONPATH", None)
    # Measure as installed: byte code cached (written under the scratch home, not into the tree,
    # and by the warm-up run), whatever the calling shell says.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(home / "pycache")
    env.update(
        {
            "ANSIBLE_HOME": str(home / ".ansible"),
            "ANSIBLE_LOCAL_TEMP": str(home / ".ansible" / "tmp"),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_DEPRECATION_WARNINGS": "0",
            "ANSIBLE_HOST_KEY_CHECKING": "0",
            "ANSIBLE_CONFIG": str(home / "ansible.cfg"),  # absent: no configuration file
        }
    )
    return env


def tool(name: str) -> str:
    """An Ansible command next to this Python (the same installation), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found next to {sys.executable} nor on PATH")
    return found


def core(args: argparse.Namespace) -> Path:
    return Path(args.core).resolve() if args.core else Path(args.repo).resolve() / "src"


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


def secs(s: float) -> str:
    return f"{s:.3f} s" if s < 10 else f"{s:.1f} s"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


# ------------------------------------------------------------------------------------------ cases


def inventory(workdir: Path, hosts: int, fmt: str, share: float, distinct: bool = False) -> Path:
    out = workdir / f"inv-{fmt}-{hosts}{'-distinct' if distinct else ''}"
    if not out.exists():
        generate(out, hosts, fmt, share, distinct)
    return out / ("inventory.ini" if fmt == "ini" else "hosts.yaml")


def run_lint_cases(
    args: argparse.Namespace, workdir: Path, env_nt: dict[str, str], env_ai: dict[str, str]
) -> list[Row]:
    py = sys.executable
    rows: list[Row] = []
    invs: dict[int, Path] = {}
    mid, big = args.sizes[-2], args.sizes[-1]
    for n in args.sizes:
        inv = invs[n] = inventory(workdir, n, args.inventory_format, args.host_vars_share)
        total = f"{n + 3:,} ({args.inventory_format})"
        lint = [py, *NODE_TIMING, "lint", str(inv)]
        print(f"  lint vs ansible-inventory at {n:,} hosts ...", file=sys.stderr, flush=True)
        ours, ai = side_by_side(
            lint,
            [py, tool("ansible-inventory"), "-i", str(inv), "--list"],
            args.repeat,
            env_nt,
            env_ai,
            ok_a=(0, 2),
        )
        row = Row(
            "lint vs `ansible-inventory --list`",
            total,
            "node-timing lint",
            ours,
            "ansible-inventory --list",
            ai,
        )
        row.ratio_text = f"{ai.wall / ours.wall:.1f} × faster"
        if n == mid:
            row.target = "≥ 5× faster; peak RSS lower"
            row.verdict = verdict(ai.wall >= 5 * ours.wall and ours.rss_kib < ai.rss_kib)
        else:
            row.target = "peak RSS lower"
            row.verdict = verdict(ours.rss_kib < ai.rss_kib)
        rows.append(row)
        print(f"  lint vs parsing floor at {n:,} hosts ...", file=sys.stderr, flush=True)
        ours2, floor = side_by_side(
            lint, [py, "-c", FLOOR, str(inv.parent)], args.repeat, env_nt, env_nt, ok_a=(0, 2)
        )
        row = Row(
            "lint vs parsing floor",
            total,
            "node-timing lint",
            ours2,
            "PyYAML CSafeLoader + INI split",
            floor,
        )
        row.ratio_text = f"{ours2.wall / floor.wall:.2f} × the floor"
        if n == mid:
            row.target = "within 2× of the floor"
            row.verdict = verdict(ours2.wall <= 2 * floor.wall)
        rows.append(row)
    # Linearity: the two largest sizes alternate in one block of their own, so that both see
    # the same machine load (separate blocks minutes apart do not on a shared machine).
    print(f"  lint at {big:,} vs {mid:,} hosts ...", file=sys.stderr, flush=True)
    rows.append(
        growth_row("lint linearity", lint_of(invs[big]), lint_of(invs[mid]), big, mid, args, env_nt)
    )
    return rows


def lint_of(inv: Path) -> list[str]:
    return [sys.executable, *NODE_TIMING, "lint", str(inv)]


def growth_row(
    title: str,
    big_cmd: list[str],
    small_cmd: list[str],
    big: int,
    small: int,
    args: argparse.Namespace,
    env_nt: dict[str, str],
    command: str = "lint",
) -> Row:
    """``command`` on ``big`` against ``small`` hosts, alternating in one block of their own so
    that both see the same machine load (separate blocks minutes apart do not on a shared
    machine). Exit 2 (failing findings) is a result, not a failure."""
    ours_big, ours_small = side_by_side(
        big_cmd, small_cmd, args.repeat, env_nt, env_nt, ok_a=(0, 2), ok_b=(0, 2)
    )
    scale = big / small
    limit = 2.2 * scale / 2
    growth = ours_big.wall / ours_small.wall
    return Row(
        title,
        f"{big + 3:,} vs {small + 3:,}",
        f"{command} at {big:,}",
        ours_big,
        f"{command} at {small:,}",
        ours_small,
        target=f"{big:,} hosts ≤ {limit:.1f} × {small:,} hosts",
        verdict=verdict(growth <= limit),
        ratio_text=(
            f"wall grows {growth:.2f} × (CPU {ours_big.cpu / ours_small.cpu:.2f} ×) "
            f"for {scale:.1f} × the hosts"
        ),
    )


def run_distinct_cases(
    args: argparse.Namespace, workdir: Path, env_nt: dict[str, str]
) -> list[Row]:
    """Growth of lint when no two hosts share their values: each size against the previous one,
    alternating in one block so that both see the same machine load."""
    sizes = args.distinct_sizes
    invs = {n: inventory(workdir, n, args.inventory_format, 1.0, distinct=True) for n in sizes}
    rows: list[Row] = []
    for small, big in itertools.pairwise(sizes):
        print(
            f"  lint, distinct values per host, {big:,} vs {small:,} hosts ...",
            file=sys.stderr,
            flush=True,
        )
        title = "lint linearity, a host_vars file of distinct values per host"
        rows.append(
            growth_row(title, lint_of(invs[big]), lint_of(invs[small]), big, small, args, env_nt)
        )
    return rows


def collected(workdir: Path, hosts: int, args: argparse.Namespace) -> tuple[Path, int]:
    """The files fetched from every host of ``inventory(workdir, hosts, ...)`` and how many
    workers drift (written once per work directory, like the inventories)."""
    out = workdir / f"collected-{hosts}-{args.host_vars_share}-{args.drift_share}"
    done = out / ".drifted"  # written last: a run interrupted while writing starts over
    if not done.exists():
        shutil.rmtree(out, ignore_errors=True)
        done.parent.mkdir(parents=True)
        done.write_text(str(generate_collected(out, hosts, args.host_vars_share, args.drift_share)))
    return out, int(done.read_text())


def check_verify(cmd: list[str], env: dict[str, str], drifted: int) -> None:
    """Run ``cmd`` once with ``-f json``: what is timed must find one ``deployed-drift`` per
    drifted worker and read every host's files (no ``yaml-load`` problem), else the collected
    directory does not stand for the inventory and the ratio would mean nothing."""
    proc = subprocess.run([*cmd, "-f", "json"], env=env, capture_output=True, check=False)
    if proc.returncode not in (0, 2):
        raise SystemExit(
            f"verify failed (exit {proc.returncode}): {' '.join(cmd)}\n"
            + proc.stderr.decode("utf-8", "replace")[-3000:]
        )
    findings = json.loads(proc.stdout)
    drift = sum(1 for f in findings if f["rule"] == "deployed-drift")
    problems = [f["message"] for f in findings if f["rule"] == "yaml-load"]
    if drift != drifted or problems:
        raise SystemExit(
            f"verify found {drift} deployed-drift finding(s) for {drifted} drifted worker(s)"
            f" and {len(problems)} yaml-load problem(s) {problems[:3]}: {' '.join(cmd)}"
        )


def run_verify_cases(args: argparse.Namespace, workdir: Path, env_nt: dict[str, str]) -> list[Row]:
    """``verify`` against ``lint`` of the same inventory (what a user runs anyway) at each size,
    then verify's growth from the smaller size to the larger in one alternating block."""
    rows: list[Row] = []
    cmds: dict[int, list[str]] = {}
    sizes = args.verify_sizes
    for n in sizes:
        inv = inventory(workdir, n, args.inventory_format, args.host_vars_share)
        col, drifted = collected(workdir, n, args)
        cmds[n] = [sys.executable, *NODE_TIMING, "verify", str(inv), "--collected", str(col)]
        check_verify(cmds[n], env_nt, drifted)
        print(f"  verify vs lint at {n:,} hosts ...", file=sys.stderr, flush=True)
        ours, lint = side_by_side(
            cmds[n], lint_of(inv), args.repeat, env_nt, env_nt, ok_a=(0, 2), ok_b=(0, 2)
        )
        row = Row(
            "verify vs lint of the same inventory",
            f"{n + 3:,} ({args.inventory_format}), {drifted:,} drifted",
            "node-timing verify --collected",
            ours,
            "node-timing lint",
            lint,
        )
        row.ratio_text = (
            f"verify costs {ours.wall / lint.wall:.1f} × lint (CPU {ours.cpu / lint.cpu:.1f} ×)"
        )
        rows.append(row)
    for small, big in itertools.pairwise(sizes):
        print(f"  verify at {big:,} vs {small:,} hosts ...", file=sys.stderr, flush=True)
        rows.append(
            growth_row(
                "verify linearity", cmds[big], cmds[small], big, small, args, env_nt, "verify"
            )
        )
    return rows


def run_profile_case(args: argparse.Namespace, env_nt: dict[str, str]) -> Row:
    py = sys.executable
    print("  profile cold start vs python -c pass ...", file=sys.stderr, flush=True)
    ours, bare = side_by_side(
        [py, *NODE_TIMING, "profile", "fast", "--nodes", "1000"],
        [py, "-c", "pass"],
        max(args.repeat, 5) * (1 if args.quick else 4),
        env_nt,
        env_nt,
    )
    row = Row(
        "`profile` cold start",
        "-",
        "node-timing profile fast --nodes 1000",
        ours,
        "python -c pass",
        bare,
    )
    row.ratio_text = f"{ours.wall / bare.wall:.1f} × `python -c pass`"
    row.target = "within 5× of `python -c pass`"
    row.verdict = verdict(ours.wall <= 5 * bare.wall)
    return row


PLAY_ROLE = """---
- name: node-timing role, check and render (no apply)
  hosts: k8s_cluster
  gather_facts: false
  connection: local
  vars:
    node_timing_profile: kubespray-default
    node_timing_fail_on: never
    node_timing_apply: false
    node_timing_render_dir: "{render}"
  roles:
    - kubetiming.node_timing.node_timing
"""

PLAY_BASELINE = """---
- name: baseline, one debug task
  hosts: k8s_cluster
  gather_facts: false
  connection: local
  tasks:
    - name: one task
      ansible.builtin.debug:
        msg: "{{ inventory_hostname }}"
"""


def collections_path(repo: Path, workdir: Path) -> Path:
    """The repository's ``collections/`` if it has one, else a tree of links made here."""
    if (repo / "collections" / "ansible_collections" / "kubetiming" / "node_timing").exists():
        return repo / "collections"
    base = workdir / "collections"
    coll = base / "ansible_collections" / "kubetiming" / "node_timing"
    coll.mkdir(parents=True, exist_ok=True)
    for part in ("roles", "plugins", "meta", "galaxy.yml"):
        if (repo / part).exists() and not (coll / part).exists():
            (coll / part).symlink_to(repo / part)
    return base


def run_role_case(args: argparse.Namespace, workdir: Path, home: Path) -> Row | str:
    repo = Path(args.repo).resolve()
    if not (repo / "roles" / "node_timing").is_dir():
        return (
            f"role: skipped, {repo}/roles/node_timing does not exist in this checkout (the role is "
            "developed on another branch); the harness runs it when the role is present"
        )
    print(f"  role vs one debug task at {args.role_hosts:,} hosts ...", file=sys.stderr, flush=True)
    inv = inventory(workdir, args.role_hosts, args.inventory_format, args.host_vars_share)
    role_play = workdir / "role.yml"
    render = workdir / "render"
    role_play.write_text(PLAY_ROLE.format(render=render))
    base_play = workdir / "baseline.yml"
    base_play.write_text(PLAY_BASELINE)
    env = clean_env(home)
    if (repo / "ansible.cfg").is_file():
        env["ANSIBLE_CONFIG"] = str(repo / "ansible.cfg")
    env["ANSIBLE_COLLECTIONS_PATH"] = str(collections_path(repo, workdir))
    env["PYTHONPATH"] = str(core(args))
    interpreter = f"ansible_python_interpreter={sys.executable}"
    playbook = tool("ansible-playbook")
    try:
        ours, base = side_by_side(
            [sys.executable, playbook, "-i", str(inv), "-e", interpreter, str(role_play)],
            [sys.executable, playbook, "-i", str(inv), "-e", interpreter, str(base_play)],
            args.repeat,
            env,
            env,
            cwd=str(repo),
        )
    except SystemExit as exc:  # the role is under development: report, do not lose the table
        tail = " ".join(str(exc).split())[-600:]
        return f"role: not measured, the play failed: {tail}"
    row = Row(
        "role (check + render) vs one `debug` task",
        f"{args.role_hosts + 3:,} ({args.inventory_format})",
        "ansible-playbook role.yml",
        ours,
        "ansible-playbook baseline.yml",
        base,
    )
    row.ratio_text = f"{(ours.wall / base.wall - 1) * 100:+.0f} % wall"
    row.target = "≤ +50 % wall over the baseline"
    row.verdict = verdict(ours.wall <= 1.5 * base.wall)
    return row


# ------------------------------------------------------------------------------------------ output


def table(rows: list[Row]) -> str:
    head = (
        "| case | hosts | ours: median wall | ours: peak RSS | compared with | its median wall | "
        "its peak RSS | ratio | target | verdict |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
    )
    body = ""
    for r in rows:
        ours_rss = mib(r.ours_s.rss_kib) if r.ours_s.rss_kib else "-"
        their_rss = mib(r.theirs_s.rss_kib) if r.theirs_s.rss_kib else "-"
        body += (
            f"| {r.case} | {r.size} | {secs(r.ours_s.wall)} | {ours_rss} | "
            f"{r.theirs} | {secs(r.theirs_s.wall)} | {their_rss} | "
            f"{r.ratio_text} | {r.target or '-'} | {r.verdict or '-'} |\n"
        )
    return head + body


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument(
        "--repeat", type=int, default=5, help="runs per command (median reported; default 5)"
    )
    ap.add_argument(
        "--sizes",
        default="1000,5000,10000",
        help="worker counts, comma-separated; targets use the last two (default 1000,5000,10000)",
    )
    ap.add_argument(
        "--distinct-sizes",
        default="5000,10000,20000",
        help="worker counts of the distinct-values case, comma-separated (default 5000,10000,20000)",
    )
    ap.add_argument(
        "--verify-sizes",
        default="1000,2000",
        help="worker counts of the verify case, comma-separated (default 1000,2000)",
    )
    ap.add_argument("--inventory-format", choices=("ini", "yaml"), default="ini")
    ap.add_argument("--host-vars-share", type=float, default=0.1)
    ap.add_argument(
        "--drift-share",
        type=float,
        default=0.1,
        help="share of workers whose collected files differ from the inventory (default 0.1)",
    )
    ap.add_argument("--role-hosts", type=int, default=1000, help="workers in the role's inventory")
    ap.add_argument(
        "--repo", default=str(ROOT), help="repository root (for src/ and roles/node_timing)"
    )
    ap.add_argument("--core", help="directory holding the node_timing package (default: REPO/src)")
    ap.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=("lint", "distinct", "verify", "profile", "role"),
    )
    ap.add_argument("--quick", action="store_true", help="smoke run: tiny sizes, one repeat")
    ap.add_argument(
        "--workdir", help="where inventories are generated (default: a temporary directory)"
    )
    ap.add_argument("--output", help="also write the markdown table to this file")
    args = ap.parse_args(argv)
    if args.quick:
        args.repeat = 1
        if args.sizes == ap.get_default("sizes"):
            args.sizes = "10,20,40"
        if args.role_hosts == ap.get_default("role_hosts"):
            args.role_hosts = 10
        if args.distinct_sizes == ap.get_default("distinct_sizes"):
            args.distinct_sizes = "10,20,40"
        if args.verify_sizes == ap.get_default("verify_sizes"):
            args.verify_sizes = "10,20"
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    args.distinct_sizes = [int(s) for s in args.distinct_sizes.split(",") if s.strip()]
    args.verify_sizes = [int(s) for s in args.verify_sizes.split(",") if s.strip()]
    if (
        min(len(args.sizes), len(args.distinct_sizes), len(args.verify_sizes)) < 2
        or args.repeat < 1
    ):
        ap.error(
            "--sizes, --distinct-sizes and --verify-sizes need two sizes or more, "
            "and --repeat at least 1"
        )

    with tempfile.TemporaryDirectory(prefix="node-timing-bench-") as tmp:
        workdir = Path(args.workdir) if args.workdir else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        home = Path(tmp) / "home"
        home.mkdir()
        env_ai = clean_env(home)
        env_nt = dict(env_ai)
        env_nt["PYTHONPATH"] = str(core(args))
        rows: list[Row] = []
        notes: list[str] = []
        if "lint" not in args.skip:
            rows += run_lint_cases(args, workdir, env_nt, env_ai)
        if "distinct" not in args.skip:
            rows += run_distinct_cases(args, workdir, env_nt)
        if "verify" not in args.skip:
            rows += run_verify_cases(args, workdir, env_nt)
        if "profile" not in args.skip:
            rows.append(run_profile_case(args, env_nt))
        if "role" not in args.skip:
            got = run_role_case(args, workdir, home)
            if isinstance(got, str):
                notes.append(got)
            else:
                rows.append(got)
    text = table(rows)
    text += f"\nMedian of {args.repeat} run(s) per command after one warm-up run; "
    text += "peak RSS is the largest `ru_maxrss` of the command's process tree (os.wait4).\n"
    for note in notes:
        text += f"\nNote — {note}.\n"
    sys.stdout.write(text)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
