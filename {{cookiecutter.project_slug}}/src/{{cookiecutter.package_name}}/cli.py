"""The project's commands that need no web framework: `python -m <package> <command>`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .env_file import ensure_env_file


def init_env(args: argparse.Namespace) -> int:
    filled = ensure_env_file(Path(args.env), Path(args.example))
    if filled:
        print(f"{args.env}: wrote new {', '.join(filled)}")
    else:
        print(f"{args.env}: already complete, nothing changed")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m {{ cookiecutter.package_name }}")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser(
        "init-env", help="create .env from .env.example with new keys, or fill the empty keys of .env"
    )
    command.add_argument("--env", default=".env")
    command.add_argument("--example", default=".env.example")
    command.set_defaults(run=init_env)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
