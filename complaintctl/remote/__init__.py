"""Many offices on one remote: sync, server set-up, who may push what, and the pre-receive hook."""
