"""The one document renderer (HTML and its PDF), the SVG and matplotlib charts with their text alternatives,
the ward map, and the label scheme shared with the screen. Imports ``core`` only."""
