"""The Discord side of Verbatim: slash commands, buttons and the context menu on top of index/."""
