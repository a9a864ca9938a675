"""Carrier-mail side of Ashiato: the SMTP gateway and the decoding of Japanese carrier mail."""
