"""The documentation says what the code holds: each encoder of the registry has its row in
docs/models.md with its role and its weights' licence (the manifest's), and the README's links lead
to files that exist."""

from __future__ import annotations

import re
from pathlib import Path

from photoguard.models.encoders import ENCODERS

ROOT = Path(__file__).resolve().parents[1]
#: How the models table says an encoder's role.
ROLE_WORDS = {"attack": "attacked", "holdout": "held out", "measured": "measured only"}


def _rows(path: Path) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in path.read_text().splitlines()
        if line.startswith("| ")
    ]


def test_every_encoder_has_its_row_with_its_role_and_licence() -> None:
    rows = _rows(ROOT / "docs" / "models.md")
    for spec in ENCODERS.values():
        mine = [r for r in rows if len(r) == 3 and re.search(rf"\b{re.escape(spec.display_name)}\b", r[0])]
        assert len(mine) == 1, f"docs/models.md: one row for {spec.display_name}, found {len(mine)}"
        model, used_for, licence = mine[0]
        assert used_for.startswith(ROLE_WORDS[spec.role]), (spec.name, used_for)
        assert spec.licence in licence, (spec.name, licence, spec.licence)


#: The README and the pages its sections moved to (the cloak's own pages are its experiments' logs).
FRONT = ("README.md", "docs/usage.md", "docs/batch.md", "docs/ray.md", "docs/app.md", "docs/edits.md", "docs/models.md")
FRONT += ("docs/development.md", "docs/metadata.md")


def test_the_readmes_links_lead_to_files() -> None:
    for page in (ROOT / name for name in FRONT):
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", page.read_text()):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.relative_to(ROOT)} links to {target}, which is not there"
