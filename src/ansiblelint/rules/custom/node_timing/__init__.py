"""node-timing's rule for ansible-lint, which loads every rule package installed in this directory."""
