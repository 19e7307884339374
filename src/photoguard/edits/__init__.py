"""The opt-in defence against diffusion image editing ("nudify" bots): a shaped, bounded
pattern over the whole photo that makes TAEF2, the tiny autoencoder of the FLUX.2 latent
space, round-trip the photo badly (:mod:`.pattern`; made by :mod:`.train`; strengths in
:mod:`.config`). ``photoguard.protect(..., against=("identity", "edits"))`` adds it before the
identity cloak, which then optimises on the photo with the pattern in place."""

from photoguard.edits.config import DEFAULT_EDIT_STRENGTH, EDIT_PRESETS, EditConfig, edit_preset

__all__ = ["DEFAULT_EDIT_STRENGTH", "EDIT_PRESETS", "EditConfig", "edit_preset"]
