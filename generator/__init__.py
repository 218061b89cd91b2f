"""oapigen: a typed Python client and a runnable FastAPI stub server from an OpenAPI description."""
