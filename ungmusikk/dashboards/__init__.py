"""The pages that compose several apps' figures: a school's dashboard (with its print view,
PDF, CSV tables and chart data) and the network overview (with its CSV and map data).

They only call the apps' figures and selectors (activities.figures, funding.figures,
governance and schools selectors); the tables are declared once (`tables.Column`) and the same
declaration renders the HTML table, the CSV, the PDF and the charts."""
