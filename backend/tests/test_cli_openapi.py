"""``learnwise openapi`` prints the schema the web app's client is generated from."""

import json

from typer.testing import CliRunner

from learnwise.cli import app


def test_openapi_prints_the_schema_of_every_api_route() -> None:
    result = CliRunner().invoke(app, ["openapi"])

    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert schema["info"]["title"] == "Learnwise API"
    assert "/api/v1/auth/login" in schema["paths"]
    assert "/api/v1/courses/list" in schema["paths"]
