"""Storage: the database (meetings, documents, 发文字号 register) and the content-addressed file store.

The only package that imports SQLAlchemy and Alembic; everything above it speaks through registry.py.
"""
