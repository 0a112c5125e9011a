"""Template packs rendered over figures into a Draft whose every number is a slot."""
