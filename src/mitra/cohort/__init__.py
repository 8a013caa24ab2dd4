"""Research at scale: consented, de-identified export to Parquet and cohort analytics in Ibis.

The analytics (`analytics.py`) are Ibis expressions that run unchanged on DuckDB (embedded, the
default) and on Spark. Ibis, DuckDB, PySpark and pyarrow are imported only where they are used.
"""
