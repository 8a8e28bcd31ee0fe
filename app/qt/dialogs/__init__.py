"""Dialogs: connect, consolidate."""
