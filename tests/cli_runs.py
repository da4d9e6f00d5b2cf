"""Running the CLI in process, as the tests of its commands do."""

from typer.testing import CliRunner

from sca_rates.cli import app


def ran(*args: str) -> str:
    """What a command that succeeds prints: exit 0."""
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(*args: str) -> str:
    """The one message of a refused command: exit 2, no traceback."""
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return result.stderr
