"""Reports for people and clinicians: charts as SVG (and, later, the PDF report)."""
