"""What every area shares: the scenario value (Settings, run, Result, write and the area registry), the
loader, errors, parameters, provenance, the one writer, numbers, formatting, paths and links. Imports nothing
else of the workbook."""
