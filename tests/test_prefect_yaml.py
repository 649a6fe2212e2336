"""prefect.yaml stays in step with pipeline/flows.py."""

from __future__ import annotations

import inspect

import yaml
from prefect.events import DeploymentEventTrigger

import pipeline.flows as flows
from tests.conftest import REPO


def deployments() -> list[dict]:
    return yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]


def test_every_flow_has_a_deployment() -> None:
    declared = {
        name
        for name, obj in vars(flows).items()
        if hasattr(obj, "fn") and name.endswith("_flow") and not name.startswith("_")
    }
    deployed = {d["entrypoint"].split(":")[1] for d in deployments()}
    assert declared == deployed


def test_deployment_parameters_are_parameters_of_their_flow() -> None:
    for deployment in deployments():
        flow = getattr(flows, deployment["entrypoint"].split(":")[1])
        accepted = set(inspect.signature(flow.fn).parameters)
        assert set(deployment.get("parameters") or {}) <= accepted, deployment["name"]


def test_the_refresh_deployment_is_scheduled_nightly() -> None:
    refresh = next(d for d in deployments() if d["name"] == "nightly-refresh")
    assert refresh["schedules"][0]["cron"] == "0 2 * * *"
    assert refresh["parameters"]["inbox"] == "corpus/inbox"


def test_the_refresh_deployment_runs_when_reviews_arrive() -> None:
    refresh = next(d for d in deployments() if d["name"] == "nightly-refresh")
    declared = [DeploymentEventTrigger(**trigger) for trigger in refresh["triggers"]]
    assert [t.model_dump() for t in declared] == [flows.arrival_trigger().model_dump()]
