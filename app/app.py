"""Start the photoguard web app: ``python app/app.py [--host H] [--port P]``.

The same as ``photoguard app``; the app itself lives in the ``photoguard.app`` package
(``src/photoguard/app/``) so that the editable install and ``pip install .[app]`` both ship it.
"""

from __future__ import annotations

import sys

from photoguard.cli import main

if __name__ == "__main__":
    sys.exit(main(["app", *sys.argv[1:]]))
