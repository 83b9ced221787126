"""What the components run when kubespray renders a setting more than once, or not at all.

Pure functions over the facts in ``data/kubernetes.yml`` (``kubeadm_extra_args``,
``kubelet_config``) and ``data/kubespray.yml`` (``rendering``); no inventory, no I/O:

- :func:`resolve_kubeadm_duplicates`: kubespray renders a control-plane flag from its first-class
  variable and again from ``kube_kubeadm_*_extra_args``. Which value the component runs depends on
  the kubeadm API (v1beta4 list, v1beta3 map) and on the kubeadm release: before PR
  kubernetes/kubernetes#135400 kubeadm sorted the arguments by (name, value) as text, so the
  greatest value text comes last and the flag parser keeps it ("40s" beats "20s", "5s" beats
  "10s", "300" beats "30"); after it the user's order is kept and kubespray's extra-args entry,
  rendered last, runs.
- :func:`kubelet_effective`: ``SetDefaults_KubeletConfiguration`` on the configuration file (0
  means unset), then the command line over it, with no defaulting after the flags.
- :func:`parse_custom_flags`: the kubelet flags ``kubelet_custom_flags`` puts on the command line,
  as kubespray's ``join(' ')`` and systemd's word splitting produce them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from node_timing import durations, knowledge
from node_timing.display import brief, cut
from node_timing.knowledge import KubeVersion

ApiVersion = Literal["v1beta3", "v1beta4"]
# How kubeadm orders a repeated name: sorted by value text, kept in the user's order, the last
# key of a YAML map, or not known for this release (a patch release is needed to tell).
Order = Literal["sorted", "user-order", "last-key", "unknown", "refused"]


@dataclass(frozen=True)
class Rendered:
    """One value kubespray renders for a flag, in render order.

    ``name`` is the argument name as written (kubeadm compares names literally, the component
    does not: ``node_monitor_grace_period`` and ``node-monitor-grace-period`` are the same flag to
    kube-controller-manager); empty means the canonical name.
    """

    value: str
    origin: str
    name: str = ""


@dataclass(frozen=True)
class Resolution:
    """The value a component runs for a flag kubespray renders more than once."""

    winner: Rendered | None  # None: the render fails, or the release decides and is not known
    order: Order
    reason: str
    candidates: tuple[Rendered, ...] = ()
    # The winners under each order the release may have, when ``order`` is "unknown".
    possible: tuple[Rendered, ...] = ()

    @property
    def certain(self) -> bool:
        return self.winner is not None


def canonical_flag(name: str) -> str:
    """A flag name as the component sees it: no leading dashes, ``_`` read as ``-``
    (component-base ``WordSepNormalizeFunc``)."""
    return name.lstrip("-").replace("_", "-")


def _facts() -> dict[str, Any]:
    facts: dict[str, Any] = knowledge.kubernetes()["kubeadm_extra_args"]
    return facts


def kubeadm_order(api_version: ApiVersion, version: KubeVersion) -> Order:
    """How kubeadm at ``version`` orders repeated extraArgs names of ``api_version``.

    A version without a patch number is "unknown" where the answer changed inside its minor
    (1.34.4, 1.35.1), as is a patch release at or after an unconfirmed backport (1.32, 1.33).
    """
    if api_version == "v1beta3":
        return "last-key"
    if version.key() < (1, 31):
        return "refused"
    facts = _facts()["v1beta4"]
    fixed = {KubeVersion.parse(e["minor"]).key(): int(e["patch"]) for e in facts["user_order_from"]}
    unverified = {
        KubeVersion.parse(e["minor"]).key(): int(e["patch"]) for e in facts["user_order_unverified"]
    }
    if version.key() > max(fixed):
        return "user-order"
    if version.key() in fixed:
        first = fixed[version.key()]
        if first == 0:
            return "user-order"
        if version.patch is None:
            return "unknown"
        return "user-order" if version.patch >= first else "sorted"
    if version.key() in unverified and (
        version.patch is None or version.patch >= unverified[version.key()]
    ):
        return "unknown"
    return "sorted"


def _name(entry: Rendered, default: str) -> str:
    return entry.name or default


def _command_line(entries: Sequence[Rendered], flag: str, order: Order) -> list[Rendered]:
    """The entries in the order they reach the component's command line."""
    if order == "sorted":
        # Go compares strings byte-wise; for UTF-8 text that is code point order, as in Python.
        return sorted(entries, key=lambda e: (_name(e, flag), e.value))
    return list(entries)


def _quoted(entry: Rendered) -> str:
    return f'"{cut(entry.value)}" ({entry.origin})'


def resolve_kubeadm_duplicates(
    entries: Sequence[Rendered],
    flag: str,
    api_version: ApiVersion,
    version: KubeVersion,
    *,
    validate: bool = True,
) -> Resolution:
    """The value kube-controller-manager or kube-apiserver runs for ``flag`` rendered as ``entries``.

    ``entries`` are in kubespray's render order (first-class variable first, then the extra-args
    dict); ``flag`` is the canonical name. ``validate`` is kubespray's
    ``kubeadm_config_validate_enabled`` (default true): with v1beta3 a repeated map key then fails
    ``kubeadm config validate`` and the deployment stops before anything runs.
    """
    entries = tuple(entries)
    if not entries:
        raise ValueError("no rendered values to resolve")
    if len(entries) == 1:
        return Resolution(entries[0], "user-order", "rendered once", entries)
    if api_version == "v1beta3":
        return _resolve_v1beta3(entries, flag, version, validate)
    order = kubeadm_order(api_version, version)
    if order == "refused":
        return Resolution(
            None,
            "refused",
            f"kubeadm {version} does not read kubeadm.k8s.io/v1beta4 (introduced in 1.31)",
            entries,
        )
    if order == "unknown":
        sorted_winner = _command_line(entries, flag, "sorted")[-1]
        kept_winner = entries[-1]
        if sorted_winner == kept_winner or sorted_winner.value == kept_winner.value:
            order = "sorted"  # both orders run the same value: say the one that needs no patch
        else:
            return Resolution(
                None,
                "unknown",
                f"kubeadm {version} either sorts extraArgs by value text ({_quoted(sorted_winner)} "
                f"would run) or keeps kubespray's order ({_quoted(kept_winner)} would run): "
                f"{_fixed_in_text(version)}",
                entries,
                (sorted_winner, kept_winner),
            )
    line = _command_line(entries, flag, order)
    winner = line[-1]
    if order == "sorted":
        others = ", ".join(f'"{cut(e.value)}"' for e in line[:-1])
        reason = (
            f"kubeadm {version} sorts extraArgs by name and value as text and passes all of "
            f"them; the last one runs: {_quoted(winner)} sorts after {others}"
        )
        if any(_name(e, flag) != _name(winner, flag) for e in line):
            reason += " (kubeadm compares names literally: '_' sorts after '-')"
    else:
        reason = (
            f"kubeadm {version} keeps extraArgs in kubespray's order and the last one runs: "
            f"{_quoted(winner)} is rendered last"
        )
    return Resolution(winner, order, reason, entries)


def _fixed_in_text(version: KubeVersion) -> str:
    facts = _facts()["v1beta4"]
    for e in facts["user_order_from"]:
        if KubeVersion.parse(e["minor"]).key() == version.key():
            return (
                f"kubeadm keeps the order from {version.minor_text}.{e['patch']}; set kube_version "
                "to the patch release to know which"
            )
    for e in facts["user_order_unverified"]:
        if KubeVersion.parse(e["minor"]).key() == version.key():
            return (
                f"the change was backported to {version.minor_text} (first release, presumably "
                f"{version.minor_text}.{e['patch']}, not confirmed)"
            )
    return "the release is not known"  # pragma: no cover - kubeadm_order only says unknown above


def _resolve_v1beta3(
    entries: tuple[Rendered, ...], flag: str, version: KubeVersion, validate: bool
) -> Resolution:
    # A map: the same literal key twice is a duplicate YAML key; different spellings of one flag
    # are different keys, converted to arguments sorted by name (convertToArgs).
    by_name: dict[str, list[Rendered]] = {}
    for e in entries:
        by_name.setdefault(_name(e, flag), []).append(e)
    repeated = [name for name, group in by_name.items() if len(group) > 1]
    if repeated and validate:
        return Resolution(
            None,
            "refused",
            f"the v1beta3 kubeadm configuration repeats the key {brief(repeated[0])}: kubespray's "
            "`kubeadm config validate` (kubeadm_config_validate_enabled, default true) refuses it "
            "and the deployment stops",
            entries,
        )
    last_per_name = {name: group[-1] for name, group in by_name.items()}
    winner = last_per_name[max(last_per_name)]
    if repeated:
        reason = (
            f"kubeadm {version} decodes the repeated v1beta3 key {brief(repeated[0])} leniently "
            f"(with a warning): the last key in the file wins, {_quoted(winner)}"
        )
    else:
        reason = (
            f"kubeadm {version} passes both spellings, sorted by name ('_' after '-'); the last "
            f"one runs: {_quoted(winner)}"
        )
    return Resolution(winner, "last-key", reason, entries)


# --- kubelet -------------------------------------------------------------------------------------

UPDATE = "kubelet.node_status_update_frequency"
REPORT = "kubelet.node_status_report_frequency"
LEASE = "kubelet.node_lease_duration_seconds"


@dataclass(frozen=True)
class KubeletFile:
    """The three timing fields of a kubelet configuration file as written; None = absent.

    Durations in nanoseconds, the lease in seconds.
    """

    node_status_update_frequency: int | None = None
    node_status_report_frequency: int | None = None
    node_lease_duration_seconds: int | None = None


@dataclass(frozen=True)
class KubeletRuns:
    """What the kubelet runs with, and how each field got its value."""

    node_status_update_frequency: int
    node_status_report_frequency: int
    node_lease_duration_seconds: int
    # setting path → how its value came about ("set", "default", "inherits ...", "flag")
    how: tuple[tuple[str, str], ...]
    refused: str | None = None  # why the kubelet will not start with this configuration

    def explain(self, path: str) -> str:
        return dict(self.how)[path]


def _default_ns(path: str, version: KubeVersion) -> int:
    return durations.parse(str(knowledge.default_for(path, version)))


def kubelet_effective(
    given: KubeletFile, version: KubeVersion, *, flag_update: int | None = None
) -> KubeletRuns:
    """``SetDefaults_KubeletConfiguration`` on ``given``, then ``--node-status-update-frequency``.

    Exactly as defaults.go: the report frequency is defaulted first, to the update frequency if
    that was set non-zero in the file, else 5m; then a zero/absent update frequency becomes 10s and
    a zero/absent lease 40. The flag is applied after defaulting (kubeletConfigFlagPrecedence) and
    nothing is derived from it. Only a lease ≤ 0 after all that is refused (validation.go).
    """
    update = given.node_status_update_frequency or 0
    report = given.node_status_report_frequency or 0
    lease = given.node_lease_duration_seconds or 0
    how: dict[str, str] = {}
    if report == 0:
        if update == 0:
            report = _default_ns(REPORT, version)
            how[REPORT] = "default (nodeStatusUpdateFrequency not set in the file)"
        else:
            report = update
            how[REPORT] = "inherits nodeStatusUpdateFrequency set in the file"
    else:
        how[REPORT] = "set in the file"
    if update == 0:
        update = _default_ns(UPDATE, version)
        how[UPDATE] = "default"
    else:
        how[UPDATE] = "set in the file"
    if lease == 0:
        lease = int(knowledge.default_for(LEASE, version))
        how[LEASE] = "default"
    else:
        how[LEASE] = "set in the file"
    if flag_update is not None:
        update = flag_update
        how[UPDATE] = "kubelet flag --node-status-update-frequency (over the file)"
    refused = None
    if lease < 0:
        refused = f"nodeLeaseDurationSeconds must be greater than 0, got {lease}"
    return KubeletRuns(update, report, lease, tuple(how.items()), refused)


# --- kubelet_custom_flags ------------------------------------------------------------------------


@dataclass(frozen=True)
class KubeletFlag:
    """One ``--name[=value]`` the kubelet receives from ``kubelet_custom_flags``."""

    written: str  # the token(s) as kubespray renders them
    name: str  # canonical: no dashes, '_' read as '-'
    value: str | None
    item: int  # index of the list item it came from


@dataclass(frozen=True)
class CustomFlags:
    """The flags of ``kubelet_custom_flags`` in command-line order."""

    flags: tuple[KubeletFlag, ...]
    problem: str | None = None  # why the value does not reach the kubelet as written

    def last(self, name: str) -> KubeletFlag | None:
        """The occurrence of ``name`` the kubelet keeps (pflag: the last)."""
        found = [f for f in self.flags if f.name == name]
        return found[-1] if found else None


def kubelet_flag_settings() -> dict[str, str]:
    """Kubelet flag (canonical name) → the setting it sets, for the timing settings that have one."""
    flags: dict[str, str] = knowledge.kubernetes()["kubelet_config"]["flags"]
    return flags


def parse_custom_flags(raw: object, value_flags: frozenset[str] = frozenset()) -> CustomFlags:
    """The kubelet flags ``kubelet_custom_flags`` renders.

    kubespray writes ``{{ kubelet_custom_flags | join(' ') }}`` into ``KUBELET_ARGS`` and systemd
    splits ``$KUBELET_ARGS`` at whitespace. A list item may hold several flags or ``--name value``.
    A plain string is joined character by character by Jinja's ``join`` (``--a=1`` becomes
    ``- - a = 1``), so none of its flags reaches the kubelet. ``--name value`` takes the next word
    as the value for a timing flag (``value_flags`` adds more) and for any word not starting
    with ``-``; ``--`` ends the flags (pflag).
    """
    if raw is None:
        return CustomFlags(())
    if isinstance(raw, str):
        if not raw.strip():
            return CustomFlags(())
        return CustomFlags(
            (),
            problem=(
                f"kubelet_custom_flags is the string {brief(raw)}, not a list: kubespray joins it "
                "character by character (join(' ')), so the kubelet gets single letters, not these flags"
            ),
        )
    if not isinstance(raw, list | tuple):
        return CustomFlags((), problem=f"kubelet_custom_flags must be a list, got {brief(raw)}")
    takes_value = frozenset(kubelet_flag_settings()) | value_flags
    words: list[tuple[str, int]] = []
    for index, item in enumerate(raw):
        if isinstance(item, dict | list | tuple | set):
            continue  # rendered as Python text; not a flag a rule can read
        text = "" if item is None else str(item)
        words.extend((w, index) for w in text.split())
    flags: list[KubeletFlag] = []
    i = 0
    while i < len(words):
        word, index = words[i]
        i += 1
        if word == "--":
            break
        if not word.startswith("--") or len(word) == 2:
            continue  # a value, a shorthand (-v) or a positional word
        body = word[2:]
        if "=" in body:
            name, value = body.split("=", 1)
            flags.append(KubeletFlag(word, canonical_flag(name), value, index))
            continue
        name = canonical_flag(body)
        if i < len(words) and (name in takes_value or not words[i][0].startswith("-")):
            value_word = words[i][0]
            i += 1
            flags.append(KubeletFlag(f"{word} {value_word}", name, value_word, index))
        else:
            flags.append(KubeletFlag(word, name, None, index))
    return CustomFlags(tuple(flags))
