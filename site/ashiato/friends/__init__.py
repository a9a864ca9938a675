"""Maimiku (mutual friends), blocks, and the audience rules every feature uses."""
