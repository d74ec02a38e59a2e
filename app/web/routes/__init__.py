"""HTTP routers: thin adapters between the schemas and the numpy domain modules."""
