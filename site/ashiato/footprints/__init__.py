"""Ashiato: the footprints a visit leaves, and the ashiato notebook."""
