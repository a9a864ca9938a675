"""Diaries and comments by mail: the gateway's use-cases on top of diaries and mobile."""
