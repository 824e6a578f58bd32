"""The LibreOffice conversion pool (PDF转换池): DOCX in, PDF out; the only place that starts processes."""

from service.conversion.on_demand import OnDemandPool, pool_from_settings
from service.conversion.pool import ConversionPool, ConversionRequest, PoolStatus, WorkerStatus, conversion_request

__all__ = [
    "ConversionPool",
    "ConversionRequest",
    "OnDemandPool",
    "PoolStatus",
    "WorkerStatus",
    "conversion_request",
    "pool_from_settings",
]
