"""Byte-preserving text edits of YAML and INI files: a value's span replaced, a key removed or
added, every other byte (comments, spacing, order) left as it was.

Used by ``fix`` on inventory files and by the role's patch of a node's kubelet configuration
(``render.kubelet.patch_kubelet_config``); the caller re-parses the result to check that it means
what was intended.
"""
