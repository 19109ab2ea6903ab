"""/metrics: Prometheus text with per-route-template request counts and latencies, the job
queue and cache hit ratios; readable with the metrics token or by admins only."""

import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from learnwise.platform import jobs
from learnwise.platform.runtime import Runtime


def samples(text: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


@pytest.fixture
def metrics_token(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> str:
    token = "scraper-token-for-tests-0123456789"
    reports = runtime.settings.reports.model_copy(update={"metrics_token": SecretStr(token)})
    monkeypatch.setattr(
        runtime, "settings", runtime.settings.model_copy(update={"reports": reports})
    )
    return token


async def test_only_the_token_or_an_admin_reads_metrics(
    client, make_account, metrics_token
) -> None:
    learner = await make_account("learner")
    instructor = await make_account("instructor")
    admin = await make_account("admin")
    assert (await client.get("/metrics")).status_code == 401
    assert (
        await client.get("/metrics", headers={"Authorization": "Bearer wrong-token"})
    ).status_code == 401
    for caller in (learner, instructor):
        response = await client.get("/metrics", headers=caller.headers)
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get("/metrics", headers=admin.headers)).status_code == 200
    response = await client.get("/metrics", headers={"Authorization": f"Bearer {metrics_token}"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")


async def test_requests_are_counted_per_route_template_with_the_job_queue(
    client, db_session, make_account, metrics_token
) -> None:
    learner = await make_account("learner")
    missing = "/api/v1/jobs/00000000-0000-4000-8000-000000000001"
    for _ in range(3):
        assert (await client.get(missing, headers=learner.headers)).status_code == 404
    assert (await client.get("/no/such/path")).status_code == 404
    await jobs.enqueue(session=db_session, kind=jobs.maintenance.PURGE_JOBS)
    await db_session.commit()

    text = (await client.get("/metrics", headers={"Authorization": f"Bearer {metrics_token}"})).text
    found = samples(text)
    route = (("method", "GET"), ("route", "/api/v1/jobs/{job_id}"), ("status", "404"))
    assert found[("learnwise_http_requests_total", route)] >= 3
    unmatched = (("method", "GET"), ("route", "unmatched"), ("status", "404"))
    assert found[("learnwise_http_requests_total", unmatched)] >= 1
    assert missing not in text  # ids never become labels
    latency = (("method", "GET"), ("route", "/api/v1/jobs/{job_id}"))
    assert found[("learnwise_http_request_duration_seconds_count", latency)] >= 3
    queued = (("kind", "platform.purge_jobs"), ("status", "queued"))
    assert found[("learnwise_jobs", queued)] == 1
    assert ("learnwise_websocket_connections", ()) in found
