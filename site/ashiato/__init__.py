"""Ashiato: an invitation-only bilingual community site with a mobile mail gateway."""
