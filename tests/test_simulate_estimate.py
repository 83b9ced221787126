"""simulate's work estimate counts what the runs do: nodes, zones and runs; counts, not times.

A monitor pass decides every zone's state, so zones cost work even where no node of them is
simulated (the estimate left them out: ``--zones 1000 --runs 4`` was accepted and ran minutes).
The advice of the refusal names only what lowers the work.
"""

from __future__ import annotations

import pytest

from node_timing import profiles
from node_timing.simulate import model
from node_timing.simulate import scenarios as sc
from node_timing.simulate.values import Params


def _zone_states(monkeypatch: pytest.MonkeyPatch, s: sc.Scenario, profile: str, runs: int) -> int:
    """How many zone states the runs decide."""
    calls = [0]
    real = model.Simulation._zone_state

    def counting(self: model.Simulation, zone: model.Zone) -> str:
        calls[0] += 1
        return real(self, zone)

    monkeypatch.setattr(model.Simulation, "_zone_state", counting)
    settings = profiles.compute(profile, s.nodes).settings
    for seed in range(runs):
        sc.run_once(s, settings, seed)
    return calls[0]


@pytest.mark.parametrize("zones", [10, 40])
def test_the_estimate_covers_every_zone_state_decided(
    monkeypatch: pytest.MonkeyPatch, zones: int
) -> None:
    s = sc.Scenario(name="node-crash", nodes=200, zones=zones, horizon=600.0)
    p = Params.from_settings(profiles.compute("fast", 200).settings)
    decided = _zone_states(monkeypatch, s, "fast", 2)
    terms = sc.work_terms(s, p, 2)
    assert decided >= 2 * zones * 100  # the zones did cost work ...
    assert decided <= terms["zones"] / sc.ZONE_STEP  # ... and the estimate counts all of it


def test_zones_and_runs_grow_the_estimate() -> None:
    p = Params.from_settings(profiles.compute("fast", 1000).settings)
    one = sc.estimated_work(sc.Scenario(name="node-crash", nodes=1000, zones=1), p, 1)
    many = sc.estimated_work(sc.Scenario(name="node-crash", nodes=1000, zones=1000), p, 1)
    assert many > 100 * one
    assert sc.estimated_work(
        sc.Scenario(name="node-crash", nodes=1000, zones=1000), p, 4
    ) == pytest.approx(4 * many)


def test_many_zones_are_refused_with_advice_that_helps(cli) -> None:  # type: ignore[no-untyped-def]
    args = ("simulate", "--profile", "fast", "--nodes", "1000", "--runs", "4", "--duration", "2h")
    r = cli(*args, "--zones", "1000")
    assert r.code == 3, r.err
    assert "too much to simulate" in r.err and "fewer --zones" in r.err
    # only the failed node is simulated: fewer nodes would not help, so it is not advised
    assert "fewer --nodes" not in r.err
    assert cli(*args, "--zones", "10", "-q").code == 0
