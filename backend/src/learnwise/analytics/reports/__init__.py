"""Analytics reports: requested through the API, generated as background jobs, downloaded as
CSV, XLSX or PDF, anonymized by default, and deleted when they expire. See docs/reports.md."""
