"""`python -m <package> <command>`: the project's commands (see cli.py). The App itself runs with
`python -m <package>.web` (development server) or under gunicorn (make serve)."""

import sys

from .cli import main

sys.exit(main())
