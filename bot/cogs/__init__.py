"""One extension per user-facing feature; every module here is loaded at start-up (see bot.client.discover_extensions)."""
