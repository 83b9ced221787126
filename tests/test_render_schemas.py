"""The JSON Schemas: valid draft 2020-12, in step with the knowledge base, and met by our output."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from node_timing import durations, jsonschemas, profiles, settings
from node_timing.render import apiserver_args, controller_args, kubelet_config, render_all

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", jsonschemas.NAMES)
def test_schema_is_valid_and_identified(name: str) -> None:
    schema = jsonschemas.load(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"urn:node-timing:schema:{name}"
    assert schema["title"] and schema["description"]


def test_top_level_schemas_is_the_package_directory() -> None:
    assert (ROOT / "schemas").resolve() == (ROOT / "src" / "node_timing" / "schemas").resolve()
    shipped = {p.stem for p in (ROOT / "schemas").glob("*.json")}
    assert shipped == set(jsonschemas.NAMES)


def test_role_inputs_follow_the_knowledge_base() -> None:
    props = jsonschemas.load("role-inputs")["properties"]
    assert props["node_timing_profile"]["enum"] == profiles.names()
    assert list(props["node_timing_overrides"]["properties"]) == settings.setting_paths()
    good = {
        "node_timing_profile": "fast",
        "node_timing_node_count": 120,
        "node_timing_kube_version": "v1.35.4",
        "node_timing_overrides": {
            "controller_manager.node_monitor_grace_period": "30s",
            "apiserver.default_unreachable_toleration_seconds": 45,
            "kubelet.node_status_report_frequency": "inherit",
        },
        "node_timing_fail_on": "warning",
    }
    assert jsonschemas.errors("role-inputs", good) == []
    bad = {"node_timing_profile": "turbo", "node_timing_overrides": {"kubelet.typo": "1s"}}
    assert len(jsonschemas.errors("role-inputs", bad)) == 2


@pytest.mark.parametrize(
    "text", ["0", "10s", "1m0s", "1.5m", "500ms", "2h45m", "-1s", ".5s", "1µs"]
)
def test_duration_pattern_accepts_go_durations(text: str) -> None:
    durations.parse(text)
    assert jsonschemas.errors("kubelet-timing", {"nodeStatusUpdateFrequency": text}) == []


@pytest.mark.parametrize("text", ["10", "1d", "s", "10 s", "1.5", ""])
def test_duration_pattern_refuses_what_go_refuses(text: str) -> None:
    with pytest.raises(durations.DurationError):
        durations.parse(text)
    assert jsonschemas.errors("kubelet-timing", {"nodeStatusUpdateFrequency": text})


@pytest.mark.parametrize("name", profiles.names())
@pytest.mark.parametrize("version", ["1.26", "1.35"])
def test_rendered_output_meets_the_schemas(name: str, version: str) -> None:
    result = profiles.compute(name, 2000, kube_version=version)
    s, v = result.settings, result.kube_version
    current = {"kube_kubeadm_controller_extra_args": {"terminated-pod-gc-threshold": "100"}}
    files = render_all(s, v, current_kubespray=current)
    kubespray_vars = yaml.safe_load(files["kubespray/node-timing.yml"])
    assert jsonschemas.errors("kubespray-timing-vars", kubespray_vars) == []
    assert jsonschemas.errors("kubelet-timing", kubelet_config(s)) == []
    for style in ("v1beta3", "v1beta4"):
        assert jsonschemas.errors("kubeadm-extra-args", controller_args(s, v, style)) == []
        assert jsonschemas.errors("kubeadm-extra-args", apiserver_args(s, style)) == []


def test_kubespray_schema_flags_removed_and_malformed_values() -> None:
    bad = {
        "kube_controller_pod_eviction_timeout": "5m",
        "kube_apiserver_pod_eviction_unreachable_timeout_seconds": "30s",
        "kubelet_status_update_frequency": "10",
        "kube_kubeadm_controller_extra_args": {"pod-eviction-timeout": "5m0s"},
    }
    assert len(jsonschemas.errors("kubespray-timing-vars", bad)) == 4
