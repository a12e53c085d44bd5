#!/usr/bin/env python3
"""Checks docker-compose.yml without Docker: it parses, PostgreSQL and
Redis sit on the `back` network that only the bot joins (and that has no
way out), Caddy sits on `front` with the bot, every image is pinned to at
least a minor version, and the healthchecks are still there."""

import re
import sys
from pathlib import Path

import yaml

compose = yaml.safe_load(Path(__file__).resolve().parent.parent.joinpath("docker-compose.yml").read_text())
services = compose["services"]
networks = compose.get("networks") or {}
problems = []


def joined(name):
    return set(services[name].get("networks") or [])


if joined("bot") != {"front", "back"}:
    problems.append(f"bot should join front and back, joins {sorted(joined('bot'))}")
for name in ("postgres", "redis"):
    if joined(name) != {"back"}:
        problems.append(f"{name} should join back only, joins {sorted(joined(name))}")
    if "ports" in services[name]:
        problems.append(f"{name} publishes ports")
if joined("caddy") != {"front"}:
    problems.append(f"caddy should join front only, joins {sorted(joined('caddy'))}")
on_back = sorted(name for name in services if "back" in joined(name))
if on_back != ["bot", "postgres", "redis"]:
    problems.append(f"back is joined by {on_back}")
if not (networks.get("back") or {}).get("internal"):
    problems.append("back should be internal")
for name, service in services.items():
    for network in joined(name):
        if network not in networks:
            problems.append(f"{name} joins undeclared network {network}")
    image = service.get("image", "")
    if name != "bot" and not re.fullmatch(r"[a-z0-9./-]+:\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?", image):
        problems.append(f"{name}: image {image!r} is not pinned to a minor version")
for name in ("bot", "postgres", "redis"):
    if "test" not in (services[name].get("healthcheck") or {}):
        problems.append(f"{name} has no healthcheck")

if problems:
    print("docker-compose.yml:", *problems, sep="\n  ", file=sys.stderr)
    sys.exit(1)
print("docker-compose.yml: networks, pinned images and healthchecks as intended")
