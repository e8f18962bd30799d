"""The top floor: what ties the apps together (demo loader, root URLs, commands that span apps)."""
