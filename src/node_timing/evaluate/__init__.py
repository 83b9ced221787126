"""Host variables -> effective settings with their sources.

``sources`` says where a value comes from and whether it is valid, ``host_timing`` builds one
host's (or host group's) effective settings, ``context`` groups an inventory's hosts into what the
rules read, and ``cluster`` picks the settings render and the Ansible filters use. Nothing here
imports the rules.
"""
