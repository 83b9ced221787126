"""What node-timing prints: YAML written without PyYAML must be byte-for-byte PyYAML's, and the
knowledge base's compiled JSON must say what the YAML data files say."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from node_timing import knowledge, kubespray, profiles
from node_timing import serialize as output
from node_timing.render import kubelet

DATA = Path(knowledge.__file__).parent / "data"


def pyyaml(data: Any) -> str:
    return yaml.dump(
        data, Dumper=output._dumper(), sort_keys=False, default_flow_style=False, allow_unicode=True
    )


@pytest.mark.parametrize("profile", profiles.names())
@pytest.mark.parametrize("version", ["1.26", "1.31", "1.35", "1.37"])
def test_kubespray_vars_and_kubelet_config_are_written_as_pyyaml_would(
    profile: str, version: str
) -> None:
    result = profiles.compute(profile, nodes=1000, kube_version=version)
    kv = knowledge.KubeVersion.parse(version)
    current = {"kubelet_config_extra_args": {"maxPods": 110, "cgroupDriver": "systemd"}}
    for data in (
        kubespray.to_vars(result.settings, None, kv),
        kubespray.to_vars(result.settings, current, kv),
        kubelet.kubelet_config(result.settings),
    ):
        written = output._simple_yaml(data)
        assert written is not None, data  # the usual output does not need PyYAML
        assert written == pyyaml(data)
        assert output.to_yaml(data) == written


WORDS = ["a", "maxPods", "node-eviction-rate", "kube_x", "a.b/c", "v1/", "a..", "x-"]
words = st.sampled_from([*WORDS, "y", "yes", "No", "on", "null", "True"])
texts = st.one_of(
    words,
    st.sampled_from(["40s", "5m0s", "1h2m3s", "0", "30", "0.55", "007", "1e3", "1.30", "1:30"]),
    st.sampled_from(["2024-01-02", "~", "", " x", "x y", "a: b", "-x", "#c", "é", "'q'", "\t"]),
    st.text(max_size=8),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-(10**20), 10**20), texts, st.floats())
values = st.one_of(scalars, st.dictionaries(texts, scalars, max_size=4), st.lists(scalars))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(texts, values, max_size=6))
def test_yaml_without_pyyaml_is_pyyamls_or_not_attempted(data: dict[str, Any]) -> None:
    written = output._simple_yaml(data)
    if written is not None:
        assert written == pyyaml(data)
        assert yaml.safe_load(written) == (data or {})
    assert output.to_yaml(data) == pyyaml(data)


def test_compiled_knowledge_matches_the_yaml_data_files() -> None:
    on_disk = (DATA / knowledge.COMPILED).read_text(encoding="utf-8")
    assert on_disk == knowledge.compile_data(), (
        "data/*.yml changed: run python -m node_timing.knowledge"
    )
    compiled = json.loads(on_disk)
    assert sorted(compiled) == sorted(p.name for p in DATA.glob("*.yml"))
    for name, data in compiled.items():
        assert data == yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def test_profile_imports_no_yaml_jsonschema_jinja_or_ansible() -> None:
    code = (
        "import sys\n"
        "from node_timing import cli\n"
        "try:\n"
        "    cli.main(['profile', 'fast', '--nodes', '1000'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('yaml', 'jsonschema', 'jinja2', 'ruamel', 'ansible', 'importlib.resources')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert "lease writes per minute" in proc.stdout
    assert proc.stderr.strip().splitlines()[-1] == "[]", proc.stderr
