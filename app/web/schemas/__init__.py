"""Pydantic models: the API's request and response shapes, as OpenAPI shows them."""
