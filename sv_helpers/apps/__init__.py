"""Each Voila app's widget tree (interface layer), one module per app.

A notebook calls ``build_app(...)`` from its module and displays the result;
the app's root widget carries the class ``sv-app`` for the browser tests.
"""
