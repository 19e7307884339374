"""``import photoguard``: the public API loads lazily, and completion still finds all of it."""

from __future__ import annotations

import subprocess
import sys


def test_completion_offers_the_lazy_api():
    # In a fresh interpreter: only what `import photoguard` loads, as in a new IPython session.
    code = (
        "import photoguard, sys; names = dir(photoguard); "
        "assert 'protect' in names and 'protect_bytes' in names and 'inspect_metadata' in names, names; "
        "assert set(photoguard.__all__) <= set(names); "
        "assert {'protect', 'protect_bytes', 'protect_many'} <= {n for n in names if n.startswith('pro')}; "
        "assert 'photoguard.pipeline' not in sys.modules"  # listing loads nothing
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]


def test_every_listed_name_resolves():
    import photoguard

    for name in photoguard.__all__:
        assert getattr(photoguard, name) is not None, name
