"""The built-in channels, one package each, registered through entry points like any plugin.

Each package holds its channel class and its own ``templates/`` folder, so an
installed wheel carries everything a channel needs.
"""
