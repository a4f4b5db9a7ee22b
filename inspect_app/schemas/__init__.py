"""Marshmallow schemas: the wire format. Input schemas raise on unknown fields."""
