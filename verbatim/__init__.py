"""The top layer: the `verbatim` command, which knows both the index's commands and the Discord bot."""
