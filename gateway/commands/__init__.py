"""Administration command groups of the `gateway` command, one module per group.

Each module has `register(subparsers)`, listed in gateway.cli._COMMAND_MODULES.
"""
