"""``python -m photoguard`` runs the command line."""

import sys

from photoguard.cli import main

sys.exit(main())
