"""complaintctl: customer-complaint handling by written rules, on git."""

__version__ = "0.1.0"
