"""Mobile carrier addresses: verification by empty mail, posting addresses, gateway events."""
