"""Entry point of the packaged `motcua-admin` (a console program): every `motcua` command with its output,
for IT staff, scripts and scheduled jobs (backups, archives, sync)."""

import sys

from ui.cli import main

if __name__ == "__main__":
    sys.exit(main())
